import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifier, SignatureCheckUnavailableError, type TrustedKey } from 'kms-jwt-verifier';
import { ADAPTERS } from './support/apps.js';
import { listen, send, type Running } from './support/http.js';

/**
 * A verifier whose signature check throws (its key resolver returned something that is not a key)
 * cannot tell a valid token from a forged one: every adapter answers 500, never 200 and never a
 * 401 challenge that would blame the client's token.
 */

const KID = 'arn:aws:kms:us-east-1:111122223333:key/5e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const input = `${encode({ alg: 'ES256', typ: 'JWT', kid: KID })}.${encode({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', scope: 'orders:read', iat: now, exp: now + 300 })}`;
const token = `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;

const notAKey: TrustedKey = { id: KID, algorithms: ['ES256'], publicKey: {} as TrustedKey['publicKey'] };
const broken = createVerifier({ keys: { resolve: (kid) => (kid === KID ? notAKey : undefined) }, issuer: ISSUER, audience: AUDIENCE });

describe.each(ADAPTERS)('$name', (adapter) => {
  let server: Running | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('answers 500 without a Bearer challenge when the signature check throws, and hands the app ERR_SIGNATURE_CHECK_UNAVAILABLE', async () => {
    const errors: unknown[] = [];
    server = await listen(
      adapter.app({
        verifier: broken,
        coldVerifier: broken,
        isRevoked: () => false,
        provider: { exportJwks: () => ({ keys: [] }) },
        onError: (error) => errors.push(error),
      }),
    );
    const reply = await send(`${server.url}/orders`, { authorization: `Bearer ${token}` });
    expect(reply.status).toBe(500);
    expect(reply.headers['www-authenticate']).toBeUndefined();
    expect(reply.text.includes(token)).toBe(false);
    // What reached the app's error handling: the verifier's own error, for the app to log.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SignatureCheckUnavailableError);
  });
});
