// Explicit typing end to end (RFC 8725 §3.11): one KMS key (kms-local, through an alias) signs both
// access tokens and signed messages. Every adapter refuses a signed message presented as a Bearer
// token, even one whose JSON payload is a valid claims set for it, and the message verifier —
// with kms-pubkey-provider as its keys, like the adapters' verifier — refuses an access token.
import { KMSClient } from '@aws-sdk/client-kms';
import { createKmsMessageSigner, type SignedMessage } from 'kms-jwt-signer';
import { createMessageVerifier, MessageTypeInvalidError, TokenIsMessageError } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, REALM } from '../adapters/support/apps.js';
import { listen, send, type Running } from '../adapters/support/http.js';
import { ALIAS, AUDIENCE, ISSUER, startKmsWorld, type KmsWorld } from '../adapters/support/kms.js';

let world: KmsWorld;
let client: KMSClient;
let message: SignedMessage;

beforeAll(async () => {
  world = await startKmsWorld();
  client = new KMSClient(world.kmsLocal.clientConfig);
  const now = Math.floor(Date.now() / 1000);
  // The claims an access token for these apps would carry, signed as a message by the same key.
  message = await createKmsMessageSigner({ keyId: ALIAS, client }).sign({ json: { sub: 'user-1', iss: ISSUER, aud: AUDIENCE, scope: 'orders:read orders:write', iat: now, exp: now + 300 } });
});

afterAll(async () => {
  client?.destroy();
  await world?.close();
});

describe('a signed message is never an access token', () => {
  it('is signed by the key that signs the access tokens', () => {
    expect(message.keyArn).toBe(world.currentKeyArn);
  });

  it('createVerifier().verify refuses it with ERR_TOKEN_IS_MESSAGE (401), compact or detached, whatever typ it is told to expect', async () => {
    expect((await world.verifier.verify(world.tokens.current)).key).toBe(world.currentKeyArn);
    for (const jws of [message.jws, message.detachedJws]) {
      await expect(world.verifier.verify(jws)).rejects.toBeInstanceOf(TokenIsMessageError);
      await expect(world.verifier.verify(jws, { typ: 'kms-jwt-message+jws' })).rejects.toMatchObject({ code: 'ERR_TOKEN_IS_MESSAGE', status: 401, family: 'token' });
    }
  });

  describe.each(ADAPTERS)('$name', (adapter) => {
    let server: Running;
    beforeAll(async () => {
      server = await listen(adapter.app({ verifier: world.verifier, coldVerifier: world.coldVerifier, isRevoked: () => false, provider: world.provider }));
    });
    afterAll(() => server.close());

    it('answers a signed message sent as a Bearer token with 401 invalid_token, and still serves an access token', async () => {
      const ok = await send(`${server.url}/orders`, { authorization: `Bearer ${world.tokens.current}` });
      expect(ok.status).toBe(200);
      for (const path of ['/orders', '/orders/write']) {
        const reply = await send(`${server.url}${path}`, { authorization: `Bearer ${message.jws}` });
        const description = 'the access token is a signed message, not an access token';
        expect(reply.status).toBe(401);
        expect(reply.headers['www-authenticate']).toBe(`Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`);
        expect(reply.json).toEqual({ error: 'invalid_token', error_description: description });
        expect(reply.text).not.toContain(message.jws.split('.')[2]);
      }
    });
  });
});

describe('an access token is never a signed message', () => {
  it('the message verifier, over the same kms-pubkey-provider, refuses it with ERR_MESSAGE_TYPE_INVALID and verifies the message', async () => {
    const messages = createMessageVerifier({ keys: world.provider, maxMessageAgeSeconds: 300 });
    const verified = await messages.verify<{ sub: string }>({ jws: message.detachedJws, payload: message.payload.toString('utf8') });
    expect(verified).toMatchObject({ key: world.currentKeyArn, messageId: message.messageId, payload: { sub: 'user-1' } });
    await expect(messages.verify(world.tokens.current)).rejects.toBeInstanceOf(MessageTypeInvalidError);
    await expect(messages.verifyBytes(world.tokens.previous)).rejects.toMatchObject({ code: 'ERR_MESSAGE_TYPE_INVALID', status: 401 });
  });
});
