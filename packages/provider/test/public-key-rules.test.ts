import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { allowedAlgorithms, checkPublicKey, isJwsAlgorithm, isSigningKeySpec, type PublicKeyAnswer } from '../src/public-key.js';
import { newKeyRef } from './parts-support.js';

// What a GetPublicKey answer must be before anything trusts it (public-key.ts): each check on its
// own, the reason it gives, and which JWS algorithms a key is trusted for: those of its key spec,
// that KMS lists for it, that its type verifies, and that the allowlist allows.

const der = (key: KeyObject): Buffer => key.export({ format: 'der', type: 'spki' });
const P256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const P384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
const P521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey;
const K256 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey;
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const WEAK_RSA = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
const ED25519 = generateKeyPairSync('ed25519').publicKey;
const X25519 = generateKeyPairSync('x25519').publicKey;

function answer(change: Partial<Record<keyof PublicKeyAnswer, unknown>> = {}): PublicKeyAnswer {
  return { KeyId: newKeyRef().arn, PublicKey: der(P256), KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'], ...change } as PublicKeyAnswer;
}

describe('checkPublicKey: the answer', () => {
  it('takes a complete answer: its ARN, key spec, the SPKI bytes as given, the parsed key and its algorithms (frozen)', () => {
    const given = answer();
    const checked = checkPublicKey(given, undefined);
    if (typeof checked === 'string') throw new Error(checked);
    expect(checked.keyArn).toBe(given.KeyId);
    expect(checked.keySpec).toBe('ECC_NIST_P256');
    expect(checked.spki.equals(der(P256))).toBe(true);
    expect(checked.publicKey.equals(P256)).toBe(true);
    expect(checked.algorithms).toEqual(['ES256']);
    expect(Object.isFrozen(checked.algorithms)).toBe(true);
  });

  it('refuses an answer without a key ARN', () => {
    for (const KeyId of [undefined, 7, '', newKeyRef().keyId, 'alias/issuer']) {
      expect(checkPublicKey(answer({ KeyId }), undefined)).toBe('the GetPublicKey answer has no key ARN');
    }
  });

  it('refuses a key whose usage is not SIGN_VERIFY, naming it', () => {
    expect(checkPublicKey(answer({ KeyUsage: 'ENCRYPT_DECRYPT' }), undefined)).toBe('key usage is ENCRYPT_DECRYPT, not SIGN_VERIFY');
    expect(checkPublicKey(answer({ KeyUsage: undefined }), undefined)).toBe('key usage is missing, not SIGN_VERIFY');
  });

  it('refuses a key spec this package does not verify (or that is not a string), listing those it does', () => {
    const list = 'ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, RSA_2048, RSA_3072, RSA_4096, ECC_NIST_EDWARDS25519';
    expect(checkPublicKey(answer({ KeySpec: 'SYMMETRIC_DEFAULT' }), undefined)).toBe(`key spec SYMMETRIC_DEFAULT is not one this package verifies (${list})`);
    expect(checkPublicKey(answer({ KeySpec: undefined }), undefined)).toBe(`key spec missing is not one this package verifies (${list})`);
    expect(checkPublicKey(answer({ KeySpec: ['ECC_NIST_P256'] }), undefined)).toBe(`key spec ECC_NIST_P256 is not one this package verifies (${list})`);
    for (const spec of ['toString', 'constructor', '__proto__', 'HMAC_256', 'ML_DSA_44', 5, ['RSA_2048']]) expect(isSigningKeySpec(spec), String(spec)).toBe(false);
  });

  it('refuses an answer without public key bytes, or whose bytes are no DER SPKI', () => {
    for (const PublicKey of [undefined, new Uint8Array(0), der(P256).toString('base64'), [...der(P256)]]) {
      expect(checkPublicKey(answer({ PublicKey }), undefined)).toBe('the GetPublicKey answer has no public key');
    }
    expect(checkPublicKey(answer({ PublicKey: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]) }), undefined)).toBe('the public key is not a DER SubjectPublicKeyInfo');
  });

  it('refuses an answer that lists no SigningAlgorithms', () => {
    for (const SigningAlgorithms of [undefined, [], 'ECDSA_SHA_256']) {
      expect(checkPublicKey(answer({ SigningAlgorithms }), undefined)).toBe('the GetPublicKey answer lists no SigningAlgorithms');
    }
  });
});

