// Key sources. The key cache fetches on demand through `KeySource` (and the alias watcher looks up
// aliases through `AliasSource`); kms-key-source.ts is the KMS one. Sources known at construction
// load into the same parts instead: offline keys (offline-keys.ts) are answered by kid before the
// trusted set, and a snapshot (snapshot-source.ts) seeds the trusted set and the cache with
// `SourcedKey`s, the shape every fetching source answers with too — marked unconfirmed, so that the
// key cache fetches each from its source at once (KeyCache.recheck). Every key a source answers
// passes the same checks in the key cache: the ARN asked for, and the key's `spkiSha256` pin.
import type { KeyFetchFailedEvent, KeyUntrustedReason } from './events.js';
import type { CheckedPublicKey } from './public-key.js';

/** Which trusted key to fetch: its key id, and its key ARN once known. */
export interface KeyAddress {
  readonly keyId: string;
  readonly arn: string | undefined;
}

/**
 * A public key as every source yields it (a GetPublicKey answer, a snapshot entry): the key ARN it
 * belongs to, its key spec, its DER SPKI exactly as the source gave it, and the algorithms it may verify.
 */
export type SourcedKey = CheckedPublicKey;

/** Why a source refuses a key: it answered about the key itself. */
export type RefusalReason = Exclude<KeyUntrustedReason, 'grace-ended'>;

/** A source's answer about one key. */
export type KeyAnswer =
  /** The key, checked before anything trusts it. */
  | { readonly kind: 'key'; readonly key: SourcedKey }
  /** The source answered that the key cannot be trusted, and why (its own error, or a failed check). */
  | { readonly kind: 'refused'; readonly reason: RefusalReason; readonly detail: string | Error };

/**
 * Where the key cache fetches keys from. A source resolves with the key or with why it refuses it,
 * and rejects only when it cannot answer now (outage, throttling, timeout, access denied): the cache
 * then keeps what it has (stale-if-error) and puts the key in the penalty box.
 */
export interface KeySource {
  /** The call that fetches a key, as `KeyFetchFailedEvent.operation` and messages name it. */
  readonly operation: KeyFetchFailedEvent['operation'];
  /** Where the source fetches from (for KMS, the endpoint the client calls), once known: the `endpoint` of key-fetch events. */
  readonly endpoint?: string | undefined;
  /** Fetches the current public key of `key`; `signal` aborts the call when the cache drops the key. */
  fetchKey(key: KeyAddress, signal: AbortSignal): Promise<KeyAnswer>;
}

/** A source's answer about one alias. */
export type AliasAnswer =
  /** The key the alias points to now, and whether the key is enabled. */
  | { readonly kind: 'target'; readonly keyId: string; readonly arn: string; readonly enabled: boolean }
  /** The alias does not exist (any more). */
  | { readonly kind: 'missing'; readonly error: Error };

/** Where the alias watcher learns the target of an alias. Rejects only when it cannot answer now. */
export interface AliasSource {
  /** Where the source looks aliases up, once known: the `endpoint` of key-fetch events. */
  readonly endpoint?: string | undefined;
  describeAlias(alias: string): Promise<AliasAnswer>;
}
