import type { JsonWebKey, webcrypto } from 'node:crypto';
import type { JwsAlgorithm } from '../algorithms.js';
import type { TrustedPublicKey } from '../public-key.js';

type CryptoKey = webcrypto.CryptoKey;

/** How Web Crypto imports a key for one JWS algorithm and verifies with it. */
interface WebAlgorithm {
  readonly importParams: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams | webcrypto.Algorithm;
  readonly verifyParams: webcrypto.EcdsaParams | webcrypto.RsaPssParams | webcrypto.Algorithm;
}

const ecdsa = (namedCurve: string, hash: string): WebAlgorithm => ({ importParams: { name: 'ECDSA', namedCurve }, verifyParams: { name: 'ECDSA', hash } });
const pkcs1 = (hash: string): WebAlgorithm => ({ importParams: { name: 'RSASSA-PKCS1-v1_5', hash }, verifyParams: { name: 'RSASSA-PKCS1-v1_5' } });
// JWS PS*: the salt is as long as the hash (RFC 7518 §3.5).
const pss = (hash: string, saltLength: number): WebAlgorithm => ({ importParams: { name: 'RSA-PSS', hash }, verifyParams: { name: 'RSA-PSS', saltLength } });

/** ES256K has none: Web Crypto has no secp256k1. */
const WEB_ALGORITHMS: Partial<Readonly<Record<JwsAlgorithm, WebAlgorithm>>> = {
  ES256: ecdsa('P-256', 'SHA-256'),
  ES384: ecdsa('P-384', 'SHA-384'),
  ES512: ecdsa('P-521', 'SHA-512'),
  RS256: pkcs1('SHA-256'),
  RS384: pkcs1('SHA-384'),
  RS512: pkcs1('SHA-512'),
  PS256: pss('SHA-256', 32),
  PS384: pss('SHA-384', 48),
  PS512: pss('SHA-512', 64),
  EdDSA: { importParams: { name: 'Ed25519' }, verifyParams: { name: 'Ed25519' } },
};

/** Imported keys, per trusted key and algorithm: the CryptoKey once imported, the import's promise until then. */
const cryptoKeys = new WeakMap<object, Map<JwsAlgorithm, CryptoKey | Promise<CryptoKey>>>();

function unsupported(alg: JwsAlgorithm): Error {
  const error = new Error(`Web Crypto cannot verify ${alg}`);
  error.name = 'NotSupportedError';
  return error;
}

/** The public members of a key's JWK (a node:crypto KeyObject's export may carry more). */
function publicJwk(key: TrustedPublicKey): JsonWebKey {
  const { kty, crv, x, y, n, e } = (key as { export(options: { format: 'jwk' }): JsonWebKey }).export({ format: 'jwk' });
  const jwk: JsonWebKey = { kty };
  for (const [name, value] of Object.entries({ crv, x, y, n, e })) if (value !== undefined) jwk[name] = value;
  return jwk;
}

function cryptoKeyFor(alg: JwsAlgorithm, web: WebAlgorithm, key: TrustedPublicKey): CryptoKey | Promise<CryptoKey> {
  let byAlg = cryptoKeys.get(key);
  if (!byAlg) {
    byAlg = new Map();
    cryptoKeys.set(key, byAlg);
  }
  const known = byAlg.get(alg);
  if (known !== undefined) return known;
  const cache = byAlg;
  const pending = crypto.subtle.importKey('jwk', publicJwk(key) as webcrypto.JsonWebKey, web.importParams, false, ['verify']).then(
    (cryptoKey) => {
      cache.set(alg, cryptoKey);
      return cryptoKey;
    },
    (error: unknown) => {
      // Not remembered: the next verification tries again.
      cache.delete(alg);
      throw error;
    },
  );
  cache.set(alg, pending);
  return pending;
}

function check(web: WebAlgorithm, cryptoKey: CryptoKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  // As with node:crypto, a signature Web Crypto cannot even parse is one that does not verify.
  return crypto.subtle.verify(web.verifyParams, cryptoKey, signature, data).catch(() => false);
}

/**
 * Checks a JWS signature (ECDSA as R‖S, which is Web Crypto's format too) with Web Crypto, the key
 * imported from its JWK once per algorithm. Rejects when the key cannot be imported (a
 * `NotSupportedError` for an algorithm the runtime lacks); a bad signature resolves `false`.
 */
export function verifyWithWebCrypto(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const web = WEB_ALGORITHMS[alg];
  if (web === undefined) return Promise.reject(unsupported(alg));
  let cryptoKey: CryptoKey | Promise<CryptoKey>;
  try {
    cryptoKey = cryptoKeyFor(alg, web, key);
  } catch (error) {
    return Promise.reject(error);
  }
  // The caller may reuse `data` once this returns (Deno's one signing-input buffer), and Web Crypto
  // reads it only when called (after the key's import, the first time): it gets its own copy.
  const copy = new Uint8Array(data);
  if (!(cryptoKey instanceof Promise)) return check(web, cryptoKey, copy, signature);
  return cryptoKey.then((imported) => check(web, imported, copy, signature));
}
