import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toAllowlist } from '../src/jwks-allowlist.js';
import { checkJwk, keySpecOf, type JwkVerdict } from '../src/jwks-key-check.js';

// The rules of one remote JWKS entry at their edges (jwks-key-check.ts): what makes an entry a key
// to trust, and each reason it is ignored. No network: the entries are generated here.

const ACCOUNT = '111122223333';
const ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const allowlist = toAllowlist(undefined, [{ accountId: ACCOUNT, region: 'us-east-1' }]);

const ecJwk = (namedCurve = 'P-256'): JsonWebKey => generateKeyPairSync('ec', { namedCurve }).publicKey.export({ format: 'jwk' });
const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const rsaJwk = (): JsonWebKey => rsa2048.export({ format: 'jwk' });

function judge(entry: unknown, algorithms?: Parameters<typeof checkJwk>[2]): JwkVerdict {
  return checkJwk(entry, allowlist, algorithms);
}

/** The reason and message of an ignored entry (fails the test for a key). */
function refusal(entry: unknown, algorithms?: Parameters<typeof checkJwk>[2]): { kid: string | undefined; reason: string; message: string } {
  const verdict = judge(entry, algorithms);
  if (verdict.kind !== 'ignored') throw new Error(`expected the entry to be ignored, it was trusted with ${verdict.key.algorithms.join(', ')}`);
  return { kid: verdict.kid, reason: verdict.reason, message: verdict.message };
}

/** The algorithms of a trusted entry (fails the test for an ignored one). */
function trustedAlgorithms(entry: unknown, algorithms?: Parameters<typeof checkJwk>[2]): readonly string[] {
  const verdict = judge(entry, algorithms);
  if (verdict.kind !== 'key') throw new Error(`expected a trusted key, it was ignored: ${verdict.reason} (${verdict.message})`);
  return verdict.key.algorithms;
}

describe('checkJwk: entries that are not a JWK', () => {
  it.each([
    ['a string', 'arn:aws:kms'],
    ['null', null],
    ['a number', 7],
    ['an array holding a JWK', [{ ...ecJwk(), kid: ARN }]],
  ])('ignores %s as malformed, without a kid', (_name, entry) => {
    expect(refusal(entry)).toEqual({ kid: undefined, reason: 'malformed', message: 'the entry is not a JSON object (a JWK)' });
  });

  it.each([
    ['no kid', undefined],
    ['an empty kid', ''],
    ['a kid that is a number', 7],
  ])('ignores a key with %s as kid-missing, saying a KMS key is published under its key ARN', (_name, kid) => {
    expect(refusal({ ...ecJwk(), kid })).toEqual({ kid: undefined, reason: 'kid-missing', message: 'the key has no kid; a KMS key is published under its key ARN as kid' });
  });
});

describe('checkJwk: private and secret members', () => {
  it.each(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])('ignores a key carrying %s, naming the member and never its value', (member) => {
    const found = refusal({ ...ecJwk(), kid: ARN, [member]: 'c2VjcmV0LXZhbHVl' });
    expect(found).toEqual({
      kid: ARN,
      reason: 'private-key',
      message: `the key carries private or secret members (${member}): a JWKS must publish public keys only; tell the issuer, whose key is exposed`,
    });
    expect(found.message).not.toContain('c2VjcmV0LXZhbHVl');
  });

  it('names every private member it carries, before looking at the kid', () => {
    const rsaPrivate = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    expect(refusal(rsaPrivate)).toMatchObject({ kid: undefined, reason: 'private-key', message: expect.stringContaining('(d, p, q, dp, dq, qi)') });
  });

  it('ignores a member with an undefined value too (it is there)', () => {
    expect(refusal({ ...ecJwk(), kid: ARN, d: undefined }).reason).toBe('private-key');
  });
});

