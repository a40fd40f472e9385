import { KeySourceUnavailableError, type TrustedKey } from 'kms-jwt-verifier';
import { KeyProviderConfigError } from './errors.js';
import type { AliasWatcher } from './alias-watcher.js';
import type { KeyCache } from './key-cache.js';
import type { TrustedEntry } from './key-entry.js';
import { keyIdOfArn } from './key-refs.js';
import { describeError } from './kms-errors.js';
import type { Failure } from './penalty-box.js';
import type { ProviderParts } from './provider-parts.js';
import { replicaKey } from './replica-keys.js';
import type { ResolutionTally } from './resolution-tally.js';
import type { KeyResolutionSource } from './telemetry.js';
import type { TrustRecord, TrustSet } from './trust-set.js';

type Resolved = TrustedKey | undefined | Promise<TrustedKey | undefined>;

/**
 * `resolve(kid)`: an offline key, else a member of the trusted set answered from the key cache —
 * synchronously (and without allocating) when it is cached, a promise only on a cold miss, and
 * `undefined` without any call for a kid outside the trusted set. The ARN of a replica of a configured
 * multi-Region key is answered from that key's cache entry (one fetch for all its Regions), with a
 * `TrustedKey` named by the replica's ARN.
 */
export class TrustedKeyResolver {
  readonly #offline: ReadonlyMap<string, TrustedKey>;
  readonly #trust: TrustSet;
  readonly #cache: KeyCache;
  readonly #aliases: AliasWatcher;
  readonly #nowMs: () => number;
  /** Telemetry's tallies, when it asked for them. */
  readonly #tally: ResolutionTally | undefined;
  /** Where the synchronous answer being made comes from (set on the way, for the tally). */
  #source: KeyResolutionSource = 'cache';

  constructor(options: ProviderParts, tally?: ResolutionTally) {
    this.#offline = options.offline;
    this.#trust = options.trust;
    this.#cache = options.cache;
    this.#aliases = options.aliases;
    this.#nowMs = options.nowMs;
    this.#tally = tally;
  }

  resolve(kid: string): Resolved {
    const tally = this.#tally;
    if (tally === undefined) return this.#resolve(kid);
    this.#source = 'cache';
    let answer: Resolved;
    try {
      answer = this.#resolve(kid);
    } catch (error) {
      tally.unavailable();
      throw error;
    }
    return tally.record(this.#source, answer);
  }

  #resolve(kid: string): Resolved {
    if (typeof kid !== 'string') return undefined;
    const offlineKey = this.#offline.get(kid);
    if (offlineKey !== undefined) {
      this.#source = 'offline';
      return offlineKey;
    }
    const record = this.#trust.find(kid);
    if (record !== undefined) return this.#answer(record, kid, false);
    const replicated = this.#trust.findReplica(kid);
    return replicated === undefined ? this.#unknownKid(kid, true) : this.#answer(replicated, kid, true);
  }

  /**
   * Fetches the key `kid` names again now, ahead of its `cacheMaxAgeMs` (for a signal that it may have
   * changed), within the key cache's rate limit; `undefined` when `kid` is not trusted or nothing is fetched.
   */
  recheck(kid: string): Promise<void> | undefined {
    const record = this.#trust.find(kid) ?? this.#trust.findReplica(kid);
    if (record === undefined || !this.#trust.isTrusted(record, this.#nowMs())) return undefined;
    return this.#cache.recheck(record);
  }

  /** The key a trusted entry answers `kid` with: the entry's own, or (for a replica's ARN) the replica's. */
  #keyFor(record: TrustRecord, entry: TrustedEntry, kid: string, replica: boolean): TrustedKey | undefined {
    if (replica) return entry.keyArn === record.arn ? replicaKey(entry.key, kid) : undefined;
    return kid === entry.keyArn || kid === record.keyId ? entry.key : undefined;
  }

