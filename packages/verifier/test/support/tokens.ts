import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { expect } from 'vitest';
import type { JwsAlgorithm } from '../../src/algorithms.js';
import type { KmsJwtError, KmsJwtErrorCode } from '../../src/errors.js';

/** Test helpers: keys are generated per run and never written anywhere. */

export const KID = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
export const OTHER_KID = 'arn:aws:kms:us-east-1:111122223333:key/99999999-8888-7777-6666-555555555555';
export const ISSUER = 'https://issuer.example';
export const AUDIENCE = 'api';
/** A fixed "now", in epoch seconds. */
export const NOW = 1_800_000_000;

export const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');
export const encode = (value: unknown): string => b64(JSON.stringify(value));

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A fresh key pair of the kind each JWS algorithm needs. */
export function keyPairFor(alg: JwsAlgorithm): KeyPair {
  switch (alg) {
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'ES512':
      return generateKeyPairSync('ec', { namedCurve: 'P-521' });
    case 'ES256K':
      return generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
    default:
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
  }
}

const HASH: Record<JwsAlgorithm, string | null> = {
  ES256: 'sha256',
  ES256K: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  EdDSA: null,
};

/** The JWS signature over `input` (R‖S for ECDSA), made with node:crypto as a KMS signer would. */
export function signInput(alg: JwsAlgorithm, privateKey: KeyObject, input: string): Buffer {
  const data = Buffer.from(input);
  if (alg.startsWith('ES')) return sign(HASH[alg], data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  if (alg.startsWith('PS')) return sign(HASH[alg], data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  return sign(HASH[alg], data, privateKey);
}

/** A compact JWS of `payload` with `header` (encoded as given), signed for `alg`. */
export function signToken(alg: JwsAlgorithm, privateKey: KeyObject, payload: unknown, header: unknown = { alg, typ: 'JWT', kid: KID }): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${b64(signInput(alg, privateKey, input))}`;
}

/** A compact JWS from raw segments (header and payload as exact JSON text), signed for `alg`. */
export function signRaw(alg: JwsAlgorithm, privateKey: KeyObject, headerJson: string, payloadJson: string): string {
  const input = `${b64(headerJson)}.${b64(payloadJson)}`;
  return `${input}.${b64(signInput(alg, privateKey, input))}`;
}

/** Claims that pass the default rules at {@link NOW}. */
export function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: NOW - 10, exp: NOW + 300, ...extra };
}

/** Resolves with the rejection reason, or fails the test when the promise fulfils. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it fulfilled');
}

/** An error class of this package, as `toBeInstanceOf` takes it. */
export type ErrorClass<E extends KmsJwtError = KmsJwtError> = abstract new (...args: never[]) => E;

/**
 * Awaits `promise`, expects it to reject with an instance of `type` carrying `code`, and returns
 * the error. Also checks the message never echoes `token` (when one is given).
 */
export async function expectRejection<E extends KmsJwtError>(promise: Promise<unknown>, type: ErrorClass<E>, code: KmsJwtErrorCode, token?: unknown): Promise<E> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(type);
  const typed = error as E;
  expect(typed.code).toBe(code);
  if (typeof token === 'string' && token.length >= 16) {
    expect(typed.message).not.toContain(token);
    const signature = token.slice(token.lastIndexOf('.') + 1);
    if (signature.length >= 16) expect(typed.message).not.toContain(signature);
  }
  return typed;
}
