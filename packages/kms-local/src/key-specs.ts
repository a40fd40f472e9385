/** Asymmetric signing key specs kms-local can create. They match the AWS KMS API reference. */
export const SIGNING_KEY_SPECS = [
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_EDWARDS25519',
] as const;

/** HMAC key specs kms-local can create, for GENERATE_VERIFY_MAC keys. */
export const HMAC_KEY_SPECS = ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const;

export type SigningKeySpec = (typeof SIGNING_KEY_SPECS)[number];
export type HmacKeySpec = (typeof HMAC_KEY_SPECS)[number];
export type KeySpec = SigningKeySpec | HmacKeySpec | 'SYMMETRIC_DEFAULT';
export type KeyUsage = 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC';

/**
 * Every SigningAlgorithmSpec value of the KMS API model (the SDK's enum), so any of them is accepted
 * as a value; one that does not fit the key is an InvalidKeyUsageException, as in KMS.
 */
export const SIGNING_ALGORITHMS = [
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'ED25519_PH_SHA_512',
  'ED25519_SHA_512',
  'ML_DSA_SHAKE_256',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'SM2DSA',
] as const;

export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The signing algorithms of the key specs kms-local creates (every value but ML-DSA's and SM2's). */
export type ImplementedSigningAlgorithm = Exclude<SigningAlgorithm, 'ML_DSA_SHAKE_256' | 'SM2DSA'>;

/** MacAlgorithmSpec values of the KMS API model. */
export const MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;

export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

/** In the order KMS lists them in DescribeKey and GetPublicKey: PKCS #1 v1.5 first, then PSS. */
const RSA_SIGNING: readonly ImplementedSigningAlgorithm[] = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];

const RSA_ENCRYPTION = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

export interface KeySpecInfo {
  /** Key usages CreateKey accepts for this spec (kms-local leaves out KEY_AGREEMENT). */
  readonly usages: readonly KeyUsage[];
  /** SigningAlgorithms KMS lists for a SIGN_VERIFY key of this spec. */
  readonly signingAlgorithms: readonly ImplementedSigningAlgorithm[];
  /** EncryptionAlgorithms KMS lists for an ENCRYPT_DECRYPT key of this spec. */
  readonly encryptionAlgorithms: readonly string[];
  /** MacAlgorithms KMS lists for a GENERATE_VERIFY_MAC key of this spec. */
  readonly macAlgorithms: readonly MacAlgorithm[];
}

function signing(...algorithms: ImplementedSigningAlgorithm[]): KeySpecInfo {
  return { usages: ['SIGN_VERIFY'], signingAlgorithms: algorithms, encryptionAlgorithms: [], macAlgorithms: [] };
}

function rsa(): KeySpecInfo {
  return { usages: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT'], signingAlgorithms: RSA_SIGNING, encryptionAlgorithms: RSA_ENCRYPTION, macAlgorithms: [] };
}

function hmac(algorithm: MacAlgorithm): KeySpecInfo {
  return { usages: ['GENERATE_VERIFY_MAC'], signingAlgorithms: [], encryptionAlgorithms: [], macAlgorithms: [algorithm] };
}

export const KEY_SPECS: Readonly<Record<KeySpec, KeySpecInfo>> = {
  ECC_NIST_P256: signing('ECDSA_SHA_256'),
  ECC_NIST_P384: signing('ECDSA_SHA_384'),
  ECC_NIST_P521: signing('ECDSA_SHA_512'),
  ECC_SECG_P256K1: signing('ECDSA_SHA_256'),
  RSA_2048: rsa(),
  RSA_3072: rsa(),
  RSA_4096: rsa(),
  ECC_NIST_EDWARDS25519: signing('ED25519_SHA_512', 'ED25519_PH_SHA_512'),
  HMAC_224: hmac('HMAC_SHA_224'),
  HMAC_256: hmac('HMAC_SHA_256'),
  HMAC_384: hmac('HMAC_SHA_384'),
  HMAC_512: hmac('HMAC_SHA_512'),
  SYMMETRIC_DEFAULT: { usages: ['ENCRYPT_DECRYPT'], signingAlgorithms: [], encryptionAlgorithms: ['SYMMETRIC_DEFAULT'], macAlgorithms: [] },
};

export function isKeySpec(value: string): value is KeySpec {
  return Object.hasOwn(KEY_SPECS, value);
}

export function isSigningKeySpec(value: KeySpec): value is SigningKeySpec {
  return (SIGNING_KEY_SPECS as readonly string[]).includes(value);
}

export function isHmacKeySpec(value: KeySpec): value is HmacKeySpec {
  return (HMAC_KEY_SPECS as readonly string[]).includes(value);
}

export function isSigningAlgorithm(value: string): value is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

/** The hash a signing algorithm uses, as node:crypto names it, and its digest length in bytes. */
export function hashOf(algorithm: ImplementedSigningAlgorithm): { name: 'sha256' | 'sha384' | 'sha512'; bytes: number } {
  if (algorithm.endsWith('SHA_256')) return { name: 'sha256', bytes: 32 };
  if (algorithm.endsWith('SHA_384')) return { name: 'sha384', bytes: 48 };
  return { name: 'sha512', bytes: 64 };
}

/** The hash of an HMAC algorithm, as node:crypto names it. */
export function macHashOf(algorithm: MacAlgorithm): 'sha224' | 'sha256' | 'sha384' | 'sha512' {
  return `sha${algorithm.slice('HMAC_SHA_'.length)}` as 'sha224' | 'sha256' | 'sha384' | 'sha512';
}