  #answer(record: TrustRecord, kid: string, replica: boolean): Resolved {
    const now = this.#nowMs();
    if (!this.#trust.isTrusted(record, now)) {
      this.#trust.prune(record, now);
      return undefined;
    }
    const entry = this.#cache.current(record, now);
    if (entry === undefined) return this.#fetchAndAnswer(record, kid, replica);
    if (entry.kind !== 'trusted') return undefined;
    if (this.#tally !== undefined) this.#note(this.#tally, record, entry, now);
    return this.#keyFor(record, entry, kid, replica);
  }

  /** For the tally: a snapshot's key not confirmed yet, or a key served stale while its refresh fails. */
  #note(tally: ResolutionTally, record: TrustRecord, entry: TrustedEntry, now: number): void {
    if (!entry.confirmed) this.#source = 'snapshot';
    else if (!this.#cache.isFresh(entry, now) && this.#cache.failure(record.keyId) !== undefined) tally.staleServed += 1;
  }

  #unknownKid(kid: string, mayWaitForAliases: boolean): Resolved {
    if (!this.#aliases.allKnown()) {
      // The trusted set is not known until every configured alias is resolved: resolve them (our
      // aliases, never the kid itself), then look again.
      const pending = mayWaitForAliases ? this.#aliases.resolveUnknown() : undefined;
      if (pending === undefined) throw this.#unavailable('the configured aliases cannot be resolved, so the trusted keys are not known yet', this.#aliases.firstFailure());
      return pending.then(() => {
        const record = this.#trust.find(kid);
        return record === undefined ? this.#unknownKid(kid, false) : this.#answer(record, kid, false);
      });
    }
    // A key configured by its key id whose ARN is not learned yet: fetch that key (ours, found by
    // the configured id), then compare its ARN with the kid.
    const keyId = keyIdOfArn(kid);
    const record = keyId === undefined ? undefined : this.#trust.get(keyId);
    if (record === undefined || record.arn !== undefined) return undefined;
    return this.#answer(record, kid, false);
  }

  #fetchAndAnswer(record: TrustRecord, kid: string, replica: boolean): Promise<TrustedKey | undefined> {
    const run = this.#cache.refresh(record, false);
    if (run === undefined) throw this.#noKey(record);
    return run.then(() => this.#settled(record, kid, replica));
  }

  /** What `resolve` answers once a fetch of `record` settled. */
  #settled(record: TrustRecord, kid: string, replica: boolean): TrustedKey | undefined {
    if (!this.#trust.isMember(record)) return undefined;
    const entry = this.#cache.peek(record.keyId);
    if (entry?.kind === 'untrusted') return undefined;
    if (entry?.kind === 'trusted' && this.#cache.isUsable(entry, this.#nowMs())) return this.#keyFor(record, entry, kid, replica);
    throw this.#noKey(record);
  }

  #noKey(record: TrustRecord): KeySourceUnavailableError | KeyProviderConfigError {
    const failure = this.#cache.failure(record.keyId);
    if (failure === undefined && !this.#cache.closed && this.#cache.peek(record.keyId)?.kind === 'trusted') {
      // KMS answered (nothing failed since), but the key it gave is past maxStaleMs by the injected clock (nowMs jumped while it was fetched).
      return new KeySourceUnavailableError(
        `kms-pubkey-provider: the cached public key of ${record.arn ?? record.keyId} is too old to use (older than cacheMaxAgeMs + maxStaleMs by nowMs, and no newer one has been fetched since); retry later`,
      );
    }
    return this.#unavailable(`cannot fetch the public key of ${record.arn ?? record.keyId} and none is cached`, failure);
  }

  #unavailable(what: string, failure: Failure | undefined): KeySourceUnavailableError | KeyProviderConfigError {
    // A configuration mistake found at the first call (a refused KMS endpoint) is not an outage: it is thrown as is.
    if (failure?.error instanceof KeyProviderConfigError) return failure.error;
    const why = this.#cache.closed ? 'the provider is closed' : failure ? describeError(failure.error) : 'no answer from KMS';
    return new KeySourceUnavailableError(`kms-pubkey-provider: ${what} (${why}); retry later`, failure ? { cause: failure.error } : undefined);
  }
}
