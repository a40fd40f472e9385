import type { TrustedPublicKey } from './public-key.js';

/** The JWS algorithms a KMS signing key can produce. */
export const JWS_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'ES256K', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;

export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

/** KMS key specs that sign. */
export type KmsSigningKeySpec =
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_EDWARDS25519';

const RSA_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** The JWS algorithms each KMS key spec yields. */
export const ALGORITHMS_BY_KEY_SPEC: Readonly<Record<KmsSigningKeySpec, readonly JwsAlgorithm[]>> = {
  ECC_NIST_P256: ['ES256'],
  ECC_NIST_P384: ['ES384'],
  ECC_NIST_P521: ['ES512'],
  ECC_SECG_P256K1: ['ES256K'],
  RSA_2048: RSA_ALGORITHMS,
  RSA_3072: RSA_ALGORITHMS,
  RSA_4096: RSA_ALGORITHMS,
  ECC_NIST_EDWARDS25519: ['EdDSA'],
};

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  // includes compares with SameValueZero, so no value but one of these strings is found.
  return (JWS_ALGORITHMS as readonly unknown[]).includes(value);
}

/** What verifying one JWS algorithm takes, whatever the runtime's crypto. */
export interface VerifyParameters {
  /** The digest, or `null` for EdDSA (Ed25519 hashes internally). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** ECDSA only: bytes of R‖S (two field-size integers). */
  readonly signatureBytes?: number;
  /** RSA only: the signature scheme. */
  readonly rsa?: 'pkcs1-v1_5' | 'pss';
}

export const VERIFY_PARAMETERS: Readonly<Record<JwsAlgorithm, VerifyParameters>> = {
  ES256: { hash: 'sha256', signatureBytes: 64 },
  ES256K: { hash: 'sha256', signatureBytes: 64 },
  ES384: { hash: 'sha384', signatureBytes: 96 },
  ES512: { hash: 'sha512', signatureBytes: 132 },
  RS256: { hash: 'sha256', rsa: 'pkcs1-v1_5' },
  RS384: { hash: 'sha384', rsa: 'pkcs1-v1_5' },
  RS512: { hash: 'sha512', rsa: 'pkcs1-v1_5' },
  PS256: { hash: 'sha256', rsa: 'pss' },
  PS384: { hash: 'sha384', rsa: 'pss' },
  PS512: { hash: 'sha512', rsa: 'pss' },
  EdDSA: { hash: null },
};

const CURVE_ALGORITHMS: Readonly<Record<string, JwsAlgorithm>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
  secp256k1: 'ES256K',
};

/** Smallest RSA modulus accepted; KMS's smallest RSA key spec is RSA_2048. */
export const MIN_RSA_BITS = 2048;

/**
 * The algorithms a public key can verify, from its type (P-256 → ES256 only, RSA → RS* and PS*,
 * Ed25519 → EdDSA). Returns a reason instead when the key is unusable.
 */
export function algorithmsForKey(key: TrustedPublicKey): readonly JwsAlgorithm[] | string {
  if (key.type !== 'public') return `expected a public key, got a ${key.type} key`;
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
      const alg = CURVE_ALGORITHMS[curve];
      return alg ? [alg] : `EC curve ${curve || 'unknown'} is not one KMS signs with (P-256, P-384, P-521, secp256k1)`;
    }
    case 'rsa': {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      return bits >= MIN_RSA_BITS ? RSA_ALGORITHMS : `RSA key of ${bits} bits is shorter than ${MIN_RSA_BITS}`;
    }
    case 'rsa-pss': {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      return bits >= MIN_RSA_BITS ? ['PS256', 'PS384', 'PS512'] : `RSA key of ${bits} bits is shorter than ${MIN_RSA_BITS}`;
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      return `key type ${key.asymmetricKeyType ?? 'unknown'} cannot verify a KMS signature`;
  }
}

/** The EC curve (OpenSSL's name, as `asymmetricKeyDetails.namedCurve` gives it) each ECDSA algorithm needs. */
const ALGORITHM_CURVES: Partial<Readonly<Record<JwsAlgorithm, string>>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1', ES256K: 'secp256k1' };

/** Readable names of the curves in {@link ALGORITHM_CURVES}. */
const CURVE_NAMES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'secp256k1' };

/**
 * Whether `publicKey` is a key object of a type that verifies `alg`: an EC key on the algorithm's
 * curve for ES*, an RSA key for RS* (an RSA-PSS key too for PS*), an Ed25519 key for EdDSA. Its
 * size is not looked at. For a resolver's key, whose `algorithms` the verifier otherwise trusts.
 */
export function keyTypeVerifies(publicKey: unknown, alg: JwsAlgorithm): boolean {
  if (typeof publicKey !== 'object' || publicKey === null) return false;
  const key = publicKey as Partial<TrustedPublicKey>;
  switch (key.asymmetricKeyType) {
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === ALGORITHM_CURVES[alg];
    case 'rsa':
      return VERIFY_PARAMETERS[alg].rsa !== undefined;
    case 'rsa-pss':
      return VERIFY_PARAMETERS[alg].rsa === 'pss';
    case 'ed25519':
      return alg === 'EdDSA';
    default:
      return false;
  }
}

/** What kind of key `publicKey` is, for a message ("an EC P-256 key", "not a key object (a string)"); never its key material. */
export function describeKeyType(publicKey: unknown): string {
  if (typeof publicKey !== 'object' || publicKey === null) return `not a key object (${publicKey === null || publicKey === undefined ? String(publicKey) : `a ${typeof publicKey}`})`;
  const key = publicKey as Partial<TrustedPublicKey>;
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return `an EC ${typeof curve === 'string' ? (CURVE_NAMES[curve] ?? curve) : 'unknown-curve'} key`;
    }
    case 'rsa':
      return 'an RSA key';
    case 'rsa-pss':
      return 'an RSA-PSS key';
    case 'ed25519':
      return 'an Ed25519 key';
    default:
      return typeof key.asymmetricKeyType === 'string' ? `a key of type ${key.asymmetricKeyType}` : 'not a key object';
  }
}

/** The kind of key `alg` needs, for a message. */
export function requiredKeyType(alg: JwsAlgorithm): string {
  const curve = ALGORITHM_CURVES[alg];
  if (curve !== undefined) return `an EC ${CURVE_NAMES[curve]} key`;
  if (alg === 'EdDSA') return 'an Ed25519 key';
  return VERIFY_PARAMETERS[alg].rsa === 'pss' ? 'an RSA (or RSA-PSS) key' : 'an RSA key';
}
