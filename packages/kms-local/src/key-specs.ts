/** Key specs kms-local can create. The signing specs match the AWS KMS API reference. */
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

export type SigningKeySpec = (typeof SIGNING_KEY_SPECS)[number];
export type KeySpec = SigningKeySpec | 'SYMMETRIC_DEFAULT';
export type KeyUsage = 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT';

export const SIGNING_ALGORITHMS = [
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ED25519_SHA_512',
  'ED25519_PH_SHA_512',
] as const;

export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** In the order KMS lists them in DescribeKey and GetPublicKey: PKCS #1 v1.5 first, then PSS. */
const RSA_SIGNING: readonly SigningAlgorithm[] = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];

export interface KeySpecInfo {
  /** Key usages CreateKey accepts for this spec (kms-local leaves out KEY_AGREEMENT and HMAC). */
  readonly usages: readonly KeyUsage[];
  /** SigningAlgorithms KMS lists for a SIGN_VERIFY key of this spec. */
  readonly signingAlgorithms: readonly SigningAlgorithm[];
  /** EncryptionAlgorithms KMS lists for an ENCRYPT_DECRYPT key of this spec. */
  readonly encryptionAlgorithms: readonly string[];
}

export const KEY_SPECS: Readonly<Record<KeySpec, KeySpecInfo>> = {
  ECC_NIST_P256: { usages: ['SIGN_VERIFY'], signingAlgorithms: ['ECDSA_SHA_256'], encryptionAlgorithms: [] },
  ECC_NIST_P384: { usages: ['SIGN_VERIFY'], signingAlgorithms: ['ECDSA_SHA_384'], encryptionAlgorithms: [] },
  ECC_NIST_P521: { usages: ['SIGN_VERIFY'], signingAlgorithms: ['ECDSA_SHA_512'], encryptionAlgorithms: [] },
  ECC_SECG_P256K1: { usages: ['SIGN_VERIFY'], signingAlgorithms: ['ECDSA_SHA_256'], encryptionAlgorithms: [] },
  RSA_2048: { usages: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT'], signingAlgorithms: RSA_SIGNING, encryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] },
  RSA_3072: { usages: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT'], signingAlgorithms: RSA_SIGNING, encryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] },
  RSA_4096: { usages: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT'], signingAlgorithms: RSA_SIGNING, encryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] },
  ECC_NIST_EDWARDS25519: { usages: ['SIGN_VERIFY'], signingAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'], encryptionAlgorithms: [] },
  SYMMETRIC_DEFAULT: { usages: ['ENCRYPT_DECRYPT'], signingAlgorithms: [], encryptionAlgorithms: ['SYMMETRIC_DEFAULT'] },
};

export function isKeySpec(value: string): value is KeySpec {
  return Object.hasOwn(KEY_SPECS, value);
}

export function isSigningAlgorithm(value: string): value is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

/** The hash a signing algorithm uses, as node:crypto names it, and its digest length in bytes. */
export function hashOf(algorithm: SigningAlgorithm): { name: 'sha256' | 'sha384' | 'sha512'; bytes: number } {
  if (algorithm.endsWith('SHA_256')) return { name: 'sha256', bytes: 32 };
  if (algorithm.endsWith('SHA_384')) return { name: 'sha384', bytes: 48 };
  return { name: 'sha512', bytes: 64 };
}
