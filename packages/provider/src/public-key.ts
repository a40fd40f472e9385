import { createPublicKey, type KeyObject } from 'node:crypto';
import { ALGORITHMS_BY_KEY_SPEC, algorithmsForKey, JWS_ALGORITHMS, type JwsAlgorithm, type KmsSigningKeySpec } from 'kms-jwt-verifier';

/** The KMS SigningAlgorithm that produces each JWS algorithm. */
const KMS_SIGNING_ALGORITHM: Readonly<Record<JwsAlgorithm, string>> = {
  ES256: 'ECDSA_SHA_256',
  ES256K: 'ECDSA_SHA_256',
  ES384: 'ECDSA_SHA_384',
  ES512: 'ECDSA_SHA_512',
  RS256: 'RSASSA_PKCS1_V1_5_SHA_256',
  RS384: 'RSASSA_PKCS1_V1_5_SHA_384',
  RS512: 'RSASSA_PKCS1_V1_5_SHA_512',
  PS256: 'RSASSA_PSS_SHA_256',
  PS384: 'RSASSA_PSS_SHA_384',
  PS512: 'RSASSA_PSS_SHA_512',
  // Ed25519 over the raw message; ED25519_PH_SHA_512 (pre-hashed) is not JWS EdDSA.
  EdDSA: 'ED25519_SHA_512',
};

/** The members of a GetPublicKey answer that decide trust. */
export interface PublicKeyAnswer {
  readonly KeyId?: string | undefined;
  readonly PublicKey?: Uint8Array | undefined;
  readonly KeySpec?: string | undefined;
  readonly KeyUsage?: string | undefined;
  readonly SigningAlgorithms?: readonly string[] | undefined;
}

/** A public key that passed every check. */
export interface CheckedPublicKey {
  readonly keyArn: string;
  readonly keySpec: KmsSigningKeySpec;
  /** The DER SPKI exactly as KMS returned it. */
  readonly spki: Buffer;
  readonly publicKey: KeyObject;
  readonly algorithms: readonly JwsAlgorithm[];
}

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && (JWS_ALGORITHMS as readonly string[]).includes(value);
}

export function isSigningKeySpec(spec: unknown): spec is KmsSigningKeySpec {
  return typeof spec === 'string' && Object.hasOwn(ALGORITHMS_BY_KEY_SPEC, spec);
}

/**
 * The JWS algorithms a key may verify: those of its key spec, that KMS lists among the key's
 * SigningAlgorithms, that the key's type can verify, and that `allowlist` allows.
 */
export function allowedAlgorithms(
  keySpec: KmsSigningKeySpec,
  publicKey: KeyObject,
  signingAlgorithms: readonly string[] | undefined,
  allowlist: readonly JwsAlgorithm[] | undefined,
): readonly JwsAlgorithm[] | string {
  const byType = algorithmsForKey(publicKey);
  if (typeof byType === 'string') return byType;
  const algorithms = ALGORITHMS_BY_KEY_SPEC[keySpec].filter(
    (alg) =>
      byType.includes(alg) &&
      (signingAlgorithms === undefined || signingAlgorithms.includes(KMS_SIGNING_ALGORITHM[alg])) &&
      (allowlist === undefined || allowlist.includes(alg)),
  );
  if (algorithms.length === 0) {
    return `no JWS algorithm is left for key spec ${keySpec} (SigningAlgorithms: ${signingAlgorithms?.join(', ') ?? 'none'}; allowed: ${allowlist?.join(', ') ?? 'all'})`;
  }
  return Object.freeze(algorithms);
}

/**
 * Checks a GetPublicKey answer before anything trusts it: KeyUsage SIGN_VERIFY, a key spec this
 * package supports, a DER SPKI that parses and matches the spec, and at least one algorithm left.
 * Returns the reason it fails otherwise.
 */
export function checkPublicKey(answer: PublicKeyAnswer, allowlist: readonly JwsAlgorithm[] | undefined): CheckedPublicKey | string {
  const keyArn = answer.KeyId;
  if (typeof keyArn !== 'string' || !keyArn.startsWith('arn:')) return 'the GetPublicKey answer has no key ARN';
  if (answer.KeyUsage !== 'SIGN_VERIFY') return `key usage is ${answer.KeyUsage ?? 'missing'}, not SIGN_VERIFY`;
  const keySpec = answer.KeySpec;
  if (!isSigningKeySpec(keySpec)) return `key spec ${keySpec ?? 'missing'} is not one this package verifies (${Object.keys(ALGORITHMS_BY_KEY_SPEC).join(', ')})`;
  if (!(answer.PublicKey instanceof Uint8Array) || answer.PublicKey.length === 0) return 'the GetPublicKey answer has no public key';
  if (!Array.isArray(answer.SigningAlgorithms) || answer.SigningAlgorithms.length === 0) return 'the GetPublicKey answer lists no SigningAlgorithms';
  const spki = Buffer.from(answer.PublicKey);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    return 'the public key is not a DER SubjectPublicKeyInfo';
  }
  const algorithms = allowedAlgorithms(keySpec, publicKey, answer.SigningAlgorithms, allowlist);
  if (typeof algorithms === 'string') return algorithms;
  return { keyArn, keySpec, spki, publicKey, algorithms };
}
