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

const RSA_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);

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

/**
 * The EC curves KMS signs with, by OpenSSL's name (as `asymmetricKeyDetails.namedCurve` gives it): the
 * one algorithm each verifies, and its readable name. The arrays here and in {@link KEY_TYPES} are what
 * {@link algorithmsForKey} returns, hence frozen.
 */
const CURVES: ReadonlyMap<string, { readonly algorithms: readonly [JwsAlgorithm]; readonly name: string }> = new Map([
  ['prime256v1', { algorithms: Object.freeze(['ES256'] as const), name: 'P-256' }],
  ['secp384r1', { algorithms: Object.freeze(['ES384'] as const), name: 'P-384' }],
  ['secp521r1', { algorithms: Object.freeze(['ES512'] as const), name: 'P-521' }],
  ['secp256k1', { algorithms: Object.freeze(['ES256K'] as const), name: 'secp256k1' }],
]);

/** Smallest RSA modulus accepted; KMS's smallest RSA key spec is RSA_2048. */
export const MIN_RSA_BITS = 2048;

/** A key type that verifies KMS signatures. */
interface KeyType {
  /** For messages: "an EC P-256 key", "an RSA key". */
  readonly name: string;
  /** What it verifies; an EC key's algorithm is its curve's, in {@link CURVES}. */
  readonly algorithms: readonly JwsAlgorithm[] | 'by curve';
  /** RSA: the smallest modulus accepted. */
  readonly minBits?: number;
}

/** The key types (a key object's `asymmetricKeyType`) that verify KMS signatures. */
const KEY_TYPES: ReadonlyMap<string, KeyType> = new Map<string, KeyType>([
  ['ec', { name: 'EC', algorithms: 'by curve' }],
  ['rsa', { name: 'RSA', algorithms: RSA_ALGORITHMS, minBits: MIN_RSA_BITS }],
  ['rsa-pss', { name: 'RSA-PSS', algorithms: Object.freeze(['PS256', 'PS384', 'PS512'] as const), minBits: MIN_RSA_BITS }],
  ['ed25519', { name: 'Ed25519', algorithms: Object.freeze(['EdDSA'] as const) }],
]);

/** The members of a key object read here, any of them possibly missing from what a key resolver returns. */
interface KeyMembers {
  readonly type?: unknown;
  readonly asymmetricKeyType?: unknown;
  readonly asymmetricKeyDetails?: { readonly namedCurve?: unknown; readonly modulusLength?: unknown } | undefined;
  /** A Web Crypto CryptoKey's (`{ name: 'ECDSA', namedCurve: 'P-256' }`, ...): a CryptoKey has no `asymmetricKeyType`. */
  readonly algorithm?: unknown;
}

/** A Web Crypto CryptoKey, told by its shape (the `CryptoKey` class is not global on every runtime). */
function isCryptoKey(key: KeyMembers): boolean {
  return key.asymmetricKeyType === undefined && typeof key.algorithm === 'object' && key.algorithm !== null && typeof (key.algorithm as { name?: unknown }).name === 'string';
}

function keyTypeOf(key: KeyMembers): KeyType | undefined {
  return typeof key.asymmetricKeyType === 'string' ? KEY_TYPES.get(key.asymmetricKeyType) : undefined;
}

function curveOf(key: KeyMembers): string | undefined {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return typeof curve === 'string' && curve !== '' ? curve : undefined;
}

/** The algorithms a key of this type (and curve) verifies, whatever its size; a reason when its type verifies none. */
function algorithmsOfType(key: KeyMembers): readonly JwsAlgorithm[] | string {
  if (isCryptoKey(key)) {
    return 'a Web Crypto CryptoKey is not a key object the verifier takes: convert it with KeyObject.from(cryptoKey) where node:crypto exists, or export it and give its JWK or PEM to createStaticKeyResolver or kms-pubkey-provider';
  }
  const keyType = keyTypeOf(key);
  if (keyType === undefined) return `key type ${typeof key.asymmetricKeyType === 'string' ? key.asymmetricKeyType : 'unknown'} cannot verify a KMS signature`;
  if (keyType.algorithms !== 'by curve') return keyType.algorithms;
  const curve = curveOf(key);
  const known = curve === undefined ? undefined : CURVES.get(curve);
  if (known !== undefined) return known.algorithms;
  return `EC curve ${curve ?? 'unknown'} is not one KMS signs with (${[...CURVES.values()].map(({ name }) => name).join(', ')})`;
}

