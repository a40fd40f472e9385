import { createSecretKey, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AlgNotAllowedError,
  createVerifier,
  JwtClaimInvalidError,
  JwtClaimMissingError,
  JwtExpiredError,
  JwtIssuedInFutureError,
  JwtLifetimeTooLongError,
  JwtMalformedError,
  JwtNotYetValidError,
  JwtTooLargeError,
  JwtTooOldError,
  JWS_ALGORITHMS,
  KeySourceUnavailableError,
  keysFromJwks,
  KidUntrustedError,
  KmsJwtError,
  SignatureInvalidError,
  VerifierConfigError,
  type JwsAlgorithm,
  type KeyResolver,
  type StaticKey,
  type TrustedKey,
  type VerifierOptions,
  type VerifyOverrides,
} from '../src/index.js';
import { AUDIENCE, b64, claims, encode, expectRejection, ISSUER, keyPairFor, KID, NOW, OTHER_KID, rejection, signToken, type KeyPair } from './support/tokens.js';

const ec = keyPairFor('ES256');
const rsa = keyPairFor('RS256');
const nowMs = (): number => NOW * 1000;
const base: VerifierOptions = { keys: [{ kid: KID, key: ec.publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs, cache: false };
const token = (payload: Record<string, unknown> = claims(), header: Record<string, unknown> = { alg: 'ES256', typ: 'JWT', kid: KID }): string =>
  signToken('ES256', ec.privateKey, payload, header);

/** Expects `create` to throw a VerifierConfigError that names the package. */
function expectConfigError(create: () => unknown): VerifierConfigError {
  let thrown: unknown;
  try {
    create();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(VerifierConfigError);
  const error = thrown as VerifierConfigError;
  expect(error.code).toBe('ERR_CONFIG_INVALID');
  expect(error.message).toMatch(/^kms-jwt-verifier: /);
  return error;
}

/** Options as a JavaScript caller might pass them, past what the types allow. */
const untyped = (options: Record<string, unknown>): VerifierOptions => options as unknown as VerifierOptions;

describe('construction', () => {
  it('throws a VerifierConfigError when issuer is missing', () => {
    const error = expectConfigError(() => createVerifier(untyped({ keys: base.keys, audience: AUDIENCE })));
    expect(error.message).toContain('issuer is required');
  });

  it('throws a VerifierConfigError when audience is missing', () => {
    const error = expectConfigError(() => createVerifier(untyped({ keys: base.keys, issuer: ISSUER })));
    expect(error.message).toContain('audience is required');
  });

  it('throws a VerifierConfigError for an empty issuer, an empty list or a non-string entry', () => {
    for (const issuer of ['', [], [ISSUER, ''], [42]]) expectConfigError(() => createVerifier(untyped({ ...base, issuer })));
    for (const audience of ['', [], [7]]) expectConfigError(() => createVerifier(untyped({ ...base, audience })));
  });

  it('throws a VerifierConfigError without keys, or with keys that are neither an array nor a resolver', () => {
    for (const keys of [undefined, null, 'pem', {}, { resolve: 'no' }]) expectConfigError(() => createVerifier(untyped({ ...base, keys })));
    expectConfigError(() => createVerifier(untyped({ keys: null })));
  });

  it('throws a VerifierConfigError when the options are not an object', () => {
    for (const options of [undefined, null, 'options', 42]) expectConfigError(() => createVerifier(options as unknown as VerifierOptions));
  });

  it('throws a VerifierConfigError for out-of-range numbers and wrong types', () => {
    const wrong: Record<string, unknown>[] = [
      { clockToleranceSeconds: -1 },
      { clockToleranceSeconds: Number.NaN },
      { clockToleranceSeconds: '5' },
      { maxTokenAgeSeconds: Number.POSITIVE_INFINITY },
      { maxTokenAgeSeconds: -10 },
      { maxTokenLifetimeSeconds: 0 },
      { maxTokenLifetimeSeconds: -60 },
      { maxTokenLifetimeSeconds: Number.POSITIVE_INFINITY },
      { maxTokenLifetimeSeconds: Number.NaN },
      { maxTokenLifetimeSeconds: '86400' },
      { rejectHighS: 'yes' },
      { rejectHighS: 1 },
      { maxTokenBytes: 63 },
      { maxTokenBytes: 100.5 },
      { signatureVerification: 'worker' },
      { nowMs: 1_800_000_000_000 },
      { cache: { maxEntries: 0 } },
      { cache: { maxEntries: 1.5 } },
      { cache: { maxAgeSeconds: 0 } },
      { cache: { maxAgeSeconds: Number.NaN } },
      { algorithms: [] },
      { algorithms: ['HS256'] },
      { algorithms: ['none'] },
      { algorithms: 'ES256' },
      { requiredClaims: 'exp' },
      { requiredClaims: [1] },
      { subject: '' },
      { typ: 42 },
      { validate: 'check' },
    ];
    for (const options of wrong) expectConfigError(() => createVerifier(untyped({ ...base, ...options })));
  });
});

describe('issuer and audience', () => {
  it('accepts any issuer and audience when both are explicitly null', async () => {
    const verifier = createVerifier({ ...base, issuer: null, audience: null });
    const result = await verifier.verify(token(claims({ iss: 'https://anyone.example', aud: 'anything' })));
    expect(result.payload.iss).toBe('https://anyone.example');
    await expect(verifier.verify(token({ exp: NOW + 60 }))).resolves.toMatchObject({ key: KID });
  });

  it('accepts each issuer of a list and rejects any other with the expected and actual values', async () => {
    const verifier = createVerifier({ ...base, issuer: [ISSUER, 'https://second.example'] });
    await expect(verifier.verify(token(claims({ iss: 'https://second.example' })))).resolves.toMatchObject({ payload: { iss: 'https://second.example' } });
    await expect(verifier.verify(token())).resolves.toMatchObject({ payload: { iss: ISSUER } });
    const error = await expectRejection(verifier.verify(token(claims({ iss: 'https://third.example' }))), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error).toMatchObject({ claim: 'iss', expected: [ISSUER, 'https://second.example'], actual: 'https://third.example', status: 401, family: 'claims' });
  });

  it('rejects a token without iss as a missing claim', async () => {
    const error = await expectRejection(createVerifier(base).verify(token(claims({ iss: undefined }))), JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('iss');
  });

  it('rejects a non-string iss', async () => {
    const error = await expectRejection(createVerifier(base).verify(token(claims({ iss: [ISSUER] }))), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.claim).toBe('iss');
  });

  it('accepts a token whose aud array names one accepted audience', async () => {
    const verifier = createVerifier({ ...base, audience: ['api', 'admin-api'] });
    await expect(verifier.verify(token(claims({ aud: ['other', 'admin-api'] })))).resolves.toMatchObject({ key: KID });
    await expect(verifier.verify(token(claims({ aud: 'api' })))).resolves.toMatchObject({ key: KID });
  });

  it('rejects an aud that is neither a string nor an array of strings, and a missing aud', async () => {
    const verifier = createVerifier(base);
    for (const aud of [42, [AUDIENCE, 1], { aud: AUDIENCE }]) {
      const error = await expectRejection(verifier.verify(token(claims({ aud }))), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
      expect(error.claim).toBe('aud');
    }
    await expectRejection(verifier.verify(token(claims({ aud: [] }))), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    const missing = await expectRejection(verifier.verify(token(claims({ aud: undefined }))), JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING');
    expect(missing.claim).toBe('aud');
  });

  it('lets a call override issuer and audience, and opt out with null', async () => {
    const verifier = createVerifier(base);
    const other = token(claims({ iss: 'https://other.example', aud: 'other-api' }));
    await expectRejection(verifier.verify(other), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    await expect(verifier.verify(other, { issuer: 'https://other.example', audience: 'other-api' })).resolves.toMatchObject({ key: KID });
    await expect(verifier.verify(other, { issuer: null, audience: null })).resolves.toMatchObject({ key: KID });
  });

  it('keeps the verifier issuer and audience when a call passes them as undefined', async () => {
    const verifier = createVerifier(base);
    const other = token(claims({ iss: 'https://other.example', aud: 'other-api' }));
    const overrides = { issuer: undefined, audience: undefined } as unknown as VerifyOverrides;
    const error = await expectRejection(verifier.verify(other, overrides), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.claim).toBe('iss');
    const audOnly = await expectRejection(verifier.verify(token(claims({ aud: 'other-api' })), overrides), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(audOnly.claim).toBe('aud');
  });

  it('rejects invalid per-call overrides with a VerifierConfigError', async () => {
    const verifier = createVerifier(base);
    await expectRejection(verifier.verify(token(), { clockToleranceSeconds: -5 }), VerifierConfigError, 'ERR_CONFIG_INVALID');
    await expectRejection(verifier.verify(token(), { issuer: [] }), VerifierConfigError, 'ERR_CONFIG_INVALID');
  });
});

describe('subject and typ', () => {
  it('requires the configured subject', async () => {
    const verifier = createVerifier({ ...base, subject: 'user-1' });
    await expect(verifier.verify(token())).resolves.toMatchObject({ payload: { sub: 'user-1' } });
    const wrong = await expectRejection(verifier.verify(token(claims({ sub: 'user-2' }))), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(wrong).toMatchObject({ claim: 'sub', expected: 'user-1', actual: 'user-2' });
    const missing = await expectRejection(verifier.verify(token(claims({ sub: undefined }))), JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING');
    expect(missing.claim).toBe('sub');
  });

  it('keeps the claim values of the token out of error messages (they may be personal data) and in error.actual', async () => {
    const verifier = createVerifier({ ...base, subject: 'user-1', typ: 'JWT' });
    const email = 'alice@example.com';
    const cases = [
      [{ ...base, subject: 'user-1' }, claims({ sub: email })],
      [base, claims({ iss: email })],
      [base, claims({ aud: email })],
    ] as const;
    for (const [options, payload] of cases) {
      const error = await expectRejection(createVerifier(options).verify(token(payload)), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
      expect(error.message).not.toContain(email);
      expect(error.actual).toBe(email);
    }
    const typ = await expectRejection(verifier.verify(token(claims(), { alg: 'ES256', typ: email, kid: KID })), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(typ.message).not.toContain(email);
  });

  it('accepts any subject by default', async () => {
    await expect(createVerifier(base).verify(token(claims({ sub: 'anyone' })))).resolves.toMatchObject({ payload: { sub: 'anyone' } });
  });

  it('compares typ case-insensitively, with or without the application/ prefix', async () => {
    const verifier = createVerifier({ ...base, typ: 'JWT' });
    for (const typ of ['JWT', 'jwt', 'Jwt', 'application/jwt', 'APPLICATION/JWT']) {
      await expect(verifier.verify(token(claims(), { alg: 'ES256', typ, kid: KID }))).resolves.toMatchObject({ header: { typ } });
    }
    const prefixed = createVerifier({ ...base, typ: 'application/at+jwt' });
    await expect(prefixed.verify(token(claims(), { alg: 'ES256', typ: 'at+JWT', kid: KID }))).resolves.toMatchObject({ key: KID });
  });

  it('rejects another typ, a missing typ and a non-string typ when typ is set', async () => {
    const verifier = createVerifier({ ...base, typ: 'at+jwt' });
    for (const typ of ['JWT', 'application/jwt', 'at+jwt2', 42]) {
      const error = await expectRejection(verifier.verify(token(claims(), { alg: 'ES256', typ, kid: KID })), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
      expect(error).toMatchObject({ claim: 'typ', expected: 'at+jwt' });
    }
    await expectRejection(verifier.verify(token(claims(), { alg: 'ES256', kid: KID })), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
  });

  it('does not check typ by default', async () => {
    await expect(createVerifier(base).verify(token(claims(), { alg: 'ES256', typ: 'anything', kid: KID }))).resolves.toMatchObject({ key: KID });
  });
});

describe('requiredClaims', () => {
  it('requires exp by default', async () => {
    const error = await expectRejection(createVerifier(base).verify(token(claims({ exp: undefined }))), JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('exp');
  });

  it('accepts a token without exp when requiredClaims is empty', async () => {
    await expect(createVerifier({ ...base, requiredClaims: [] }).verify(token(claims({ exp: undefined })))).resolves.toMatchObject({ key: KID });
  });

  it('requires every listed claim, including a null-valued claim counting as present', async () => {
    const verifier = createVerifier({ ...base, requiredClaims: ['exp', 'jti', 'scope'] });
    const error = await expectRejection(verifier.verify(token(claims({ jti: 'id-1' }))), JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('scope');
    await expect(verifier.verify(token(claims({ jti: 'id-1', scope: null })))).resolves.toMatchObject({ payload: { scope: null } });
  });

  it('does not count inherited object members (toString, constructor) as present claims', async () => {
    const verifier = createVerifier({ ...base, requiredClaims: ['toString', 'constructor', '__proto__'] });
    const error = await expectRejection(verifier.verify(token()), JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('toString');
  });

  it('rejects exp, nbf or iat that are not numbers', async () => {
    const verifier = createVerifier(base);
    for (const [claim, value] of [['exp', 'tomorrow'], ['nbf', null], ['iat', [NOW]], ['exp', true]] as const) {
      const error = await expectRejection(verifier.verify(token(claims({ [claim]: value }))), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
      expect(error.claim).toBe(claim);
    }
  });
});

describe('time claims', () => {
  it('treats exp as exclusive and extends it by clockToleranceSeconds', async () => {
    const strict = createVerifier(base);
    await expect(strict.verify(token(claims({ exp: NOW + 1 })))).resolves.toMatchObject({ key: KID });
    const expired = await expectRejection(strict.verify(token(claims({ exp: NOW }))), JwtExpiredError, 'ERR_JWT_EXPIRED');
    expect(expired).toMatchObject({ claim: 'exp', actual: NOW, status: 401 });
    const tolerant = createVerifier({ ...base, clockToleranceSeconds: 30 });
    await expect(tolerant.verify(token(claims({ exp: NOW - 29 })))).resolves.toMatchObject({ key: KID });
    await expectRejection(tolerant.verify(token(claims({ exp: NOW - 30 }))), JwtExpiredError, 'ERR_JWT_EXPIRED');
  });

  it('accepts nbf up to now plus the tolerance', async () => {
    await expect(createVerifier(base).verify(token(claims({ nbf: NOW })))).resolves.toMatchObject({ key: KID });
    await expectRejection(createVerifier(base).verify(token(claims({ nbf: NOW + 1 }))), JwtNotYetValidError, 'ERR_JWT_NOT_YET_VALID');
    const tolerant = createVerifier({ ...base, clockToleranceSeconds: 30 });
    await expect(tolerant.verify(token(claims({ nbf: NOW + 30 })))).resolves.toMatchObject({ key: KID });
    const error = await expectRejection(tolerant.verify(token(claims({ nbf: NOW + 31 }))), JwtNotYetValidError, 'ERR_JWT_NOT_YET_VALID');
    expect(error).toMatchObject({ claim: 'nbf', actual: NOW + 31 });
  });

  it('accepts iat up to now plus the tolerance', async () => {
    await expectRejection(createVerifier(base).verify(token(claims({ iat: NOW + 1 }))), JwtIssuedInFutureError, 'ERR_JWT_ISSUED_IN_FUTURE');
    const tolerant = createVerifier({ ...base, clockToleranceSeconds: 30 });
    await expect(tolerant.verify(token(claims({ iat: NOW + 30 })))).resolves.toMatchObject({ key: KID });
    const error = await expectRejection(tolerant.verify(token(claims({ iat: NOW + 31 }))), JwtIssuedInFutureError, 'ERR_JWT_ISSUED_IN_FUTURE');
    expect(error).toMatchObject({ claim: 'iat', actual: NOW + 31 });
  });

  it('rejects tokens older than maxTokenAgeSeconds by iat, with the tolerance', async () => {
    const verifier = createVerifier({ ...base, maxTokenAgeSeconds: 3600 });
    await expect(verifier.verify(token(claims({ iat: NOW - 3600 })))).resolves.toMatchObject({ key: KID });
    const error = await expectRejection(verifier.verify(token(claims({ iat: NOW - 3601 }))), JwtTooOldError, 'ERR_JWT_TOO_OLD');
    expect(error).toMatchObject({ claim: 'iat', expected: 3600, actual: NOW - 3601 });
    const tolerant = createVerifier({ ...base, maxTokenAgeSeconds: 3600, clockToleranceSeconds: 10 });
    await expect(tolerant.verify(token(claims({ iat: NOW - 3610 })))).resolves.toMatchObject({ key: KID });
    await expectRejection(tolerant.verify(token(claims({ iat: NOW - 3611 }))), JwtTooOldError, 'ERR_JWT_TOO_OLD');
  });

  it('requires iat when maxTokenAgeSeconds is set', async () => {
    const error = await expectRejection(createVerifier({ ...base, maxTokenAgeSeconds: 60 }).verify(token(claims({ iat: undefined }))), JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('iat');
  });

  it('reads the injected clock on every call', async () => {
    let now = NOW;
    const verifier = createVerifier({ ...base, nowMs: () => now * 1000 });
    const t = token(claims({ nbf: NOW + 100, exp: NOW + 200 }));
    await expectRejection(verifier.verify(t), JwtNotYetValidError, 'ERR_JWT_NOT_YET_VALID');
    now = NOW + 150;
    await expect(verifier.verify(t)).resolves.toMatchObject({ key: KID });
    now = NOW + 200;
    await expectRejection(verifier.verify(t), JwtExpiredError, 'ERR_JWT_EXPIRED');
  });

  it('lets a call override the tolerance and the maximum age', async () => {
    const verifier = createVerifier(base);
    const late = token(claims({ exp: NOW - 5 }));
    await expectRejection(verifier.verify(late), JwtExpiredError, 'ERR_JWT_EXPIRED');
    await expect(verifier.verify(late, { clockToleranceSeconds: 10 })).resolves.toMatchObject({ key: KID });
    await expectRejection(verifier.verify(token(), { maxTokenAgeSeconds: 5 }), JwtTooOldError, 'ERR_JWT_TOO_OLD');
  });
});

describe('maxTokenLifetimeSeconds', () => {
  const DAY = 86_400;

  it('defaults to 24 hours of exp − iat: a token of exactly a day verifies, one second more is refused', async () => {
    const verifier = createVerifier(base);
    await expect(verifier.verify(token(claims({ iat: NOW - 10, exp: NOW - 10 + DAY })))).resolves.toMatchObject({ key: KID });
    const error = await expectRejection(verifier.verify(token(claims({ iat: NOW - 10, exp: NOW - 10 + DAY + 1 }))), JwtLifetimeTooLongError, 'ERR_JWT_LIFETIME_TOO_LONG');
    expect(error).toMatchObject({ claim: 'exp', expected: DAY, actual: NOW - 10 + DAY + 1, status: 401, family: 'claims' });
    expect(error.message).toContain('maxTokenLifetimeSeconds');
  });

  it('refuses an exp in the year 9999 and an exp of 1e308, which verified before the cap', async () => {
    const verifier = createVerifier(base);
    for (const exp of [253_402_300_799, 1e308]) {
      const error = await expectRejection(verifier.verify(token(claims({ exp }))), JwtLifetimeTooLongError, 'ERR_JWT_LIFETIME_TOO_LONG');
      expect(error).toMatchObject({ claim: 'exp', actual: exp });
    }
  });

  it('caps exp − iat even for a token that is close to its exp now (the issuer gave it too long a life)', async () => {
    const verifier = createVerifier({ ...base, maxTokenLifetimeSeconds: 3600 });
    await expectRejection(verifier.verify(token(claims({ iat: NOW - 7000, exp: NOW + 60 }))), JwtLifetimeTooLongError, 'ERR_JWT_LIFETIME_TOO_LONG');
  });

  it('without iat, caps exp − now, extended by clockToleranceSeconds', async () => {
    const verifier = createVerifier({ ...base, maxTokenLifetimeSeconds: 3600 });
    await expect(verifier.verify(token(claims({ iat: undefined, exp: NOW + 3600 })))).resolves.toMatchObject({ key: KID });
    const error = await expectRejection(verifier.verify(token(claims({ iat: undefined, exp: NOW + 3601 }))), JwtLifetimeTooLongError, 'ERR_JWT_LIFETIME_TOO_LONG');
    expect(error).toMatchObject({ claim: 'exp', expected: 3600, actual: NOW + 3601 });
    expect(error.message).toContain('no iat');
    const tolerant = createVerifier({ ...base, maxTokenLifetimeSeconds: 3600, clockToleranceSeconds: 30 });
    await expect(tolerant.verify(token(claims({ iat: undefined, exp: NOW + 3630 })))).resolves.toMatchObject({ key: KID });
    await expectRejection(tolerant.verify(token(claims({ iat: undefined, exp: NOW + 3631 }))), JwtLifetimeTooLongError, 'ERR_JWT_LIFETIME_TOO_LONG');
  });

  it('accepts tokens of any lifetime with an explicit null', async () => {
    const verifier = createVerifier({ ...base, maxTokenLifetimeSeconds: null });
    await expect(verifier.verify(token(claims({ exp: 253_402_300_799 })))).resolves.toMatchObject({ payload: { exp: 253_402_300_799 } });
    await expect(verifier.verify(token(claims({ iat: undefined, exp: 1e308 })))).resolves.toMatchObject({ key: KID });
  });

  it('leaves a token without exp to requiredClaims', async () => {
    const verifier = createVerifier({ ...base, requiredClaims: [], maxTokenLifetimeSeconds: 60 });
    await expect(verifier.verify(token(claims({ exp: undefined })))).resolves.toMatchObject({ key: KID });
    await expectRejection(createVerifier(base).verify(token(claims({ exp: undefined }))), JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING');
  });

  it('lets a call lower the cap or lift it with null; a call that leaves it out keeps the verifier cap', async () => {
    const verifier = createVerifier(base);
    const week = token(claims({ exp: NOW + 7 * DAY }));
    await expectRejection(verifier.verify(week), JwtLifetimeTooLongError, 'ERR_JWT_LIFETIME_TOO_LONG');
    await expectRejection(verifier.verify(week, { clockToleranceSeconds: 5 }), JwtLifetimeTooLongError, 'ERR_JWT_LIFETIME_TOO_LONG');
    await expect(verifier.verify(week, { maxTokenLifetimeSeconds: null })).resolves.toMatchObject({ key: KID });
    await expectRejection(verifier.verify(token(), { maxTokenLifetimeSeconds: 60 }), JwtLifetimeTooLongError, 'ERR_JWT_LIFETIME_TOO_LONG');
    const lifted = createVerifier({ ...base, maxTokenLifetimeSeconds: null });
    await expect(lifted.verify(week, { clockToleranceSeconds: 5 })).resolves.toMatchObject({ key: KID });
  });

  it('refuses an invalid per-call cap with a VerifierConfigError', async () => {
    for (const maxTokenLifetimeSeconds of [0, -1, Number.NaN]) {
      await expectRejection(createVerifier(base).verify(token(), { maxTokenLifetimeSeconds }), VerifierConfigError, 'ERR_CONFIG_INVALID');
    }
  });
});

describe('validate hook', () => {
  it('runs a sync hook with the frozen payload and header', async () => {
    const seen: unknown[] = [];
    const verifier = createVerifier({
      ...base,
      validate: (payload, header) => {
        seen.push(payload.sub, header.kid, Object.isFrozen(payload), Object.isFrozen(header));
      },
    });
    await verifier.verify(token());
    expect(seen).toEqual(['user-1', KID, true, true]);
  });

  it('awaits an async hook', async () => {
    let done = false;
    const verifier = createVerifier({
      ...base,
      validate: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        done = true;
      },
    });
    await verifier.verify(token());
    expect(done).toBe(true);
  });

  it('turns a plain Error thrown by a sync hook into ERR_JWT_CLAIM_INVALID with the error as cause', async () => {
    const cause = new Error('scope missing');
    const verifier = createVerifier({
      ...base,
      validate: () => {
        throw cause;
      },
    });
    const error = await expectRejection(verifier.verify(token()), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.claim).toBe('validate');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('scope missing');
  });

  it('turns a rejection of an async hook into ERR_JWT_CLAIM_INVALID with the error as cause', async () => {
    const cause = new Error('revoked');
    const verifier = createVerifier({ ...base, validate: () => Promise.reject(cause) });
    const error = await expectRejection(verifier.verify(token()), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.cause).toBe(cause);
  });

  it('wraps a thrown non-Error value too', async () => {
    const verifier = createVerifier({
      ...base,
      validate: () => {
        throw 'nope';
      },
    });
    const error = await expectRejection(verifier.verify(token()), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.cause).toBe('nope');
  });

  it('passes a KmsJwtError thrown by the hook through unchanged, sync or async', async () => {
    const own = new KidUntrustedError('this key is retired for this tenant');
    const sync = createVerifier({
      ...base,
      validate: () => {
        throw own;
      },
    });
    expect(await expectRejection(sync.verify(token()), KidUntrustedError, 'ERR_KID_UNTRUSTED')).toBe(own);
    const async = createVerifier({ ...base, validate: async () => Promise.reject(own) });
    expect(await expectRejection(async.verify(token()), KidUntrustedError, 'ERR_KID_UNTRUSTED')).toBe(own);
  });

  it('does not run the hook for a token that already failed a built-in check', async () => {
    let calls = 0;
    const verifier = createVerifier({
      ...base,
      validate: () => {
        calls += 1;
      },
    });
    await expectRejection(verifier.verify(token(claims({ exp: NOW - 1 }))), JwtExpiredError, 'ERR_JWT_EXPIRED');
    await expectRejection(verifier.verify(signToken('ES256', keyPairFor('ES256').privateKey, claims())), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    expect(calls).toBe(0);
  });

  it('lets a call replace the hook', async () => {
    const verifier = createVerifier({
      ...base,
      validate: () => {
        throw new Error('base hook');
      },
    });
    await expect(verifier.verify(token(), { validate: () => undefined })).resolves.toMatchObject({ key: KID });
  });
});

describe('algorithms', () => {
  const rsaKeys: StaticKey[] = [{ kid: KID, key: rsa.publicKey }];

  it('allows every RS and PS algorithm on an RSA key by default', async () => {
    const verifier = createVerifier({ ...base, keys: rsaKeys });
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const) {
      await expect(verifier.verify(signToken(alg, rsa.privateKey, claims()))).resolves.toMatchObject({ header: { alg } });
    }
  });

  it('intersects the verifier allowlist with each key algorithms', async () => {
    const verifier = createVerifier({ ...base, keys: rsaKeys, algorithms: ['PS256', 'ES256'] });
    await expect(verifier.verify(signToken('PS256', rsa.privateKey, claims()))).resolves.toMatchObject({ header: { alg: 'PS256' } });
    const error = await expectRejection(verifier.verify(signToken('RS256', rsa.privateKey, claims())), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
    expect(error.message).toContain('allowed: PS256');
    await expectRejection(verifier.verify(signToken('PS384', rsa.privateKey, claims())), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
  });

  it('lets a call narrow the algorithms', async () => {
    const verifier = createVerifier({ ...base, keys: rsaKeys });
    await expectRejection(verifier.verify(signToken('RS256', rsa.privateKey, claims()), { algorithms: ['PS256'] }), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
  });

  it('narrows one static key with its own algorithms, and refuses algorithms its type cannot verify', async () => {
    const verifier = createVerifier({ ...base, keys: [{ kid: KID, key: rsa.publicKey, algorithms: ['RS512'] }] });
    await expect(verifier.verify(signToken('RS512', rsa.privateKey, claims()))).resolves.toMatchObject({ key: KID });
    await expectRejection(verifier.verify(signToken('RS256', rsa.privateKey, claims())), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
    expectConfigError(() => createVerifier({ ...base, keys: [{ kid: KID, key: ec.publicKey, algorithms: ['ES384'] }] }));
    expectConfigError(() => createVerifier({ ...base, keys: [{ kid: KID, key: rsa.publicKey, algorithms: [] }] }));
  });
});

describe('every JWS algorithm a KMS key produces, end to end', () => {
  const SIGNATURE_BYTES: Partial<Record<JwsAlgorithm, number>> = { ES256: 64, ES256K: 64, ES384: 96, ES512: 132, EdDSA: 64, RS256: 256, PS512: 256 };

  // One trusted and one foreign key pair per key type, shared by the algorithms of that type.
  const pairs = new Map<string, { trusted: KeyPair; foreign: KeyPair }>();
  const pairsFor = (alg: JwsAlgorithm): { trusted: KeyPair; foreign: KeyPair } => {
    const type = /^(RS|PS)/.test(alg) ? 'rsa' : alg;
    let found = pairs.get(type);
    if (!found) {
      found = { trusted: keyPairFor(alg), foreign: keyPairFor(alg) };
      pairs.set(type, found);
    }
    return found;
  };

  for (const alg of JWS_ALGORITHMS) {
    for (const mode of ['sync', 'threadpool'] as const) {
      it(`verifies ${alg} signed by node:crypto (${mode})`, async () => {
        const { trusted: pair, foreign: other } = pairsFor(alg);
        const verifier = createVerifier({ ...base, keys: [{ kid: KID, key: pair.publicKey }], signatureVerification: mode });
        const signed = signToken(alg, pair.privateKey, claims(), { alg, typ: 'JWT', kid: KID });
        const expectedBytes = SIGNATURE_BYTES[alg];
        if (expectedBytes !== undefined) expect(Buffer.from(signed.split('.')[2] ?? '', 'base64url')).toHaveLength(expectedBytes);
        const result = await verifier.verify(signed);
        expect(result).toMatchObject({ key: KID, header: { alg }, payload: { sub: 'user-1' } });
        await expectRejection(verifier.verify(signToken(alg, other.privateKey, claims(), { alg, kid: KID })), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
      });
    }
  }

  it('derives one algorithm per curve: a P-384 key verifies ES384 only', async () => {
    const pair = keyPairFor('ES384');
    const verifier = createVerifier({ ...base, keys: [{ kid: KID, key: pair.publicKey }] });
    await expectRejection(verifier.verify(signToken('ES512', keyPairFor('ES512').privateKey, claims(), { alg: 'ES512', kid: KID })), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
  });

  it('allows only PS algorithms on an RSA-PSS key', async () => {
    const pair = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const verifier = createVerifier({ ...base, keys: [{ kid: KID, key: pair.publicKey }] });
    await expect(verifier.verify(signToken('PS256', pair.privateKey, claims(), { alg: 'PS256', kid: KID }))).resolves.toMatchObject({ key: KID });
    await expectRejection(verifier.verify(signToken('PS256', pair.privateKey, claims(), { alg: 'RS256', kid: KID })), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
  });

  it('rejects a PS256 signature made with a salt other than the digest length', async () => {
    const verifier = createVerifier({ ...base, keys: [{ kid: KID, key: rsa.publicKey }] });
    const input = `${encode({ alg: 'PS256', kid: KID })}.${encode(claims())}`;
    const signature = sign('sha256', Buffer.from(input), { key: rsa.privateKey, padding: 6, saltLength: 0 });
    await expectRejection(verifier.verify(`${input}.${b64(signature)}`), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
  });
});

describe('acceptDerSignatures', () => {
  const derToken = (alg: 'ES256' | 'ES384' | 'ES512', privateKey: KeyObject): string => {
    const input = `${encode({ alg, kid: KID })}.${encode(claims())}`;
    const hash = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }[alg];
    return `${input}.${b64(sign(hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'der' }))}`;
  };

  for (const alg of ['ES256', 'ES384', 'ES512'] as const) {
    it(`accepts a strict-DER ${alg} signature only when opted in`, async () => {
      const pair = keyPairFor(alg);
      const keys = [{ kid: KID, key: pair.publicKey }];
      const signed = derToken(alg, pair.privateKey);
      await expectRejection(createVerifier({ ...base, keys }).verify(signed), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
      const legacy = createVerifier({ ...base, keys, acceptDerSignatures: true });
      await expect(legacy.verify(signed)).resolves.toMatchObject({ key: KID });
      // R‖S stays accepted with the opt-in.
      await expect(legacy.verify(signToken(alg, pair.privateKey, claims(), { alg, kid: KID }))).resolves.toMatchObject({ key: KID });
    });
  }

  it('says the signature looks DER-encoded without echoing it', async () => {
    const signed = derToken('ES256', ec.privateKey);
    const error = await expectRejection(createVerifier(base).verify(signed), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID', signed);
    expect(error.message).toContain('acceptDerSignatures');
  });
});

describe('maxTokenBytes', () => {
  it('accepts a token of exactly maxTokenBytes and rejects one byte longer', async () => {
    const signed = token();
    await expect(createVerifier({ ...base, maxTokenBytes: signed.length }).verify(signed)).resolves.toMatchObject({ key: KID });
    const error = await expectRejection(createVerifier({ ...base, maxTokenBytes: signed.length - 1 }).verify(signed), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE');
    expect(error.status).toBe(401);
  });

  it('defaults to 8 KiB: a signed token of 8192 bytes verifies, one of 8193 bytes is refused', async () => {
    /** A validly signed token of exactly `length` characters, by padding a claim and varying typ. */
    const tokenOfLength = (length: number): string => {
      for (const typ of ['JWT', 'at+jwt', 'JWT2']) {
        const header = { alg: 'ES256', typ, kid: KID };
        const bare = token(claims({ pad: '' }), header).length;
        for (let pad = Math.max(0, Math.floor(((length - bare) * 3) / 4) - 3); pad < Math.floor(((length - bare) * 3) / 4) + 3; pad++) {
          const candidate = token(claims({ pad: 'x'.repeat(pad) }), header);
          if (candidate.length === length) return candidate;
        }
      }
      throw new Error(`no token of length ${length}`);
    };
    const verifier = createVerifier(base);
    await expect(verifier.verify(tokenOfLength(8192))).resolves.toMatchObject({ key: KID });
    await expectRejection(verifier.verify(tokenOfLength(8193)), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE');
  });
});

describe('static keys', () => {
  const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const jwk = ec.publicKey.export({ format: 'jwk' });

  for (const [form, key] of [
    ['an SPKI PEM string', pem],
    ['a public JWK', jwk],
    ['a KeyObject', ec.publicKey],
  ] as const) {
    it(`verifies with a key given as ${form}`, async () => {
      await expect(createVerifier({ ...base, keys: [{ kid: KID, key }] }).verify(token())).resolves.toMatchObject({ key: KID });
    });
  }

  it('rejects a kid that is not among the static keys', async () => {
    await expectRejection(createVerifier(base).verify(token(claims(), { alg: 'ES256', kid: OTHER_KID })), KidUntrustedError, 'ERR_KID_UNTRUSTED');
  });

  it('rejects private keys, symmetric keys, short RSA keys and curves KMS does not sign with at construction', () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const wrong: { name: string; key: StaticKey['key']; message: RegExp }[] = [
      { name: 'PKCS#8 PEM', key: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), message: /private key/ },
      { name: 'SEC1 PEM', key: ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString(), message: /private key/ },
      { name: 'PKCS#1 RSA PEM', key: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), message: /private key/ },
      { name: 'private JWK', key: ec.privateKey.export({ format: 'jwk' }), message: /private key/ },
      { name: 'private KeyObject', key: ec.privateKey, message: /private key/ },
      { name: 'oct JWK', key: { kty: 'oct', k: b64('secret-secret-secret') }, message: /symmetric/ },
      { name: 'secret KeyObject', key: createSecretKey(Buffer.from('secret-secret-secret')), message: /secret key/ },
      { name: 'RSA-1024', key: rsa1024.publicKey, message: /1024 bits is shorter than 2048/ },
      { name: 'P-192', key: generateKeyPairSync('ec', { namedCurve: 'prime192v1' }).publicKey, message: /prime192v1/ },
      { name: 'Ed448', key: generateKeyPairSync('ed448').publicKey, message: /ed448/ },
      { name: 'X25519', key: generateKeyPairSync('x25519').publicKey, message: /x25519/ },
      { name: 'garbage PEM', key: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', message: /not a valid public key/ },
      { name: 'JWK of an unknown kty', key: { kty: 'XYZ' }, message: /not a valid public key/ },
    ];
    for (const { name, key, message } of wrong) {
      const error = expectConfigError(() => createVerifier({ ...base, keys: [{ kid: KID, key }] }));
      expect(error.message, name).toMatch(message);
      expect(error.message, name).not.toContain('-----BEGIN');
    }
  });

  it('rejects an empty kid and a kid listed twice at construction', () => {
    expectConfigError(() => createVerifier({ ...base, keys: [{ kid: '', key: ec.publicKey }] }));
    expectConfigError(() => createVerifier({ ...base, keys: [{ kid: KID, key: ec.publicKey }, { kid: KID, key: rsa.publicKey }] }));
  });
});

describe('keysFromJwks', () => {
  const ecJwk = (): JsonWebKey => ({ ...ec.publicKey.export({ format: 'jwk' }), kid: KID });
  const rsaJwk = (extra: JsonWebKey = {}): JsonWebKey => ({ ...rsa.publicKey.export({ format: 'jwk' }), kid: OTHER_KID, ...extra });

  it('turns every signing key of a JWKS into a trusted key named by its kid', async () => {
    const verifier = createVerifier({ ...base, keys: keysFromJwks({ keys: [ecJwk(), rsaJwk({ use: 'sig' })] }) });
    await expect(verifier.verify(token())).resolves.toMatchObject({ key: KID });
    await expect(verifier.verify(signToken('RS256', rsa.privateKey, claims(), { alg: 'RS256', kid: OTHER_KID }))).resolves.toMatchObject({ key: OTHER_KID });
  });

  it('skips keys marked use enc', async () => {
    const keys = keysFromJwks({ keys: [ecJwk(), rsaJwk({ use: 'enc' })] });
    expect(keys.map((k) => k.kid)).toEqual([KID]);
    await expectRejection(
      createVerifier({ ...base, keys }).verify(signToken('RS256', rsa.privateKey, claims(), { alg: 'RS256', kid: OTHER_KID })),
      KidUntrustedError,
      'ERR_KID_UNTRUSTED',
    );
  });

  it('narrows a key to its JWK alg', async () => {
    const verifier = createVerifier({ ...base, keys: keysFromJwks({ keys: [rsaJwk({ alg: 'PS256' })] }) });
    await expect(verifier.verify(signToken('PS256', rsa.privateKey, claims(), { alg: 'PS256', kid: OTHER_KID }))).resolves.toMatchObject({ key: OTHER_KID });
    await expectRejection(verifier.verify(signToken('RS256', rsa.privateKey, claims(), { alg: 'RS256', kid: OTHER_KID })), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
  });

  it('requires a kid on every key, naming the key by its position in the set', () => {
    const error = expectConfigError(() => keysFromJwks({ keys: [rsaJwk({ use: 'enc' }), { ...ecJwk(), kid: undefined }] }));
    expect(error.message).toContain('JWKS key 1 has no kid');
    expectConfigError(() => keysFromJwks({ keys: [{ ...ecJwk(), kid: '' }] }));
  });

  it('refuses a JWK alg no KMS key produces, a JWKS without keys, and JWKS private or symmetric keys', () => {
    expectConfigError(() => keysFromJwks({ keys: [rsaJwk({ alg: 'HS256' })] }));
    expectConfigError(() => keysFromJwks(untypedJwks({ keys: 'none' })));
    expectConfigError(() => keysFromJwks(untypedJwks(null)));
    expectConfigError(() => createVerifier({ ...base, keys: keysFromJwks({ keys: [{ ...ec.privateKey.export({ format: 'jwk' }), kid: KID }] }) }));
    expectConfigError(() => createVerifier({ ...base, keys: keysFromJwks({ keys: [{ kty: 'oct', k: b64('k'), kid: KID }] }) }));
    expectConfigError(() => createVerifier({ ...base, keys: keysFromJwks({ keys: [{ ...ecJwk(), alg: 'RS256' }] }) }));
  });
});

function untypedJwks(value: unknown): Parameters<typeof keysFromJwks>[0] {
  return value as Parameters<typeof keysFromJwks>[0];
}

describe('KeyResolver', () => {
  const trusted: TrustedKey = Object.freeze({ id: 'arn:aws:kms:us-east-1:111122223333:key/resolved', publicKey: ec.publicKey, algorithms: ['ES256'] as const });

  it('accepts a key resolved by a promise and reports the resolved key id', async () => {
    const keys: KeyResolver = { resolve: async (kid) => (kid === KID ? trusted : undefined) };
    await expect(createVerifier({ ...base, keys }).verify(token())).resolves.toMatchObject({ key: trusted.id });
  });

  it('rejects a kid the resolver does not trust, sync or async, with ERR_KID_UNTRUSTED', async () => {
    for (const keys of [{ resolve: () => undefined }, { resolve: async () => undefined }] satisfies KeyResolver[]) {
      const error = await expectRejection(createVerifier({ ...base, keys }).verify(token()), KidUntrustedError, 'ERR_KID_UNTRUSTED');
      expect(error.status).toBe(401);
    }
  });

  it('answers 503 when the resolver throws or rejects with a plain error', async () => {
    const cause = new Error('ECONNREFUSED');
    const resolvers: KeyResolver[] = [
      {
        resolve: () => {
          throw cause;
        },
      },
      { resolve: () => Promise.reject(cause) },
    ];
    for (const keys of resolvers) {
      const error = await expectRejection(createVerifier({ ...base, keys }).verify(token()), KeySourceUnavailableError, 'ERR_KEY_SOURCE_UNAVAILABLE');
      expect(error).toMatchObject({ status: 503, family: 'infrastructure' });
      expect(error.cause).toBe(cause);
      expect(error.message).not.toContain('ECONNREFUSED');
    }
  });

  it('passes a KeySourceUnavailableError from the resolver through unchanged', async () => {
    const own = new KeySourceUnavailableError('KMS GetPublicKey throttled');
    for (const keys of [
      {
        resolve: () => {
          throw own;
        },
      },
      { resolve: () => Promise.reject(own) },
    ] satisfies KeyResolver[]) {
      expect(await expectRejection(createVerifier({ ...base, keys }).verify(token()), KeySourceUnavailableError, 'ERR_KEY_SOURCE_UNAVAILABLE')).toBe(own);
    }
  });

  it('asks the resolver with the kid from the header', async () => {
    const asked: string[] = [];
    const keys: KeyResolver = {
      resolve: (kid) => {
        asked.push(kid);
        return trusted;
      },
    };
    await createVerifier({ ...base, keys }).verify(token());
    expect(asked).toEqual([KID]);
  });

  it('rejects with a KmsJwtError, never a TypeError, when a resolver returns something that is not a key', async () => {
    const broken = { id: 'x' } as unknown as TrustedKey;
    for (const keys of [{ resolve: () => broken }, { resolve: async () => broken }] satisfies KeyResolver[]) {
      for (const mode of ['sync', 'threadpool'] as const) {
        const error = await rejection(createVerifier({ ...base, keys, signatureVerification: mode }).verify(token()));
        expect(error).toBeInstanceOf(KmsJwtError);
        expect(error).toBeInstanceOf(JwtMalformedError);
        expect((error as JwtMalformedError).code).toBe('ERR_TOKEN_MALFORMED');
      }
    }
  });
});

describe('generic payload type', () => {
  interface OrderClaims {
    readonly scope: string;
    readonly orders: readonly number[];
  }

  it('types the payload as the claims given, from a type literal or an interface', async () => {
    const verifier = createVerifier(base);
    const literal = await verifier.verify<{ scope: string }>(token(claims({ scope: 'orders:read' })));
    const scope: string = literal.payload.scope;
    expect(scope).toBe('orders:read');
    const declared = await verifier.verify<OrderClaims>(token(claims({ scope: 'orders:write', orders: [1, 2] })));
    const orders: readonly number[] = declared.payload.orders;
    expect(orders).toEqual([1, 2]);
    // Registered claims stay typed alongside the custom ones.
    const exp: number | undefined = declared.payload.exp;
    expect(exp).toBe(NOW + 300);
  });
});
