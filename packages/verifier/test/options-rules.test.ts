import { describe, expect, it } from 'vitest';
import { createVerifier, JwtExpiredError, JwtClaimInvalidError, VerifierConfigError, type VerifierOptions } from '../src/index.js';
import { configError } from './support/config-error.js';
import { AUDIENCE, ISSUER, keyPairFor, KID, NOW } from './support/tokens.js';

// The claim options' refusals (src/options.ts), each with the message that says what to fix, and
// what a claim error carries (src/errors.ts).

const es256 = keyPairFor('ES256');
const base: VerifierOptions = { keys: [{ kid: KID, key: es256.publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 };
const ALGORITHMS_MESSAGE =
  'algorithms must be a non-empty array of JWS algorithms a KMS key produces (ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)';

describe('claim option messages', () => {
  it.each([
    ['an issuer list holding a list', { issuer: [[ISSUER]] }, 'issuer must be a non-empty string, a non-empty array of them, or null'],
    ['an audience list holding an object with a length', { audience: [{ length: 3 }] }, 'audience must be a non-empty string, a non-empty array of them, or null'],
    ['maxTokenLifetimeSeconds of 0', { maxTokenLifetimeSeconds: 0 }, 'maxTokenLifetimeSeconds must be a number of seconds > 0, or null to accept tokens of any lifetime (not recommended)'],
    ['maxTokenAgeSeconds below 0', { maxTokenAgeSeconds: -1 }, 'maxTokenAgeSeconds must be a number of seconds >= 0'],
    ['clockToleranceSeconds below 0', { clockToleranceSeconds: -1 }, 'clockToleranceSeconds must be a number of seconds >= 0'],
    ['an algorithm no KMS key produces beside one it does', { algorithms: ['ES256', 'HS256'] }, ALGORITHMS_MESSAGE],
    ['an empty algorithms list', { algorithms: [] }, ALGORITHMS_MESSAGE],
    ['requiredClaims as a string', { requiredClaims: 'exp' }, 'requiredClaims must be an array of claim names'],
    ['an empty subject', { subject: '' }, 'subject must be a non-empty string'],
    ['a typ that is not a string', { typ: 42 }, 'typ must be a non-empty string'],
    ['a validate hook that is not a function', { validate: 'check' }, 'validate must be a function'],
  ])('refuses %s, saying what it needs', (_name, options, message) => {
    const error = configError({ ...base, ...options });
    expect(error).toBeInstanceOf(VerifierConfigError);
    expect((error as Error).message).toBe(`kms-jwt-verifier: ${message}`);
  });

  it('takes every algorithm a KMS key produces, listed together', () => {
    const algorithms = ['ES256', 'ES384', 'ES512', 'ES256K', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;
    expect(createVerifier({ ...base, algorithms })).toHaveProperty('verify');
  });
});

describe('claim errors', () => {
  it('carry no cause when none was given, and the one given otherwise', () => {
    const plain = new JwtExpiredError('the token has expired', { claim: 'exp' });
    expect(Object.hasOwn(plain, 'cause')).toBe(false);
    const reason = new Error('revoked');
    const caused = new JwtClaimInvalidError('the validate hook rejected the token', { claim: 'validate', cause: reason });
    expect(Object.hasOwn(caused, 'cause')).toBe(true);
    expect(caused.cause).toBe(reason);
  });
});
