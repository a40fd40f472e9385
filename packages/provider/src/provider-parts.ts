import type { TrustedKey } from 'kms-jwt-verifier';
import type { AliasWatcher } from './alias-watcher.js';
import type { KeyCache } from './key-cache.js';
import type { TrustSet } from './trust-set.js';

/** The parts a provider is made of, as the factory wires them. */
export interface ProviderParts {
  /** Offline keys by kid (and by key id for a key ARN kid): trusted as given, never fetched. */
  readonly offline: ReadonlyMap<string, TrustedKey>;
  /** Offline kids left out because their key does not match its pinned `spkiSha256` (for `ready()`). */
  readonly offlinePinFailures: readonly string[];
  /** Which KMS keys are trusted, and why. */
  readonly trust: TrustSet;
  /** The trusted keys' public keys, as fetched. */
  readonly cache: KeyCache;
  /** The configured aliases' targets. */
  readonly aliases: AliasWatcher;
  readonly nowMs: () => number;
}
