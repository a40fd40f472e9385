import { ALGORITHMS_BY_KEY_SPEC, createStaticKeyResolver, type JwsAlgorithm, type KmsSigningKeySpec, type TrustedKey } from 'kms-jwt-verifier';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { JwksAllowlist } from './jwks-allowlist.js';
import type { JwksKeyIgnoredReason } from './jwks-events.js';
import type { SourcedKey } from './key-source.js';
import { allowedAlgorithms, isJwsAlgorithm } from './public-key.js';
import { nodeKeyOf } from './spki-thumbprint.js';

/** What a JWKS entry is worth: a key to trust, or why it is ignored (never with key material). */
export type JwkVerdict =
  | { readonly kind: 'key'; readonly key: SourcedKey }
  | { readonly kind: 'ignored'; readonly kid: string | undefined; readonly reason: JwksKeyIgnoredReason; readonly message: string };

/** JWK members that only a private or secret key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The longest kid an event repeats. */
const MAX_KID_SHOWN = 256;

const EC_KEY_SPECS: Readonly<Record<string, KmsSigningKeySpec>> = {
  prime256v1: 'ECC_NIST_P256',
  secp384r1: 'ECC_NIST_P384',
  secp521r1: 'ECC_NIST_P521',
  secp256k1: 'ECC_SECG_P256K1',
};

const RSA_KEY_SPECS: Readonly<Record<number, KmsSigningKeySpec>> = { 2048: 'RSA_2048', 3072: 'RSA_3072', 4096: 'RSA_4096' };

/** The KMS signing key spec a public key has (its curve, or its RSA size); a reason when none. */
export function keySpecOf(publicKey: KeyObject): KmsSigningKeySpec | string {
  const details = publicKey.asymmetricKeyDetails;
  switch (publicKey.asymmetricKeyType) {
    case 'ec':
      return EC_KEY_SPECS[details?.namedCurve ?? ''] ?? `curve ${details?.namedCurve ?? 'unknown'} is not one a KMS signing key uses`;
    case 'rsa':
      return RSA_KEY_SPECS[details?.modulusLength ?? 0] ?? `an RSA key of ${details?.modulusLength ?? 0} bits is not a KMS key size (2048, 3072, 4096)`;
    case 'ed25519':
      return 'ECC_NIST_EDWARDS25519';
    default:
      return `key type ${publicKey.asymmetricKeyType ?? 'unknown'} is not one a KMS signing key has`;
  }
}

function ignored(kid: string | undefined, reason: JwksKeyIgnoredReason, message: string): JwkVerdict {
  return { kind: 'ignored', kid: kid?.slice(0, MAX_KID_SHOWN), reason, message };
}

/** A short, safe rendering of a member's value for a message (never of key material: only `use`, `alg`). */
function shown(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 40) ?? String(value);
}

/**
 * Judges one entry of a remote JWKS, cheapest checks first: public members only; a kid that is a
 * key ARN the allowlist allows; `use` and `key_ops` for verifying; then the verifier's own parsing
 * (public keys only, key types KMS signs with) and the key spec's algorithms, narrowed by `alg` and
 * the `algorithms` option.
 */
export function checkJwk(value: unknown, allowlist: JwksAllowlist, algorithmsOption: readonly JwsAlgorithm[] | undefined): JwkVerdict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ignored(undefined, 'malformed', 'the entry is not a JSON object (a JWK)');
  const jwk = value as Record<string, unknown>;
  const kid = typeof jwk['kid'] === 'string' && jwk['kid'].length > 0 ? jwk['kid'] : undefined;
  const secret = PRIVATE_MEMBERS.filter((member) => Object.hasOwn(jwk, member));
  if (secret.length > 0) {
    return ignored(kid, 'private-key', `the key carries private or secret members (${secret.join(', ')}): a JWKS must publish public keys only; tell the issuer, whose key is exposed`);
  }
  if (kid === undefined) return ignored(undefined, 'kid-missing', 'the key has no kid; a KMS key is published under its key ARN as kid');
  const refusal = allowlist.check(kid);
  if (refusal !== undefined) return ignored(kid, refusal.reason, refusal.message);
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') return ignored(kid, 'not-for-signing', `use is ${shown(jwk['use'])}, not "sig"`);
  const ops = jwk['key_ops'];
  if (ops !== undefined && (!Array.isArray(ops) || !ops.includes('verify') || ops.some((op) => op !== 'verify' && op !== 'sign'))) {
    return ignored(kid, 'not-for-signing', `key_ops ${shown(ops)} does not allow "verify" only`);
  }
  const alg = jwk['alg'];
  if (alg !== undefined && !isJwsAlgorithm(alg)) return ignored(kid, 'unusable', `alg ${shown(alg)} is not one a KMS signing key produces`);
  const pinned = alg as JwsAlgorithm | undefined;
  let trusted: TrustedKey;
  try {
    // The verifier's parsing, as for offline keys: a public JWK of a key type KMS signs with.
    trusted = createStaticKeyResolver([{ kid, key: jwk as JsonWebKey }]).resolve(kid) as TrustedKey;
  } catch (error) {
    return ignored(kid, 'unusable', (error as Error).message.replace(/^kms-jwt-verifier: /, ''));
  }
  const publicKey = nodeKeyOf(trusted.publicKey);
  const keySpec = keySpecOf(publicKey);
  if (!Object.hasOwn(ALGORITHMS_BY_KEY_SPEC, keySpec)) return ignored(kid, 'unusable', keySpec);
  const spec = keySpec as KmsSigningKeySpec;
  if (pinned !== undefined && !ALGORITHMS_BY_KEY_SPEC[spec].includes(pinned)) {
    return ignored(kid, 'unusable', `alg ${pinned} does not fit key spec ${spec} (${ALGORITHMS_BY_KEY_SPEC[spec].join(', ')})`);
  }
  const allowed = allowedAlgorithms(spec, publicKey, undefined, algorithmsOption);
  if (typeof allowed === 'string') return ignored(kid, 'unusable', allowed);
  const algorithms = pinned === undefined ? allowed : allowed.filter((candidate) => candidate === pinned);
  if (algorithms.length === 0) return ignored(kid, 'unusable', `alg ${String(pinned)} is not allowed by the algorithms option (${algorithmsOption?.join(', ') ?? 'all'})`);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { kind: 'key', key: { keyArn: kid, keySpec: spec, spki, publicKey, algorithms: Object.freeze([...algorithms]) } };
}