/**
 * The algorithms a public key can verify, from its type (P-256 → ES256 only, RSA → RS* and PS*,
 * Ed25519 → EdDSA). Returns a reason instead when the key is unusable: not a public key, of a type
 * or curve KMS does not sign with, or an RSA key shorter than {@link MIN_RSA_BITS}.
 */
export function algorithmsForKey(key: TrustedPublicKey): readonly JwsAlgorithm[] | string {
  const members: KeyMembers = key;
  if (members.type !== 'public') return `expected a public key, got a ${String(members.type)} key`;
  const algorithms = algorithmsOfType(members);
  const minBits = keyTypeOf(members)?.minBits;
  if (typeof algorithms !== 'string' && minBits !== undefined) {
    const modulusLength = members.asymmetricKeyDetails?.modulusLength;
    const bits = typeof modulusLength === 'number' ? modulusLength : 0;
    if (!(bits >= minBits)) return `RSA key of ${bits} bits is shorter than ${minBits}`;
  }
  return algorithms;
}

/** Verdicts of {@link algorithmsForKey} on the key objects key resolvers returned, judged once per object. */
const verdicts = new WeakMap<object, readonly JwsAlgorithm[] | string>();

/**
 * {@link algorithmsForKey} for what a key resolver returned as a trusted key's `publicKey`, which
 * the verifier does not otherwise check: a reason for anything that is not an object. Judged once
 * per key object (a resolver hands out the same object for every token its key signed).
 */
export function verifiableAlgorithms(publicKey: unknown): readonly JwsAlgorithm[] | string {
  if (typeof publicKey !== 'object' || publicKey === null) return 'not a key object';
  let verdict = verdicts.get(publicKey);
  if (verdict === undefined) {
    verdict = algorithmsForKey(publicKey as TrustedPublicKey);
    verdicts.set(publicKey, verdict);
  }
  return verdict;
}

/** Whether `publicKey` (what a key resolver returned) is a key object that verifies `alg`: {@link verifiableAlgorithms} lists it. */
export function keyVerifies(publicKey: unknown, alg: JwsAlgorithm): boolean {
  const algorithms = verifiableAlgorithms(publicKey);
  return typeof algorithms !== 'string' && algorithms.includes(alg);
}

/** Whether `publicKey` is a key object at all (it has a `type`: a node:crypto KeyObject, a Web Crypto build key, a CryptoKey), for messages. */
export function isKeyObject(publicKey: unknown): boolean {
  return typeof publicKey === 'object' && publicKey !== null && typeof (publicKey as KeyMembers).type === 'string';
}

/** What kind of key `publicKey` is, for a message ("an EC P-256 key", "not a key object (a string)"); never its key material. */
export function describeKeyType(publicKey: unknown): string {
  if (typeof publicKey !== 'object' || publicKey === null) return `not a key object (${publicKey === null || publicKey === undefined ? String(publicKey) : `a ${typeof publicKey}`})`;
  const key: KeyMembers = publicKey;
  if (isCryptoKey(key)) return `a Web Crypto CryptoKey (${String((key.algorithm as { name: string }).name)})`;
  if (key.type === 'secret') return 'a secret (symmetric) key';
  const visibility = key.type === 'private' ? 'private ' : '';
  const keyType = keyTypeOf(key);
  if (keyType === undefined) return typeof key.asymmetricKeyType === 'string' ? `a ${visibility}key of type ${key.asymmetricKeyType}` : 'not a key object';
  const article = visibility === '' ? 'an' : 'a';
  if (keyType.algorithms !== 'by curve') return `${article} ${visibility}${keyType.name} key`;
  const curve = curveOf(key);
  return `${article} ${visibility}EC ${curve === undefined ? 'unknown-curve' : (CURVES.get(curve)?.name ?? curve)} key`;
}

/** The kind of key `alg` needs, for a message: "an EC P-256 key", "an RSA (or RSA-PSS) key". */
export function requiredKeyType(alg: JwsAlgorithm): string {
  for (const { algorithms, name } of CURVES.values()) if (algorithms[0] === alg) return `an EC ${name} key`;
  const names = [...KEY_TYPES.values()].filter(({ algorithms }) => algorithms !== 'by curve' && algorithms.includes(alg)).map(({ name }) => name);
  return `an ${names[0] ?? 'unknown'}${names.length > 1 ? ` (or ${names.slice(1).join(', ')})` : ''} key`;
}
