import { describe, expect, it } from 'vitest';
import { ClaimsInvalidError, createKmsJwtSigner, type JwtClaims, type KmsJwtSignerOptions, type SignOptions } from '../src/index.js';
import { expectSignerError, unreachableClient } from './support.js';

// What `sign` refuses before any KMS call, and what each refusal tells the caller to fix. The
// signer's client points where nobody listens: a call that got through would fail as
// ERR_KMS_UNAVAILABLE instead of ERR_CLAIMS_INVALID.

const NOW_MS = 1_800_000_000_123;
const client = unreachableClient();

function signer(options: Partial<KmsJwtSignerOptions> = {}) {
  return createKmsJwtSigner({ keyId: 'alias/never-called', expiresInSeconds: 300, client, nowMs: () => NOW_MS, ...options });
}

describe('kms-jwt-signer claims: each refusal says what to fix', () => {
  const refusals: ReadonlyArray<readonly [string, unknown, SignOptions | undefined, string, string]> = [
    ['an iss that is a number', { iss: 5 }, undefined, 'iss', 'the iss claim must be a string'],
    ['a sub that is null', { sub: null }, undefined, 'sub', 'the sub claim must be a string'],
    ['a jti that is a boolean', { jti: true }, undefined, 'jti', 'the jti claim must be a string'],
    ['an empty aud', { aud: '' }, undefined, 'aud', 'the aud claim must be a non-empty string or a non-empty array of them'],
    ['an aud list holding an empty string', { aud: ['orders', ''] }, undefined, 'aud', 'the aud claim must be a non-empty string or a non-empty array of them'],
    ['an aud list holding an object with a length', { aud: [{ length: 3 }] }, undefined, 'aud', 'the aud claim must be a non-empty string or a non-empty array of them'],
    ['an aud that is an object', { aud: { 0: 'orders' } }, undefined, 'aud', 'the aud claim must be a non-empty string or a non-empty array of them'],
    ['an exp that is null', { exp: null }, undefined, 'exp', 'the exp claim must be a NumericDate: a finite number of seconds since the epoch'],
    ['an nbf that is -Infinity', { nbf: Number.NEGATIVE_INFINITY }, undefined, 'nbf', 'the nbf claim must be a NumericDate: a finite number of seconds since the epoch'],
    ['an iat that is a string', { iat: '1800000000' }, undefined, 'iat', 'the iat claim must be a NumericDate: a finite number of seconds since the epoch'],
    ['claims that are a Map', new Map([['sub', 'user-1']]), undefined, 'claims', 'claims must be a plain object of JWT claims'],
    ['sign options that are an array', {}, [] as unknown as SignOptions, 'options', 'sign options must be a plain object'],
    ['sign options that are null', {}, null as unknown as SignOptions, 'options', 'sign options must be a plain object'],
    ['a call expiresInSeconds of 0', {}, { expiresInSeconds: 0 }, 'expiresInSeconds', 'expiresInSeconds must be a whole number of seconds >= 1, or null'],
    ['a call expiresInSeconds as a string', {}, { expiresInSeconds: '60' as unknown as number }, 'expiresInSeconds', 'expiresInSeconds must be a whole number of seconds >= 1, or null'],
    ['a call notBeforeSeconds of NaN', {}, { notBeforeSeconds: Number.NaN }, 'notBeforeSeconds', 'notBeforeSeconds must be a whole number of seconds'],
    ['a call header that sets typ', {}, { header: { typ: 'JWT' } }, 'header.typ', 'typ cannot be given: typ is set by the typ option'],
    ['a call header that sets b64', {}, { header: { b64: true } }, 'header.b64', 'b64 cannot be given: the payload is always base64url-encoded (RFC 7515), so b64 cannot be set'],
    ['a call header that sets alg', {}, { header: { alg: 'none' } }, 'header.alg', 'alg cannot be given: alg is set from the key spec (and the algorithm option)'],
    ['a call header that sets kid', {}, { header: { kid: 'x' } }, 'header.kid', 'kid cannot be given: kid is always the ARN of the key that signed'],
    ['a call header that is an array', {}, { header: ['x5t'] as unknown as Record<string, unknown> }, 'header', 'extra header parameters must be a plain object'],
    ['a call header holding a BigInt', {}, { header: { n: 1n } }, 'header', 'extra header parameters must be JSON-serializable'],
    ['exp both in the claims and as expiresInSeconds', { exp: 1 }, { expiresInSeconds: 60 }, 'exp', 'give exp either in the claims or as expiresInSeconds, not both'],
    ['exp in the claims and expiresInSeconds null for the call', { exp: 1 }, { expiresInSeconds: null }, 'exp', 'give exp either in the claims or as expiresInSeconds, not both'],
    ['nbf both in the claims and as notBeforeSeconds', { nbf: 1 }, { notBeforeSeconds: 0 }, 'nbf', 'give nbf either in the claims or as notBeforeSeconds, not both'],
    ['a claim holding a BigInt', { balance: 10n }, undefined, 'claims', 'the claims must be JSON-serializable (no BigInt, no cycles)'],
    ['claims whose toJSON makes an array', { toJSON: () => ['sub'] }, undefined, 'claims', 'the claims must serialize to a JSON object'],
    ['claims whose toJSON makes nothing', { toJSON: () => undefined }, undefined, 'claims', 'the claims must serialize to a JSON object'],
  ];

  it.each(refusals)('refuses %s with ERR_CLAIMS_INVALID naming it', async (_name, claims, options, claim, message) => {
    const error = await expectSignerError(signer().sign(claims as JwtClaims, options), ClaimsInvalidError, 'ERR_CLAIMS_INVALID');
    expect(error.claim).toBe(claim);
    expect(error.message).toBe(message);
    expect(error.retryable).toBe(false);
    expect(error.keyId).toBeUndefined();
  });

  it('keeps the serializer error of claims that are not JSON as the cause, and none for a type check', async () => {
    const cyclic: Record<string, unknown> = { sub: 'user-1' };
    cyclic['self'] = cyclic;
    const error = await expectSignerError(signer().sign(cyclic), ClaimsInvalidError, 'ERR_CLAIMS_INVALID');
    expect(error.cause).toBeInstanceOf(TypeError);
    const typed = await expectSignerError(signer().sign({ iss: 5 } as unknown as JwtClaims), ClaimsInvalidError, 'ERR_CLAIMS_INVALID');
    expect(typed.cause).toBeUndefined();
    expect('cause' in typed).toBe(false);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '1800000000123'],
  ])('refuses a nowMs() that returns %s, naming iat', async (_name, value) => {
    const error = await expectSignerError(signer({ nowMs: () => value as number }).sign({}), ClaimsInvalidError, 'ERR_CLAIMS_INVALID');
    expect(error.claim).toBe('iat');
    expect(error.message).toBe('nowMs() must return a finite number of epoch milliseconds');
  });

  it.each([
    ['an empty string', ''],
    ['a number', 7],
    ['undefined', undefined],
  ])('refuses a jwtId function that returns %s, naming jti', async (_name, value) => {
    const error = await expectSignerError(signer({ jwtId: () => value as string }).sign({}), ClaimsInvalidError, 'ERR_CLAIMS_INVALID');
    expect(error.claim).toBe('jti');
    expect(error.message).toBe('the jwtId function must return a non-empty string');
  });

  it('takes claims made with Object.create(null) on to KMS', async () => {
    const claims = Object.assign(Object.create(null) as Record<string, unknown>, { sub: 'user-1' });
    await expect(signer().sign(claims)).rejects.toMatchObject({ code: 'ERR_KMS_UNAVAILABLE' });
  });

  it('does not call jwtId when the claims carry a jti', async () => {
    let calls = 0;
    const counting = signer({
      jwtId: () => {
        calls += 1;
        return '';
      },
    });
    // The jti of the claims is taken: the empty id jwtId would make is never asked for, so the call
    // goes on to KMS (which nobody answers here).
    await expect(counting.sign({ jti: 'given' })).rejects.toMatchObject({ code: 'ERR_KMS_UNAVAILABLE' });
    expect(calls).toBe(0);
  });
});