describe('checkJwk: the kid against the allowlist', () => {
  it('cuts a long kid to 256 characters in what it reports', () => {
    const kid = `alias/${'a'.repeat(300)}`;
    expect(refusal({ ...ecJwk(), kid }).kid).toBe(kid.slice(0, 256));
  });

  it('ignores a key ARN of another account as not-allowlisted, with the allowlist message', () => {
    expect(refusal({ ...ecJwk(), kid: ARN.replace(ACCOUNT, '999999999999') })).toMatchObject({ reason: 'not-allowlisted', message: expect.stringContaining('neither keyArns nor trust allows') });
  });
});

describe('checkJwk: use and key_ops', () => {
  it.each([
    ['use "enc"', { use: 'enc' }, 'use is "enc", not "sig"'],
    ['use null', { use: null }, 'use is null, not "sig"'],
    ['key_ops that is a string', { key_ops: 'verify' }, 'key_ops "verify" does not allow "verify" only'],
    ['key_ops without verify', { key_ops: ['sign'] }, 'key_ops ["sign"] does not allow "verify" only'],
    ['key_ops with encrypt beside verify', { key_ops: ['verify', 'encrypt'] }, 'key_ops ["verify","encrypt"] does not allow "verify" only'],
    ['empty key_ops', { key_ops: [] }, 'key_ops [] does not allow "verify" only'],
    ['key_ops null', { key_ops: null }, 'key_ops null does not allow "verify" only'],
  ])('ignores a key with %s as not-for-signing', (_name, members, message) => {
    expect(refusal({ ...ecJwk(), kid: ARN, ...members })).toEqual({ kid: ARN, reason: 'not-for-signing', message });
  });

  it('shows at most 40 characters of a use it refuses', () => {
    expect(refusal({ ...ecJwk(), kid: ARN, use: 'x'.repeat(100) }).message).toBe(`use is "${'x'.repeat(39)}, not "sig"`);
  });

  it.each([
    ['no use and no key_ops', {}],
    ['use "sig"', { use: 'sig' }],
    ['key_ops ["verify"]', { key_ops: ['verify'] }],
    ['key_ops ["sign", "verify"]', { key_ops: ['sign', 'verify'] }],
  ])('trusts a key with %s', (_name, members) => {
    expect(trustedAlgorithms({ ...ecJwk(), kid: ARN, ...members })).toEqual(['ES256']);
  });
});

