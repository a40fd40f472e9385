import type { KeySourceName } from './events.js';
import type { HookEmitter, HookEvent } from './hook-emitter.js';
import { samePublicKey, trustedEntry, untrustedEntry, type KeyEntry, type TrustedEntry } from './key-entry.js';
import type { KeyAnswer, KeySource, RefusalReason } from './key-source.js';
import { asError, errorName } from './kms-errors.js';
import type { Failure, PenaltyBox } from './penalty-box.js';
import { spkiSha256 } from './spki-thumbprint.js';
import type { TrustRecord } from './trust-set.js';

export interface KeyCacheOptions {
  readonly source: KeySource;
  /** Failed fetches by key id: a key is not fetched again within its cooldown unless forced. */
  readonly penaltyBox: PenaltyBox;
  readonly events: HookEmitter;
  readonly nowMs: () => number;
  readonly cacheMaxAgeMs: number;
  readonly maxStaleMs: number;
  readonly maxEntries: number;
  /** Whether a Disabled or PendingDeletion answer stops trusting a cached key. */
  readonly honorKeyState: boolean;
  /** Shortest time between two re-checks of the same key ({@link KeyCache.recheck}). */
  readonly recheckIntervalMs: number;
  /** Binds the key ARN a source answered with to the key asked for; `false` when it names another key. */
  readonly bindArn: (record: TrustRecord, keyArn: string) => boolean;
  /** Called when a fetch settles (answered or failed), to schedule what comes next. */
  readonly onSettled: () => void;
  /** How `onKeyMismatch` names `source`. Default: `'kms'`. */
  readonly sourceName?: KeySourceName;
}

/** Whether an entry is a snapshot's key that the source has not confirmed yet (due for confirmation at once). */
function unconfirmed(entry: KeyEntry | undefined): boolean {
  return entry?.kind === 'trusted' && !entry.confirmed;
}

const noop = (): void => undefined;

/**
 * The keys of the trusted set, as fetched from a key source (jose's createRemoteJWKSet shape: one
 * cache, one in-flight fetch per key). A key is answered fresh for `cacheMaxAgeMs`, then refreshed in
 * the background and still answered while refreshes fail, until `maxStaleMs` more (stale-if-error);
 * a failed fetch puts the key in the penalty box.
 */
export class KeyCache {
  /**
   * The cached entries by key id, least recently used first (a Map keeps insertion order: an entry
   * used is moved to the end), at most `maxEntries`. Stale entries stay, and are served while a
   * refresh runs and after it fails (stale-if-error); `current` decides when stale is too old (`maxStaleMs`).
   */
  readonly #entries = new Map<string, KeyEntry>();
  /** The key id used last (already at the end of `#entries`: using it again moves nothing). */
  #newest: string | undefined;
  readonly #inflight = new Map<string, Promise<void>>();
  /** Aborts the fetch in flight of a key that is forgotten or evicted: its answer is then dropped. */
  readonly #aborts = new Map<string, AbortController>();
  readonly #options: KeyCacheOptions;
  readonly #maxAgeMs: number;
  readonly #maxStaleMs: number;
  #closed = false;

  constructor(options: KeyCacheOptions) {
    this.#options = options;
    this.#maxAgeMs = options.cacheMaxAgeMs;
    this.#maxStaleMs = options.maxStaleMs;
  }

