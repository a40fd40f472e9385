import { constants } from 'node:crypto';
import { ALGORITHMS_BY_KEY_SPEC, type JwsAlgorithm, type KmsSigningKeySpec } from 'kms-jwt-verifier';

/** KMS `SigningAlgorithm` names, as strings (the SDK's enum types stay out of this package's API). */
export type KmsSigningAlgorithm =
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'ECDSA_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512'
  | 'ED25519_SHA_512';

/** How one JWS algorithm is made with KMS and checked with node:crypto. */
export interface AlgorithmParameters {
  /** The KMS signing algorithm that produces it. */
  readonly kms: KmsSigningAlgorithm;
  /** The digest for a `DIGEST` message and for `crypto.verify`; `null` for EdDSA, which signs the whole message. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** RSA padding for `crypto.verify`. */
  readonly padding?: number;
  /** RSA-PSS salt length for `crypto.verify` (KMS uses a salt as long as the hash). */
  readonly saltLength?: number;
}

const PKCS1 = constants.RSA_PKCS1_PADDING;
const PSS = constants.RSA_PKCS1_PSS_PADDING;
const SALT = constants.RSA_PSS_SALTLEN_DIGEST;

export const ALGORITHM_PARAMETERS: Readonly<Record<JwsAlgorithm, AlgorithmParameters>> = {
  ES256: { kms: 'ECDSA_SHA_256', hash: 'sha256' },
  ES256K: { kms: 'ECDSA_SHA_256', hash: 'sha256' },
  ES384: { kms: 'ECDSA_SHA_384', hash: 'sha384' },
  ES512: { kms: 'ECDSA_SHA_512', hash: 'sha512' },
  RS256: { kms: 'RSASSA_PKCS1_V1_5_SHA_256', hash: 'sha256', padding: PKCS1 },
  RS384: { kms: 'RSASSA_PKCS1_V1_5_SHA_384', hash: 'sha384', padding: PKCS1 },
  RS512: { kms: 'RSASSA_PKCS1_V1_5_SHA_512', hash: 'sha512', padding: PKCS1 },
  PS256: { kms: 'RSASSA_PSS_SHA_256', hash: 'sha256', padding: PSS, saltLength: SALT },
  PS384: { kms: 'RSASSA_PSS_SHA_384', hash: 'sha384', padding: PSS, saltLength: SALT },
  PS512: { kms: 'RSASSA_PSS_SHA_512', hash: 'sha512', padding: PSS, saltLength: SALT },
  EdDSA: { kms: 'ED25519_SHA_512', hash: null },
};

/**
 * The shape of the signature KMS returns for each key spec: ECDSA as DER, converted to R‖S of two
 * `size`-byte integers (P-521: 66) and brought to low-S form on the curve of `algorithm`; RSA as
 * `length` bytes (the modulus size); Ed25519 as 64 bytes.
 */
export type SignatureShape =
  | { readonly kind: 'ecdsa-der'; readonly size: number; readonly algorithm: 'ES256' | 'ES256K' | 'ES384' | 'ES512' }
  | { readonly kind: 'raw'; readonly length: number };

export const SIGNATURE_SHAPES: Readonly<Record<KmsSigningKeySpec, SignatureShape>> = {
  ECC_NIST_P256: { kind: 'ecdsa-der', size: 32, algorithm: 'ES256' },
  ECC_SECG_P256K1: { kind: 'ecdsa-der', size: 32, algorithm: 'ES256K' },
  ECC_NIST_P384: { kind: 'ecdsa-der', size: 48, algorithm: 'ES384' },
  ECC_NIST_P521: { kind: 'ecdsa-der', size: 66, algorithm: 'ES512' },
  RSA_2048: { kind: 'raw', length: 256 },
  RSA_3072: { kind: 'raw', length: 384 },
  RSA_4096: { kind: 'raw', length: 512 },
  ECC_NIST_EDWARDS25519: { kind: 'raw', length: 64 },
};

export function isSigningKeySpec(value: unknown): value is KmsSigningKeySpec {
  return typeof value === 'string' && Object.hasOwn(ALGORITHMS_BY_KEY_SPEC, value);
}

/** The algorithms a key spec makes; the first is the default (RS256 for RSA keys). */
export function algorithmsOf(spec: KmsSigningKeySpec): readonly JwsAlgorithm[] {
  return ALGORITHMS_BY_KEY_SPEC[spec];
}
