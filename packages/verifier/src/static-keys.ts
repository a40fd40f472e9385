import type { JsonWebKey, KeyObject } from 'node:crypto';
import { asKeyObject, publicKeyFromJwk, publicKeyFromPem, RUNTIME, verifiesSecp256k1 } from '#runtime';
import { algorithmsForKey, isJwsAlgorithm, type JwsAlgorithm } from './algorithms.js';
import { AlgUnsupportedByRuntimeError, VerifierConfigError } from './errors.js';
import { isSecp256k1Key } from './key-description.js';
import type { KeyResolver, TrustedKey } from './key-resolver.js';
import type { TrustedPublicKey, WebCryptoPublicKey } from './public-key.js';

/** A public key given directly, bound to the `kid` (usually the KMS key ARN) that names it. */
export interface StaticKey {
  /** The `kid` tokens signed by this key carry: the KMS key ARN. */
  readonly kid: string;
  /** The public key: SPKI PEM, a public JWK, or a public key object (a node:crypto KeyObject, or a {@link WebCryptoPublicKey} in the Web Crypto build). */
  readonly key: string | JsonWebKey | KeyObject | WebCryptoPublicKey;
  /** Algorithms to allow for this key. Default: all the key's type can verify (P-256 → ES256, ...). */
  readonly algorithms?: readonly JwsAlgorithm[];
}

/** Why a secp256k1 key is refused where the runtime cannot verify it. */
function secp256k1Unsupported(kid: string, cause: unknown): AlgUnsupportedByRuntimeError {
  const crypto = RUNTIME === 'web' ? 'Web Crypto has no secp256k1' : "this runtime's node:crypto has no secp256k1 (Bun's BoringSSL)";
  return new AlgUnsupportedByRuntimeError(
    `the key for kid ${kid} is a secp256k1 key (ES256K), which cannot be verified here: ${crypto}. Verify ES256K tokens on Node.js or Deno, or sign with an ECC_NIST_P256 key (ES256)`,
    { cause },
  );
}

function toPublicKey(key: StaticKey['key'], kid: string): TrustedPublicKey {
  try {
    const keyObject = asKeyObject(key);
    if (keyObject !== undefined) return keyObject;
    if (typeof key === 'string') {
      if (/PRIVATE KEY-----/.test(key)) throw new VerifierConfigError(`the key for kid ${kid} is a private key; give the public key (SPKI PEM)`);
      return publicKeyFromPem(key);
    }
    if (typeof key === 'object' && key !== null) {
      const jwk = key as JsonWebKey;
      if ('d' in jwk && jwk.d !== undefined) throw new VerifierConfigError(`the JWK for kid ${kid} holds a private key ("d"); give the public JWK`);
      if (jwk.kty === 'oct') throw new VerifierConfigError(`the JWK for kid ${kid} is a symmetric (oct) key; only asymmetric KMS keys are trusted`);
      return publicKeyFromJwk(jwk);
    }
  } catch (error) {
    if (error instanceof VerifierConfigError) throw error;
    // Web Crypto and Bun's BoringSSL cannot parse a secp256k1 key at all: say so rather than "not a valid key".
    // Where the runtime verifies secp256k1 (Node.js, Deno), a secp256k1 key that does not parse is an invalid key.
    if (isSecp256k1Key(key) && !verifiesSecp256k1()) throw secp256k1Unsupported(kid, error);
    throw new VerifierConfigError(`the key for kid ${kid} is not a valid public key (PEM, JWK or key object)${RUNTIME === 'web' && error instanceof Error ? `: ${error.message}` : ''}`, {
      cause: error,
    });
  }
  throw new VerifierConfigError(`the key for kid ${kid} must be a PEM string, a JWK object or a key object`);
}

/** Parses and checks static keys once; throws a VerifierConfigError naming the bad entry. */
export function trustedKeysFrom(keys: readonly StaticKey[]): Map<string, TrustedKey> {
  const trusted = new Map<string, TrustedKey>();
  for (const [index, entry] of keys.entries()) {
    if (typeof entry?.kid !== 'string' || entry.kid.length === 0) throw new VerifierConfigError(`keys[${index}] needs a non-empty string kid`);
    if (trusted.has(entry.kid)) throw new VerifierConfigError(`keys[${index}]: kid ${entry.kid} is listed twice`);
    const publicKey = toPublicKey(entry.key, entry.kid);
    const supported = algorithmsForKey(publicKey);
    if (typeof supported === 'string') throw new VerifierConfigError(`keys[${index}] (kid ${entry.kid}): ${supported}`);
    let algorithms = supported;
    if (entry.algorithms !== undefined) {
      const wrong = entry.algorithms.filter((alg) => !isJwsAlgorithm(alg) || !supported.includes(alg));
      if (wrong.length > 0 || entry.algorithms.length === 0) {
        throw new VerifierConfigError(`keys[${index}] (kid ${entry.kid}): algorithms must be a non-empty subset of ${supported.join(', ')}`);
      }
      algorithms = entry.algorithms;
    }
    trusted.set(entry.kid, Object.freeze({ id: entry.kid, publicKey, algorithms: Object.freeze([...algorithms]) }));
  }
  return trusted;
}

/** A KeyResolver over a fixed set of keys: answers synchronously, never does I/O. */
export function createStaticKeyResolver(keys: readonly StaticKey[]): KeyResolver {
  const trusted = trustedKeysFrom(keys);
  return { resolve: (kid) => trusted.get(kid) };
}

/** The `keys` option of a verifier as a resolver: static keys are parsed once; a {@link KeyResolver} is used as is. */
export function keyResolverFrom(keys: KeyResolver | readonly StaticKey[]): KeyResolver {
  if (Array.isArray(keys)) return createStaticKeyResolver(keys);
  if (typeof keys === 'object' && keys !== null && typeof (keys as KeyResolver).resolve === 'function') return keys as KeyResolver;
  throw new VerifierConfigError('keys is required: a KeyResolver (such as kms-pubkey-provider) or an array of { kid, key }');
}

/** A JSON Web Key Set, as served at `/.well-known/jwks.json`. */
export interface JsonWebKeySet {
  readonly keys: readonly JsonWebKey[];
}

/**
 * Turns a JWKS into static keys: every signing key with a `kid` (keys marked `"use": "enc"` are
 * left out; a JWK `alg` narrows that key's algorithms). Throws when a key has no kid.
 */
export function keysFromJwks(jwks: JsonWebKeySet): StaticKey[] {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) throw new VerifierConfigError('a JWKS must be an object with a "keys" array');
  const keys: StaticKey[] = [];
  for (const [index, jwk] of jwks.keys.entries()) {
    if (jwk.use === 'enc') continue;
    const kid = jwk.kid;
    if (typeof kid !== 'string' || kid.length === 0) throw new VerifierConfigError(`JWKS key ${index} has no kid; every trusted key must be named by its KMS key ARN`);
    const alg = jwk.alg;
    if (alg !== undefined && !isJwsAlgorithm(alg)) throw new VerifierConfigError(`JWKS key ${kid} has alg ${String(alg)}, which no KMS signing key produces`);
    keys.push(alg === undefined ? { kid, key: jwk } : { kid, key: jwk, algorithms: [alg] });
  }
  return keys;
}
