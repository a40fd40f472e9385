import type { JwsAlgorithm } from './algorithms.js';
import type { TrustedPublicKey, WebCryptoPublicKey } from './public-key.js';

/** A public key the verifier trusts, as a {@link KeyResolver} returns it. */
export interface TrustedKey {
  /** The key's identity reported in results: the KMS key ARN (or the kid of a static key). */
  readonly id: string;
  /** The public key, parsed once: a node:crypto KeyObject, or in the Web Crypto build (workerd, browsers) a {@link WebCryptoPublicKey}. */
  readonly publicKey: TrustedPublicKey;
  /** JWS algorithms this key may verify, derived from its KMS key spec. */
  readonly algorithms: readonly JwsAlgorithm[];
}

/**
 * Where the verifier gets trusted keys: the contract `kms-pubkey-provider` implements.
 *
 * `resolve(kid)` returns the trusted key — synchronously when it is at hand, else a promise — or
 * `undefined` when `kid` names no trusted key (the verifier answers 401 without any I/O). When the
 * key source is down and nothing usable is cached, it throws (or rejects with) a
 * `KeySourceUnavailableError` (503). Any other error is treated as the key source being unavailable.
 */
export interface KeyResolver {
  resolve(kid: string): TrustedKey | undefined | Promise<TrustedKey | undefined>;
}
