import type { JsonWebKey, KeyObject } from 'node:crypto';

/**
 * A public key parsed by the Web Crypto build of this package (the `workerd` and `browser`
 * conditions), where node:crypto's `KeyObject` does not exist: the members of a `KeyObject` that
 * the verifier and kms-pubkey-provider read, with the same values (`namedCurve` in OpenSSL's
 * names: `prime256v1`, `secp384r1`, `secp521r1`).
 */
export interface WebCryptoPublicKey {
  readonly type: 'public';
  readonly asymmetricKeyType: 'ec' | 'rsa' | 'ed25519';
  readonly asymmetricKeyDetails: { readonly namedCurve?: string; readonly modulusLength?: number };
  /** The key as a public JWK (`kty` and its public members only). */
  export(options: { format: 'jwk' }): JsonWebKey;
}

/**
 * A trusted public key as the verifier holds it: a node:crypto `KeyObject` on Node.js, Bun and
 * Deno (and on workerd with `nodejs_compat`, for keys parsed there by node:crypto), or a
 * {@link WebCryptoPublicKey} parsed by the Web Crypto build.
 */
export type TrustedPublicKey = KeyObject | WebCryptoPublicKey;