describe('checkJwk: alg, key type and algorithms', () => {
  it.each([
    ['an HMAC alg', 'HS256', 'alg "HS256" is not one a KMS signing key produces'],
    ['alg none', 'none', 'alg "none" is not one a KMS signing key produces'],
    ['an alg that is not a string', 256, 'alg 256 is not one a KMS signing key produces'],
    ['an alg of null', null, 'alg null is not one a KMS signing key produces'],
  ])('ignores a key with %s as unusable', (_name, alg, message) => {
    expect(refusal({ ...ecJwk(), kid: ARN, alg })).toEqual({ kid: ARN, reason: 'unusable', message });
  });

  it('ignores an alg that does not fit the key spec, naming the spec and its algorithms', () => {
    expect(refusal({ ...rsaJwk(), kid: ARN, alg: 'ES256' })).toEqual({
      kid: ARN,
      reason: 'unusable',
      message: 'alg ES256 does not fit key spec RSA_2048 (RS256, RS384, RS512, PS256, PS384, PS512)',
    });
  });

  it('ignores a key the verifier cannot parse, with its message without the package prefix', () => {
    const found = refusal({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: ARN });
    expect(found.reason).toBe('unusable');
    expect(found.message).not.toMatch(/^kms-jwt-verifier: /);
    expect(found.message.length).toBeGreaterThan(0);
  });

  it.each([
    [1024, `keys[0] (kid ${ARN}): RSA key of 1024 bits is shorter than 2048`],
    [2560, 'an RSA key of 2560 bits is not a KMS key size (2048, 3072, 4096)'],
  ])('ignores an RSA key of %i bits (not a KMS key size) as unusable, saying why', (modulusLength, message) => {
    const entry = { ...generateKeyPairSync('rsa', { modulusLength }).publicKey.export({ format: 'jwk' }), kid: ARN };
    expect(refusal(entry)).toEqual({ kid: ARN, reason: 'unusable', message });
  });

  it('narrows a key to its alg, and to the algorithms option', () => {
    expect(trustedAlgorithms({ ...rsaJwk(), kid: ARN })).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    expect(trustedAlgorithms({ ...rsaJwk(), kid: ARN, alg: 'PS384' })).toEqual(['PS384']);
    expect(trustedAlgorithms({ ...rsaJwk(), kid: ARN }, ['PS256', 'ES256'])).toEqual(['PS256']);
    expect(trustedAlgorithms({ ...rsaJwk(), kid: ARN, alg: 'PS256' }, ['PS256', 'RS256'])).toEqual(['PS256']);
  });

  it('ignores a key whose alg the algorithms option does not allow, naming both', () => {
    expect(refusal({ ...rsaJwk(), kid: ARN, alg: 'RS256' }, ['PS256', 'PS384'])).toEqual({ kid: ARN, reason: 'unusable', message: 'alg RS256 is not allowed by the algorithms option (PS256, PS384)' });
  });

  it('ignores a key none of whose algorithms the option allows', () => {
    const found = refusal({ ...ecJwk(), kid: ARN }, ['RS256']);
    expect(found).toMatchObject({ kid: ARN, reason: 'unusable', message: expect.stringContaining('no JWS algorithm is left for key spec ECC_NIST_P256') });
  });

  it('trusts a key with what the provider needs: its ARN, spec, DER SPKI, public key and frozen algorithms', () => {
    const jwk = { ...ecJwk('P-384'), kid: ARN, alg: 'ES384', use: 'sig' };
    const verdict = judge(jwk);
    if (verdict.kind !== 'key') throw new Error(verdict.message);
    const { key } = verdict;
    expect(key).toMatchObject({ keyArn: ARN, keySpec: 'ECC_NIST_P384', algorithms: ['ES384'] });
    expect(Object.isFrozen(key.algorithms)).toBe(true);
    expect(key.publicKey.export({ format: 'jwk' })).toMatchObject({ x: jwk.x, y: jwk.y, crv: 'P-384' });
    expect(Buffer.from(key.spki).equals(key.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
  });
});

describe('keySpecOf', () => {
  it.each([
    ['P-256', 'ECC_NIST_P256'],
    ['P-384', 'ECC_NIST_P384'],
    ['P-521', 'ECC_NIST_P521'],
    ['secp256k1', 'ECC_SECG_P256K1'],
  ])('reads EC curve %s as %s', (namedCurve, spec) => {
    expect(keySpecOf(generateKeyPairSync('ec', { namedCurve }).publicKey)).toBe(spec);
  });

  it('reads RSA 2048, 3072 and 4096 keys, and Ed25519 keys', () => {
    expect(keySpecOf(rsa2048)).toBe('RSA_2048');
    expect(keySpecOf(generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey)).toBe('RSA_3072');
    expect(keySpecOf(generateKeyPairSync('rsa', { modulusLength: 4096 }).publicKey)).toBe('RSA_4096');
    expect(keySpecOf(generateKeyPairSync('ed25519').publicKey)).toBe('ECC_NIST_EDWARDS25519');
  });

  it('says why a key has no KMS key spec', () => {
    expect(keySpecOf(generateKeyPairSync('ec', { namedCurve: 'P-224' }).publicKey)).toBe('curve secp224r1 is not one a KMS signing key uses');
    expect(keySpecOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)).toBe('an RSA key of 1024 bits is not a KMS key size (2048, 3072, 4096)');
    expect(keySpecOf(generateKeyPairSync('x25519').publicKey)).toBe('key type x25519 is not one a KMS signing key has');
  });
});
