import { describe, expect, it } from 'vitest';
import { createVerifier, JwtClaimInvalidError, JwtMalformedError, JwtTooLargeError, VerifierConfigError, type VerifierOptions } from '../src/index.js';
import { configError } from './support/config-error.js';
import { AUDIENCE, claims, ISSUER, keyPairFor, KID, NOW, rejection, signRaw, signToken } from './support/tokens.js';

// createVerifier's own refusals (src/create-verifier.ts), each with the message that says what to fix.

const es256 = keyPairFor('ES256');
const base: VerifierOptions = { keys: [{ kid: KID, key: es256.publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 };

describe('createVerifier configuration messages', () => {
  it.each([
    ['no options object', null, 'createVerifier needs an options object'],
    ['maxTokenBytes below 64', { ...base, maxTokenBytes: 63 }, 'maxTokenBytes must be an integer >= 64'],
    ['cache.maxEntries of 0', { ...base, cache: { maxEntries: 0 } }, 'cache.maxEntries must be an integer >= 1'],
    ['cache.maxAgeSeconds of 0', { ...base, cache: { maxAgeSeconds: 0 } }, 'cache.maxAgeSeconds must be > 0'],
    [
      'telemetry without every method',
      { ...base, telemetry: { verified() {}, refused() {}, cacheHit() {}, cacheMiss() {} } },
      "telemetry must have the methods verified, refused, cacheHit, cacheMiss and requestRefused (such as kms-jwt-opentelemetry's createKmsJwtTelemetry().verifier)",
    ],
  ])('refuses %s, saying what it needs', (_name, options, message) => {
    const error = configError(options);
    expect(error).toBeInstanceOf(VerifierConfigError);
    expect((error as Error).message).toBe(`kms-jwt-verifier: ${message}`);
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
