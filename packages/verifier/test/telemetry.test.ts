import { describe, expect, it } from 'vitest';
import { createVerifier, VerifierConfigError, type KeyResolver, type TrustedKey, type VerifierTelemetry } from '../src/index.js';
import { createBearerAuth, HttpAuthError } from '../src/http/index.js';
import { recording } from './support/telemetry.js';
import { AUDIENCE, claims, ISSUER, keyPairFor, KID, NOW, OTHER_KID, rejection, signToken } from './support/tokens.js';

const pair = keyPairFor('ES256');
const trusted: TrustedKey = Object.freeze({ id: KID, publicKey: pair.publicKey, algorithms: ['ES256'] as const });
const valid = signToken('ES256', pair.privateKey, claims());
const expired = signToken('ES256', pair.privateKey, claims({ exp: NOW - 60 }));
const untrusted = signToken('ES256', pair.privateKey, claims(), { alg: 'ES256', typ: 'JWT', kid: OTHER_KID });
const base = { issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 };

describe('createVerifier: telemetry', () => {
  it('reports each verification, each refusal with its code, and the cache misses and hits', async () => {
    const { telemetry, calls } = recording();
    const verifier = createVerifier({ ...base, keys: [{ kid: KID, key: pair.publicKey }], telemetry });
    await verifier.verify(valid);
    await verifier.verify(valid);
    await verifier.verify(valid);
    await rejection(verifier.verify(expired));
    await rejection(verifier.verify(untrusted));
    await rejection(verifier.verify('not a token'));
    expect(calls).toEqual([
      'miss',
      'verified',
      'miss',
      'verified',
      'hit',
      'verified',
      'miss',
      'refused ERR_JWT_EXPIRED',
      'miss',
      'refused ERR_KID_UNTRUSTED',
      'miss',
      'refused ERR_TOKEN_MALFORMED',
    ]);
  });

  it('reports verifications through an asynchronous key resolver, and a call with overrides without a cache lookup', async () => {
    const { telemetry, calls } = recording();
    const keys: KeyResolver = { resolve: async (kid) => (kid === KID ? trusted : undefined) };
    const verifier = createVerifier({ ...base, keys, telemetry });
    await verifier.verify(valid);
    await verifier.verify(valid, { subject: 'user-1' });
    await rejection(verifier.verify(valid, { subject: 'someone-else' }));
    expect(calls).toEqual(['miss', 'verified', 'verified', 'refused ERR_JWT_CLAIM_INVALID']);
  });

  it('counts a cached entry whose key is no longer trusted as a miss', async () => {
    const { telemetry, calls } = recording();
    let current: TrustedKey | undefined = trusted;
    const verifier = createVerifier({ ...base, keys: { resolve: async () => current }, telemetry });
    await verifier.verify(valid);
    await verifier.verify(valid);
    current = undefined;
    await rejection(verifier.verify(valid));
    expect(calls).toEqual(['miss', 'verified', 'miss', 'verified', 'miss', 'refused ERR_KID_UNTRUSTED']);
  });

  it('reports nothing about the cache when it is off', async () => {
    const { telemetry, calls } = recording();
    const verifier = createVerifier({ ...base, keys: [{ kid: KID, key: pair.publicKey }], cache: false, telemetry });
    await verifier.verify(valid);
    await verifier.verify(valid);
    expect(calls).toEqual(['verified', 'verified']);
  });

  it('refuses a telemetry that lacks one of the callbacks', () => {
    const { telemetry } = recording();
    const { cacheMiss: _dropped, ...partial } = telemetry;
    expect(() => createVerifier({ ...base, keys: [{ kid: KID, key: pair.publicKey }], telemetry: partial as unknown as VerifierTelemetry })).toThrow(VerifierConfigError);
  });
});

describe('kms-jwt-verifier/http: telemetry', () => {
  it("counts the requests it refuses through the verifier's telemetry, with the code, status and adapter", async () => {
    const { telemetry, calls } = recording();
    const auth = createBearerAuth<undefined>({ verifier: { ...base, keys: [{ kid: KID, key: pair.publicKey }], telemetry }, isRevoked: () => true }, 'kms-jwt-test');
    await rejection(auth.authenticate(undefined, { headersDistinct: {} }));
    await rejection(auth.authenticate(undefined, { headersDistinct: { authorization: ['Bearer one', 'Bearer two'] } }));
    await rejection(auth.authenticate(undefined, { headersDistinct: { authorization: [`Bearer ${expired}`] } }));
    const revoked = await rejection(auth.authenticate(undefined, { headersDistinct: { authorization: [`Bearer ${valid}`] } }));
    expect(revoked).toBeInstanceOf(HttpAuthError);
    expect(calls).toEqual([
      'request ERR_CREDENTIALS_MISSING 401 kms-jwt-test',
      'request ERR_REQUEST_INVALID 400 kms-jwt-test',
      'miss',
      'refused ERR_JWT_EXPIRED',
      'request ERR_JWT_EXPIRED 401 kms-jwt-test',
      'miss',
      'verified',
      'request ERR_TOKEN_REVOKED 401 kms-jwt-test',
    ]);
  });
});
