import { describe, expect, it } from 'vitest';
import { createBearerAuth } from '../src/http/index.js';
import { createVerifier, JwtClaimInvalidError, JwtMalformedError, JwtTooLargeError, SignatureInvalidError, VerifierConfigError, type KeyResolver, type VerifierOptions } from '../src/index.js';
import { configError } from './support/config-error.js';
import { recording } from './support/telemetry.js';
import { AUDIENCE, claims, ISSUER, keyPairFor, KID, NOW, rejection, signRaw, signToken } from './support/tokens.js';

// createVerifier's own refusals (src/create-verifier.ts), each with the message that says what to fix.

const es256 = keyPairFor('ES256');
const TELEMETRY_MESSAGE =
  "telemetry must have the methods verified, refused, cacheHit, cacheMiss and requestRefused (such as kms-jwt-opentelemetry's createKmsJwtTelemetry().verifier)";
const base: VerifierOptions = { keys: [{ kid: KID, key: es256.publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 };

describe('createVerifier configuration messages', () => {
  it.each([
    ['no options object', null, 'createVerifier needs an options object'],
    ['maxTokenBytes below 64', { ...base, maxTokenBytes: 63 }, 'maxTokenBytes must be an integer >= 64'],
    ['cache.maxEntries of 0', { ...base, cache: { maxEntries: 0 } }, 'cache.maxEntries must be an integer >= 1'],
    ['cache.maxAgeSeconds of 0', { ...base, cache: { maxAgeSeconds: 0 } }, 'cache.maxAgeSeconds must be > 0'],
    ['rejectHighS that is not a boolean', { ...base, rejectHighS: 'yes' }, 'rejectHighS must be true or false'],
    ['another signatureVerification', { ...base, signatureVerification: 'worker' }, "signatureVerification must be 'sync' or 'threadpool'"],
    ['nowMs that is not a function', { ...base, nowMs: NOW * 1000 }, 'nowMs must be a function returning epoch milliseconds'],
    ['telemetry without every method', { ...base, telemetry: { verified() {}, refused() {}, cacheHit() {}, cacheMiss() {} } }, TELEMETRY_MESSAGE],
    ['telemetry of null', { ...base, telemetry: null }, TELEMETRY_MESSAGE],
    ['telemetry that is a function, even one carrying the methods', { ...base, telemetry: Object.assign(() => undefined, recording().telemetry) }, TELEMETRY_MESSAGE],
  ])('refuses %s, saying what it needs', (_name, options, message) => {
    const error = configError(options);
    expect(error).toBeInstanceOf(VerifierConfigError);
    expect((error as Error).message).toBe(`kms-jwt-verifier: ${message}`);
  });
});

describe('createVerifier configuration limits', () => {
  it('takes maxTokenBytes of 64 and cache.maxEntries of 1, the smallest each allows', async () => {
    const verifier = createVerifier({ ...base, maxTokenBytes: 64 });
    expect(createVerifier({ ...base, cache: { maxEntries: 1 } })).toHaveProperty('verify');
    const error = await rejection(verifier.verify(signToken('ES256', es256.privateKey, claims())));
    expect(error).toBeInstanceOf(JwtTooLargeError);
    expect((error as Error).message).toBe('the token is longer than 64 bytes (maxTokenBytes)');
  });
});

describe('verify refusals, each saying what is wrong', () => {
  const verifier = createVerifier({ ...base, maxTokenBytes: 600, cache: false });

  it('refuses a token that is not a string', async () => {
    const error = await rejection(verifier.verify(42 as unknown as string));
    expect(error).toBeInstanceOf(JwtMalformedError);
    expect((error as Error).message).toBe('the token must be a string (a compact JWS)');
  });

  it('refuses a token longer than maxTokenBytes, naming the limit', async () => {
    const error = await rejection(verifier.verify(`${'a'.repeat(300)}.${'b'.repeat(300)}.c`));
    expect(error).toBeInstanceOf(JwtTooLargeError);
    expect((error as Error).message).toBe('the token is longer than 600 bytes (maxTokenBytes)');
  });

  it('refuses a signed payload that is not a JSON object', async () => {
    const token = signRaw('ES256', es256.privateKey, JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: KID }), '[1,2]');
    const error = await rejection(verifier.verify(token));
    expect(error).toBeInstanceOf(JwtMalformedError);
    expect((error as Error).message).toBe('the payload is not a base64url-encoded JSON object');
  });

  const good = signToken('ES256', es256.privateKey, claims());
  const [headerSegment, payloadSegment, signatureSegment] = good.split('.') as [string, string, string];

  it.each([
    ['no dot at all', headerSegment],
    ['two segments', `${headerSegment}.${payloadSegment}`],
    ['four segments', `${good}.${signatureSegment}`],
    ['four segments, the last one empty', `${good}.`],
  ])('refuses a token of %s, saying it needs three', async (_name, token) => {
    const error = await rejection(verifier.verify(token));
    expect(error).toBeInstanceOf(JwtMalformedError);
    expect((error as Error).message).toBe('the token must have exactly three dot-separated segments (compact JWS)');
  });

  it('refuses an empty header segment as a header, on a verifier that has seen no token yet', async () => {
    const fresh = createVerifier({ ...base, cache: false });
    const error = await rejection(fresh.verify(`.${payloadSegment}.${signatureSegment}`));
    expect(error).toBeInstanceOf(JwtMalformedError);
    expect((error as Error).message).toBe('the header is not a base64url-encoded JSON object (without duplicate members)');
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/'],
  ])('refuses a signature segment that is %s, saying so', async (_name, signature) => {
    const error = await rejection(verifier.verify(`${headerSegment}.${payloadSegment}.${signature}`));
    expect(error).toBeInstanceOf(JwtMalformedError);
    expect((error as Error).message).toBe('the signature is not base64url');
  });

  it('refuses a signature made by another key, saying it does not verify with the trusted one', async () => {
    const error = await rejection(verifier.verify(signToken('ES256', keyPairFor('ES256').privateKey, claims())));
    expect(error).toBeInstanceOf(SignatureInvalidError);
    expect((error as Error).message).toBe('the signature does not verify with the trusted key named by kid');
  });

  it.each([
    ['an Error', new Error('the session was revoked'), 'the validate hook rejected the token: the session was revoked'],
    ['an Error without a message', new Error(''), 'the validate hook rejected the token'],
    ['a string', 'revoked', 'the validate hook rejected the token'],
  ])('turns a validate hook throwing %s into ERR_JWT_CLAIM_INVALID with it as the cause', async (_name, thrown, message) => {
    const hooked = createVerifier({
      ...base,
      validate: () => {
        throw thrown;
      },
    });
    const error = await rejection(hooked.verify(signToken('ES256', es256.privateKey, claims())));
    expect(error).toBeInstanceOf(JwtClaimInvalidError);
    expect(error).toMatchObject({ message, claim: 'validate', cause: thrown });
  });
});

describe('a verification that settles later, through the HTTP layer', () => {
  // createBearerAuth asks the verifier for an answer now (a cached token); one that needs a promise
  // (an asynchronous key resolver here) is counted when it settles, as verified or refused.
  const asyncKeys: KeyResolver = { resolve: async (kid) => (kid === KID ? { id: KID, publicKey: es256.publicKey, algorithms: ['ES256'] } : undefined) };

  it('counts it as verified or refused once it settles, never as verified before', async () => {
    const { telemetry, calls } = recording();
    const auth = createBearerAuth<undefined>({ verifier: { ...base, keys: asyncKeys, telemetry } }, 'kms-jwt-test');
    const expired = signToken('ES256', es256.privateKey, claims({ exp: NOW - 60 }));
    await rejection(auth.authenticate(undefined, { headersDistinct: { authorization: [`Bearer ${expired}`] } }));
    await auth.authenticate(undefined, { headersDistinct: { authorization: [`Bearer ${signToken('ES256', es256.privateKey, claims())}`] } });
    expect(calls).toEqual(['miss', 'refused ERR_JWT_EXPIRED', 'request ERR_JWT_EXPIRED 401 kms-jwt-test', 'miss', 'verified']);
  });
});