  /** Whether `close()` was called: nothing is fetched any more. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The entry to answer `record` with at `now` (the resolver's hot path: no allocation): fresh, or
   * stale within `maxStaleMs`, starting a background refresh once past `cacheMaxAgeMs`. `undefined`
   * when nothing usable is cached: fetch with {@link KeyCache.refresh}, then answer.
   */
  current(record: TrustRecord, now: number): KeyEntry | undefined {
    const entry = this.#entries.get(record.keyId);
    if (entry === undefined) return undefined;
    if (record.keyId !== this.#newest) this.#touch(record.keyId, entry);
    if (now >= entry.fetchedAt + this.#maxAgeMs) {
      void this.refresh(record, false);
      if (entry.kind === 'trusted' && now >= entry.fetchedAt + this.#maxAgeMs + this.#maxStaleMs) return undefined;
    }
    return entry;
  }

  /** The cached entry, without touching its recency. */
  peek(keyId: string): KeyEntry | undefined {
    return this.#entries.get(keyId);
  }

  /** Whether a trusted entry may still be answered at `now` (fresh, or stale within `maxStaleMs`). */
  isUsable(entry: TrustedEntry, now: number): boolean {
    return now < entry.fetchedAt + this.#maxAgeMs + this.#maxStaleMs;
  }

  /** Whether an entry is younger than `cacheMaxAgeMs` at `now`, and was confirmed by the source (not a snapshot's key waiting for it). */
  isFresh(entry: KeyEntry, now: number): boolean {
    return !unconfirmed(entry) && now < entry.fetchedAt + this.#maxAgeMs;
  }

  /** The last failed fetch of a key, until the source answers. */
  failure(keyId: string): Failure | undefined {
    return this.#options.penaltyBox.failure(keyId);
  }

  /** Caches a key known without a fetch (a snapshot's): unconfirmed, it is fetched at once by {@link KeyCache.recheck} and the scheduler. */
  store(keyId: string, entry: TrustedEntry): void {
    this.#set(keyId, entry);
  }

  /** Forgets a key that left the trusted set: its entry, its failure, and any fetch in flight. */
  forget(keyId: string): void {
    this.#options.penaltyBox.release(keyId);
    this.#entries.delete(keyId);
    if (this.#newest === keyId) this.#newest = undefined;
    this.#aborts.get(keyId)?.abort();
  }

  /** Fetches a key (single-flight); `undefined` while the key is in the penalty box (unless forced) or after close(). */
  refresh(record: TrustRecord, force: boolean): Promise<void> | undefined {
    const running = this.#inflight.get(record.keyId);
    if (running !== undefined) return running;
    if (this.#closed) return undefined;
    if (!force && this.#options.penaltyBox.isBoxed(record.keyId)) return undefined;
    const { keyId } = record;
    const abort = new AbortController();
    this.#aborts.set(keyId, abort);
    const run = this.#fetch(record, this.#entries.get(keyId), abort.signal)
      .then((entry) => {
        // A key forgotten or evicted meanwhile is not cached again; a failed fetch keeps what was cached.
        if (!abort.signal.aborted) this.#set(keyId, entry);
      }, noop)
      .finally(() => {
        this.#aborts.delete(keyId);
        this.#inflight.delete(keyId);
        this.#options.onSettled();
      });
    this.#inflight.set(record.keyId, run);
    return run;
  }

  /**
   * Re-checks a key now, ahead of `cacheMaxAgeMs` (for a signal that it may have changed), rate-limited:
   * joins a fetch in flight, and does nothing (`undefined`) when the key was confirmed less than
   * `recheckIntervalMs` ago, is in the penalty box, or the cache is closed. A snapshot's key not
   * confirmed yet is always re-checked.
   */
  recheck(record: TrustRecord): Promise<void> | undefined {
    const running = this.#inflight.get(record.keyId);
    if (running !== undefined) return running;
    const entry = this.#entries.get(record.keyId);
    if (entry !== undefined && !unconfirmed(entry) && this.#options.nowMs() < entry.fetchedAt + this.#options.recheckIntervalMs) return undefined;
    return this.refresh(record, false);
  }

  /** An alias's target was seen with this key state: fetch the key when it is not cached, or when the state disagrees with the cache. */
  noteKeyState(record: TrustRecord, enabled: boolean): Promise<void> | undefined {
    const entry = this.#entries.get(record.keyId);
    const stateChanged =
      entry !== undefined &&
      this.#options.honorKeyState &&
      (entry.kind === 'trusted' ? !enabled : enabled && (entry.reason === 'disabled' || entry.reason === 'invalid-state'));
    return entry === undefined || stateChanged ? this.refresh(record, stateChanged) : undefined;
  }

  /** When (epoch ms) the next of `records` is due for a refresh (or its retry), `Infinity` when none. */
  nextDueAt(records: Iterable<TrustRecord>): number {
    let next = Infinity;
    for (const record of records) {
      if (this.#inflight.has(record.keyId)) continue;
      const entry = this.#entries.get(record.keyId);
      if (entry === undefined) continue;
      const due = unconfirmed(entry) ? 0 : entry.fetchedAt + this.#maxAgeMs;
      next = Math.min(next, Math.max(due, this.#options.penaltyBox.releaseAt(record.keyId) ?? 0));
    }
    return next;
  }

  /** Starts a background refresh of each of `records` past `cacheMaxAgeMs`, or not confirmed yet (the penalty box permitting). */
  refreshDue(records: Iterable<TrustRecord>, now: number): void {
    for (const record of records) {
      const entry = this.#entries.get(record.keyId);
      if (entry !== undefined && (unconfirmed(entry) || now >= entry.fetchedAt + this.#maxAgeMs)) void this.refresh(record, false);
    }
  }

  close(): void {
    this.#closed = true;
  }

  /** Makes `keyId` the most recently used. */
  #touch(keyId: string, entry: KeyEntry): void {
    this.#entries.delete(keyId);
    this.#entries.set(keyId, entry);
    this.#newest = keyId;
  }

  /** Caches `entry` as the most recently used, evicting the least recently used key (and aborting its fetch) past `maxEntries`. */
  #set(keyId: string, entry: KeyEntry): void {
    this.#touch(keyId, entry);
    if (this.#entries.size <= this.#options.maxEntries) return;
    const oldest = this.#entries.keys().next().value as string;
    this.#entries.delete(oldest);
    this.#aborts.get(oldest)?.abort();
  }

  /** One fetch from the source, judged before trust. Rejects only when the source is unavailable. */
  async #fetch(record: TrustRecord, stale: KeyEntry | undefined, signal: AbortSignal): Promise<KeyEntry> {
    const { source, penaltyBox, events } = this.#options;
    let answer: KeyAnswer;
    try {
      answer = await source.fetchKey(record, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      penaltyBox.fail(record.keyId, asError(error));
      events.emit('onKeyFetchFailed', {
        key: record.arn ?? record.keyId,
        operation: source.operation,
        errorName: errorName(error),
        error: asError(error),
        servingStaleUntilMs: stale?.kind === 'trusted' ? stale.fetchedAt + this.#maxAgeMs + this.#maxStaleMs : undefined,
        endpoint: source.endpoint,
      });
      throw error;
    }
    penaltyBox.release(record.keyId);
    return this.#judge(record, stale, answer, this.#options.nowMs());
  }

  /** The entry a source's answer makes: trusted only for the key asked for. */
  #judge(record: TrustRecord, stale: KeyEntry | undefined, answer: KeyAnswer, now: number): KeyEntry {
    if (answer.kind === 'refused') {
      const keyState = answer.reason === 'disabled' || answer.reason === 'invalid-state';
      // honorKeyState: false keeps trusting a key the source reports Disabled or PendingDeletion (but
      // cannot learn a public key it never fetched, nor confirm a snapshot's).
      if (keyState && !this.#options.honorKeyState && stale?.kind === 'trusted' && stale.confirmed) return { ...stale, fetchedAt: now };
      return this.#untrusted(record, stale, answer.reason, answer.detail, now);
    }
    const sourced = answer.key;
    const asked = record.arn ?? record.keyId;
    if (!this.#options.bindArn(record, sourced.keyArn)) {
      return this.#untrusted(record, stale, 'unusable', `${this.#options.source.operation} answered for ${sourced.keyArn}, not for ${asked}`, now);
    }
    const pin = record.spkiSha256;
    if (pin !== undefined && spkiSha256(sourced.publicKey) !== pin) {
      const message = `the public key ${this.#options.source.operation} returned for ${sourced.keyArn} does not match its pinned spkiSha256`;
      this.#mismatch({ keyArn: sourced.keyArn, source: this.#options.sourceName ?? 'kms', expected: 'pin', outcome: 'refused', message });
      return this.#untrusted(record, stale, 'spki-mismatch', message, now);
    }
    if (stale?.kind === 'trusted' && !stale.confirmed && !samePublicKey(stale, sourced)) {
      const message = `the snapshot's public key for ${sourced.keyArn} is not the one ${this.#options.source.operation} returns; the snapshot's key is no longer trusted`;
      this.#mismatch({ keyArn: sourced.keyArn, source: 'snapshot', expected: 'kms', outcome: 'replaced', message });
    }
    const entry = trustedEntry(sourced, stale, now);
    const changed = stale?.kind !== 'trusted' || stale.key !== entry.key;
    this.#options.events.emit('onKeyFetched', { keyArn: sourced.keyArn, keySpec: sourced.keySpec, algorithms: entry.key.algorithms, changed, endpoint: this.#options.source.endpoint });
    return entry;
  }

  #mismatch(event: HookEvent<'onKeyMismatch'>): void {
    this.#options.events.emit('onKeyMismatch', event);
  }

  #untrusted(record: TrustRecord, stale: KeyEntry | undefined, reason: RefusalReason, detail: string | Error, now: number): KeyEntry {
    const entry = untrustedEntry(record.arn ?? record.keyId, reason, detail, now);
    if (stale?.kind !== 'untrusted' || stale.reason !== reason) {
      this.#options.events.emit('onKeyUntrusted', { keyArn: entry.keyArn, reason, message: entry.message });
    }
    return entry;
  }
}