describe('checkPublicKey: the key against its spec', () => {
  it('refuses a key whose type is not its key spec (a P-384 key under ECC_NIST_P256, an RSA key under an EC spec)', () => {
    expect(checkPublicKey(answer({ PublicKey: der(P384) }), undefined)).toBe('no JWS algorithm is left for key spec ECC_NIST_P256 (SigningAlgorithms: ECDSA_SHA_256; allowed: all)');
    expect(checkPublicKey(answer({ PublicKey: der(RSA), SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'] }), undefined)).toMatch(/^no JWS algorithm is left for key spec ECC_NIST_P256/);
    expect(checkPublicKey(answer({ PublicKey: der(P256), KeySpec: 'RSA_2048', SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'] }), undefined)).toMatch(/^no JWS algorithm is left for key spec RSA_2048/);
  });

  it('refuses a weak RSA key and a key type that cannot verify, with the reason of the key type', () => {
    expect(checkPublicKey(answer({ PublicKey: der(WEAK_RSA), KeySpec: 'RSA_2048', SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'] }), undefined)).toBe('RSA key of 1024 bits is shorter than 2048');
    expect(checkPublicKey(answer({ PublicKey: der(X25519), KeySpec: 'ECC_NIST_EDWARDS25519', SigningAlgorithms: ['ED25519_SHA_512'] }), undefined)).toMatch(/key type x25519 cannot verify/);
  });

  it('trusts each key spec for exactly the JWS algorithm of each KMS SigningAlgorithm listed', () => {
    const cases: ReadonlyArray<readonly [KeyObject, string, string, string]> = [
      [P256, 'ECC_NIST_P256', 'ECDSA_SHA_256', 'ES256'],
      [P384, 'ECC_NIST_P384', 'ECDSA_SHA_384', 'ES384'],
      [P521, 'ECC_NIST_P521', 'ECDSA_SHA_512', 'ES512'],
      [K256, 'ECC_SECG_P256K1', 'ECDSA_SHA_256', 'ES256K'],
      [RSA, 'RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', 'RS256'],
      [RSA, 'RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384', 'RS384'],
      [RSA, 'RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512', 'RS512'],
      [RSA, 'RSA_2048', 'RSASSA_PSS_SHA_256', 'PS256'],
      [RSA, 'RSA_2048', 'RSASSA_PSS_SHA_384', 'PS384'],
      [RSA, 'RSA_2048', 'RSASSA_PSS_SHA_512', 'PS512'],
      [ED25519, 'ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'EdDSA'],
    ];
    for (const [key, KeySpec, kms, alg] of cases) {
      expect(checkPublicKey(answer({ PublicKey: der(key), KeySpec, SigningAlgorithms: [kms] }), undefined), `${KeySpec} ${kms}`).toMatchObject({ algorithms: [alg] });
    }
  });

  it('trusts a key for none of the algorithms KMS does not list for it (pre-hashed Ed25519 is not EdDSA)', () => {
    expect(checkPublicKey(answer({ SigningAlgorithms: ['ECDSA_SHA_384'] }), undefined)).toBe('no JWS algorithm is left for key spec ECC_NIST_P256 (SigningAlgorithms: ECDSA_SHA_384; allowed: all)');
    expect(checkPublicKey(answer({ SigningAlgorithms: ['ECDSA_SHA_384', 'ECDSA_SHA_512'] }), ['ES384', 'ES512'])).toBe(
      'no JWS algorithm is left for key spec ECC_NIST_P256 (SigningAlgorithms: ECDSA_SHA_384, ECDSA_SHA_512; allowed: ES384, ES512)',
    );
    expect(checkPublicKey(answer({ PublicKey: der(ED25519), KeySpec: 'ECC_NIST_EDWARDS25519', SigningAlgorithms: ['ED25519_PH_SHA_512'] }), undefined)).toMatch(/^no JWS algorithm is left/);
    expect(checkPublicKey(answer({ PublicKey: der(RSA), KeySpec: 'RSA_2048', SigningAlgorithms: ['RSASSA_PSS_SHA_256', 'ECDSA_SHA_256'] }), undefined)).toMatchObject({ algorithms: ['PS256'] });
  });
});

describe('allowedAlgorithms: the allowlist', () => {
  it('keeps only the algorithms the allowlist allows, and says which were allowed when none is left', () => {
    expect(allowedAlgorithms('RSA_2048', RSA, ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'], ['PS256', 'ES256'])).toEqual(['PS256']);
    expect(allowedAlgorithms('RSA_2048', RSA, undefined, undefined)).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    expect(allowedAlgorithms('ECC_NIST_P256', P256, ['ECDSA_SHA_256'], ['RS256', 'PS256'])).toBe('no JWS algorithm is left for key spec ECC_NIST_P256 (SigningAlgorithms: ECDSA_SHA_256; allowed: RS256, PS256)');
    expect(allowedAlgorithms('ECC_NIST_P384', P256, undefined, undefined)).toBe('no JWS algorithm is left for key spec ECC_NIST_P384 (SigningAlgorithms: none; allowed: all)');
  });

  it('knows the JWS algorithms by name only', () => {
    for (const alg of ['ES256', 'RS512', 'PS384', 'EdDSA', 'ES256K']) expect(isJwsAlgorithm(alg), alg).toBe(true);
    for (const alg of ['HS256', 'none', 'es256', '', undefined, 256]) expect(isJwsAlgorithm(alg), String(alg)).toBe(false);
  });
});
