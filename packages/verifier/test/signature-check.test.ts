import { describe, expect, it } from 'vitest';
import {
  createMessageVerifier,
  createVerifier,
  SignatureCheckUnavailableError,
  SignatureInvalidError,
  type KeyResolver,
  type TrustedKey,
  type VerifierOptions,
} from '../src/index.js';
import { createBearerAuth, HttpAuthError } from '../src/http/index.js';
import type { TrustedPublicKey } from '../src/public-key.js';
import { verifySignatureAsync, verifySignatureSync } from '#runtime';
import { AUDIENCE, claims, encode, expectRejection, ISSUER, keyPairFor, KID, NOW, rejection, signInput, signToken } from './support/tokens.js';

/**
 * A signature check that throws (node:crypto handed something it cannot verify with) is the
 * environment's fault: the verifier answers neither "valid" nor "invalid token" (401) but
 * ERR_SIGNATURE_CHECK_UNAVAILABLE (500), and the HTTP layer passes that on instead of a 401.
 */

const nowMs = () => NOW * 1000;
const es256 = keyPairFor('ES256');
const ed25519 = keyPairFor('EdDSA');
const valid = signToken('ES256', es256.privateKey, claims());
const forged = signToken('ES256', keyPairFor('ES256').privateKey, claims());

/** A resolver whose key for KID is `publicKey`, said to verify ES256: what a buggy custom resolver returns. */
function resolverOf(publicKey: unknown): KeyResolver {
  const key: TrustedKey = { id: KID, algorithms: ['ES256'], publicKey: publicKey as TrustedPublicKey };
  return { resolve: (kid) => (kid === KID ? key : undefined) };
}

const NON_KEYS: readonly (readonly [string, unknown])[] = [
  ['a string instead of a key object', 'not a key'],
  ['a plain object instead of a key object', {}],
  ['an Ed25519 key said to verify ES256', ed25519.publicKey],
];

function options(publicKey: unknown, extra: Partial<VerifierOptions> = {}): VerifierOptions {
  return { keys: resolverOf(publicKey), issuer: ISSUER, audience: AUDIENCE, nowMs, ...extra };
}

describe('a signature check that throws', () => {
  describe.each(['sync', 'threadpool'] as const)('signatureVerification %s', (mode) => {
    it.each(NON_KEYS)('answers ERR_SIGNATURE_CHECK_UNAVAILABLE (500) for a resolver returning %s, whether the signature is good or forged', async (_name, publicKey) => {
      const verifier = createVerifier(options(publicKey, { signatureVerification: mode }));
      for (const token of [valid, forged]) {
        const error = await expectRejection(verifier.verify(token), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE', token);
        expect(error).toMatchObject({ status: 500, family: 'config', name: 'SignatureCheckUnavailableError' });
        expect(error.message).toMatch(/^kms-jwt-verifier: the trusted key .* could not be used to verify ES256/);
        expect(error.cause).toBeInstanceOf(Error);
      }
    });

    it('still answers ERR_JWS_SIGNATURE_INVALID for a forged token when the key is usable', async () => {
      const verifier = createVerifier(options(es256.publicKey, { signatureVerification: mode }));
      await expectRejection(verifier.verify(forged), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
      expect((await verifier.verify(valid)).payload.sub).toBe('user-1');
    });
  });

  it('never caches a token whose check threw: every call answers the same 500', async () => {
    const verifier = createVerifier(options('not a key'));
    for (let call = 0; call < 3; call += 1) await expectRejection(verifier.verify(valid), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
  });

  it.each([false, true])('answers ERR_SIGNATURE_CHECK_UNAVAILABLE from the message verifier too (threadpool %s)', async (threadpool) => {
    const verifier = createMessageVerifier({ keys: resolverOf({}), maxMessageAgeSeconds: 300, nowMs, ...(threadpool ? { signatureVerification: 'threadpool' as const } : {}) });
    const headerSegment = encode({ alg: 'ES256', kid: KID, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW - 5, jti: 'message-1' });
    const input = `${headerSegment}.${encode({ order: 'o-1' })}`;
    const message = `${input}.${signInput('ES256', es256.privateKey, input).toString('base64url')}`;
    await expectRejection(verifier.verify(message), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
  });

  it('is passed on by the HTTP layer as the 500 it is, not answered 401', async () => {
    const auth = createBearerAuth<undefined>({ verifier: createVerifier(options('not a key')) }, 'kms-jwt-test');
    const error = await rejection(auth.authenticate(undefined, { headersDistinct: { authorization: [`Bearer ${valid}`] } }));
    expect(error).not.toBeInstanceOf(HttpAuthError);
    expect(error).toBeInstanceOf(SignatureCheckUnavailableError);
    expect((error as SignatureCheckUnavailableError).status).toBe(500);
  });

  it('is passed on for a threadpool verifier as well', async () => {
    const auth = createBearerAuth<undefined>({ verifier: createVerifier(options({}, { signatureVerification: 'threadpool' })) }, 'kms-jwt-test');
    const error = await rejection(auth.authenticate(undefined, { headersDistinct: { authorization: [`Bearer ${valid}`] } }));
    expect(error).toBeInstanceOf(SignatureCheckUnavailableError);
  });
});

describe('the node runtime signature check', () => {
  const data = Buffer.from('header.payload');
  const signature = signInput('ES256', es256.privateKey, 'header.payload');

  it('answers true and false for a usable key, synchronously and on the threadpool', async () => {
    expect(verifySignatureSync('ES256', es256.publicKey, data, signature)).toBe(true);
    expect(verifySignatureSync('ES256', es256.publicKey, Buffer.from('header.other'), signature)).toBe(false);
    expect(await verifySignatureAsync('ES256', es256.publicKey, data, signature)).toBe(true);
    expect(await verifySignatureAsync('ES256', es256.publicKey, Buffer.from('header.other'), signature)).toBe(false);
  });

  it('throws, and rejects on the threadpool, for a key it cannot verify with, instead of answering false', async () => {
    for (const [, publicKey] of NON_KEYS) {
      expect(() => verifySignatureSync('ES256', publicKey as TrustedPublicKey, data, signature)).toThrow();
      await expect(verifySignatureAsync('ES256', publicKey as TrustedPublicKey, data, signature)).rejects.toBeInstanceOf(Error);
    }
  });
});
