import type { JsonWebKey } from 'node:crypto';
import type { TrustedKey } from 'kms-jwt-verifier';

const cache = new WeakMap<TrustedKey, JsonWebKey>();

/**
 * A trusted key as a public JWK: `kid` = the key ARN, `use: 'sig'`, and `alg` when the key verifies
 * exactly one algorithm (an RSA key trusted for several RS and PS algorithms carries no `alg`, which
 * lets JWKS consumers accept each of them). Exported once per key.
 */
export function toJwk(key: TrustedKey): JsonWebKey {
  let jwk = cache.get(key);
  if (jwk === undefined) {
    const exported = key.publicKey.export({ format: 'jwk' });
    const alg = key.algorithms.length === 1 ? key.algorithms[0] : undefined;
    jwk = Object.freeze({ ...exported, kid: key.id, use: 'sig', ...(alg === undefined ? {} : { alg }) });
    cache.set(key, jwk);
  }
  return jwk;
}
