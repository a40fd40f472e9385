import type { JwsAlgorithm } from 'kms-jwt-verifier';
import type { JwksAllowlist } from './jwks-allowlist.js';
import { freshnessMs, type FreshnessBounds } from './jwks-cache-control.js';
import { parseJwksDocument } from './jwks-document.js';
import { JwksInvalidError } from './jwks-errors.js';
import type { JwksHookEmitter, JwksKeyIgnoredReason, JwksWithdrawnKey } from './jwks-events.js';
import { JwksRequestError, requestJwks, type JwksResponse } from './jwks-http.js';
import { checkJwk } from './jwks-key-check.js';
import type { JwksUrl } from './jwks-url.js';
import { trustedEntry, type TrustedEntry } from './key-entry.js';
import type { SourcedKey } from './key-source.js';
import { asError } from './kms-errors.js';
import type { Failure, PenaltyBox } from './penalty-box.js';
import type { MaintenanceTask } from './scheduler.js';
import type { TrustSet } from './trust-set.js';

export interface RemoteJwksOptions {
  readonly url: JwksUrl;
  /** Which kids the JWKS may make trusted. */
  readonly allowlist: JwksAllowlist;
  /** The `algorithms` option. */
  readonly algorithms: readonly JwsAlgorithm[] | undefined;
  /** Moves each key's trust as the JWKS lists it, and stops listing it. */
  readonly trust: TrustSet;
  /** Failed fetches: the JWKS is not asked again within its cooldown unless forced. */
  readonly penaltyBox: PenaltyBox;
  readonly events: JwksHookEmitter;
  readonly nowMs: () => number;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxKeys: number;
  /** How long an answer without `max-age` is fresh. */
  readonly cacheMaxAgeMs: number;
  readonly freshness: FreshnessBounds;
  readonly maxStaleMs: number;
  readonly unknownKidCooldownMs: number;
  /** Called when a fetch settles (answered or failed), to schedule what comes next. */
  readonly onSettled: () => void;
}

/** An entry of the document that is not trusted. */
export interface IgnoredJwk {
  readonly kid: string | undefined;
  readonly reason: JwksKeyIgnoredReason;
}

/** The JWKS document at hand. */
interface JwksDocument {
  readonly etag: string | undefined;
  /** How long an answer about it stays fresh: the last `max-age` (within bounds), for a 304 that gives none. */
  lifetimeMs: number;
  /** Until when (epoch ms) the last answer (200 or 304) is fresh. */
  freshUntil: number;
  /** The key ARNs it lists that are trusted. */
  readonly listed: ReadonlySet<string>;
  /** Its entries that are not trusted, by reason and kid (or position), each reported once. */
  readonly ignored: ReadonlyMap<string, IgnoredJwk>;
}

const PENALTY = 'jwks';

function kidOf(entry: unknown): string | undefined {
  const kid = typeof entry === 'object' && entry !== null ? (entry as { kid?: unknown }).kid : undefined;
  return typeof kid === 'string' && kid.length > 0 ? kid : undefined;
}

/**
 * The remote JWKS as one cached document (jose's createRemoteJWKSet shape: one document, one fetch in
 * flight): fetched on demand and when its `max-age` (within bounds) runs out, conditionally with its
 * `ETag`; each answer moves trust in the trusted set (a key it stops listing enters its grace window).
 * The keys at hand are answered fresh, then stale while fetches fail, until `maxStaleMs` more
 * (stale-if-error); a failed fetch puts the JWKS in the penalty box.
 */
export class RemoteJwks implements MaintenanceTask {
  readonly #options: RemoteJwksOptions;
  /** Public keys by key ARN: those the document lists and those within their grace window. */
  readonly #keys = new Map<string, TrustedEntry>();
  readonly #closer = new AbortController();
  #doc: JwksDocument | undefined;
  #inflight: Promise<void> | undefined;
  #attempted = false;
  #lastStartedAt = -Infinity;
  #closed = false;

  constructor(options: RemoteJwksOptions) {
    this.#options = options;
  }

  /** Whether `close()` was called: nothing is fetched any more. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The public key of a trusted key ARN, as last listed. */
  entry(arn: string): TrustedEntry | undefined {
    return this.#keys.get(arn);
  }

  /** Forgets a key that left the trusted set. */
  forget(arn: string): void {
    this.#keys.delete(arn);
  }

  /** Whether the last answer is fresh at `now`. */
  isFresh(now: number): boolean {
    return this.#doc !== undefined && now < this.#doc.freshUntil;
  }

  /** Whether the keys at hand may be answered at `now`: fresh, or stale within `maxStaleMs`. */
  isUsable(now: number): boolean {
    return this.#doc !== undefined && now < this.#doc.freshUntil + this.#options.maxStaleMs;
  }

  /** Whether the JWKS ever answered with a document (usable or not). */
  hasDocument(): boolean {
    return this.#doc !== undefined;
  }

  /** The last failed fetch, until the JWKS answers. */
  failure(): Failure | undefined {
    return this.#options.penaltyBox.failure(PENALTY);
  }

  /** How many keys the document lists that are trusted. */
  listedCount(): number {
    return this.#doc?.listed.size ?? 0;
  }

  /** The document's entries that are not trusted. */
  ignored(): IgnoredJwk[] {
    return [...(this.#doc?.ignored.values() ?? [])];
  }

  /** Fetches the JWKS (single-flight); `undefined` while it is in the penalty box (unless forced) or after close(). */
  refresh(force: boolean): Promise<void> | undefined {
    if (this.#inflight !== undefined) return this.#inflight;
    if (this.#closed) return undefined;
    if (!force && this.#options.penaltyBox.isBoxed(PENALTY)) return undefined;
    this.#attempted = true;
    this.#lastStartedAt = this.#options.nowMs();
    const run = this.#fetch().finally(() => {
      this.#inflight = undefined;
      this.#options.onSettled();
    });
    this.#inflight = run;
    return run;
  }

  /**
   * For a kid the JWKS may list but does not (a key may just have been added): joins a fetch in
   * flight, else fetches unless the last fetch started less than `unknownKidCooldownMs` ago (or the
   * JWKS is in the penalty box). So random kids cost at most one fetch per cooldown.
   */
  refreshForUnknownKid(): Promise<void> | undefined {
    if (this.#inflight !== undefined) return this.#inflight;
    if (this.#options.nowMs() < this.#lastStartedAt + this.#options.unknownKidCooldownMs) return undefined;
    return this.refresh(false);
  }

  /** When (epoch ms) the JWKS is due for a fetch (or its retry), once it was asked for; `Infinity` when not. */
  nextDueAt(): number {
    if (this.#inflight !== undefined || !this.#attempted || this.#closed) return Infinity;
    const retryAt = this.#options.penaltyBox.releaseAt(PENALTY);
    if (this.#doc === undefined) return retryAt ?? Infinity;
    return Math.max(this.#doc.freshUntil, retryAt ?? 0);
  }

  runDue(now: number): void {
    if (now >= this.nextDueAt()) void this.refresh(false);
  }

  /** Stops for good: a fetch in flight is aborted and none starts again. */
  close(): void {
    this.#closed = true;
    this.#closer.abort(new Error('kms-pubkey-provider: the provider is closed'));
  }

  async #fetch(): Promise<void> {
    const options = this.#options;
    let listed: readonly unknown[] | undefined;
    let response: JwksResponse;
    try {
      response = await requestJwks({
        url: options.url.url,
        shown: options.url.shown,
        etag: this.#doc?.etag,
        requestTimeoutMs: options.requestTimeoutMs,
        maxResponseBytes: options.maxResponseBytes,
        signal: this.#closer.signal,
      });
      if (response.status === 200) listed = parseJwksDocument(response.body, options.url.shown, options.maxKeys);
    } catch (error) {
      if (!this.#closed) this.#fail(asError(error));
      return;
    }
    if (this.#closed) return;
    options.penaltyBox.release(PENALTY);
    const now = options.nowMs();
    const lifetimeMs = freshnessMs(response.headers, options.freshness);
    if (response.status === 304 || listed === undefined) this.#confirm(lifetimeMs, now);
    else this.#apply(listed, response.etag, lifetimeMs ?? options.cacheMaxAgeMs, now);
  }

  /** A 304: the document at hand still holds; its freshness starts again. */
  #confirm(lifetimeMs: number | undefined, now: number): void {
    const doc = this.#doc as JwksDocument;
    doc.lifetimeMs = lifetimeMs ?? doc.lifetimeMs;
    doc.freshUntil = now + doc.lifetimeMs;
    this.#options.events.emit('onJwksFetched', { url: this.#options.url.shown, status: 304, keyArns: [...doc.listed], withdrawn: [], freshUntilMs: doc.freshUntil });
  }

  /** A new document: each entry judged, the trusted set moved to what it lists. */
  #apply(entries: readonly unknown[], etag: string | undefined, lifetimeMs: number, now: number): void {
    const { allowlist, algorithms, trust, events, url } = this.#options;
    const kidCounts = new Map<string, number>();
    for (const entry of entries) {
      const kid = kidOf(entry);
      if (kid !== undefined) kidCounts.set(kid, (kidCounts.get(kid) ?? 0) + 1);
    }
    const listed = new Map<string, SourcedKey>();
    const ignored = new Map<string, IgnoredJwk>();
    const previous = this.#doc?.ignored;
    entries.forEach((entry, index) => {
      let verdict = checkJwk(entry, allowlist, algorithms);
      const count = kidCounts.get(kidOf(entry) ?? '') ?? 0;
      if (verdict.kind === 'key' && count > 1) {
        verdict = { kind: 'ignored', kid: verdict.key.keyArn, reason: 'duplicate-kid', message: `the JWKS lists this kid ${count} times; none of its entries is trusted until the issuer lists it once` };
      }
      if (verdict.kind === 'key') {
        listed.set(verdict.key.keyArn, verdict.key);
        return;
      }
      const id = `${verdict.reason}\u0000${verdict.kid ?? `#${index}`}`;
      ignored.set(id, { kid: verdict.kid, reason: verdict.reason });
      if (previous?.has(id) !== true) events.emit('onJwksKeyIgnored', { url: url.shown, index, kid: verdict.kid, reason: verdict.reason, message: verdict.message });
    });
    for (const [arn, key] of listed) {
      trust.list(url.shown, arn);
      this.#keys.set(arn, trustedEntry(key, this.#keys.get(arn), now));
    }
    const withdrawn: JwksWithdrawnKey[] = [];
    for (const arn of this.#doc?.listed ?? []) {
      const record = listed.has(arn) ? undefined : trust.find(arn);
      if (record !== undefined) withdrawn.push({ keyArn: arn, graceUntilMs: trust.unlist(url.shown, record, now) });
    }
    this.#doc = { etag, lifetimeMs, freshUntil: now + lifetimeMs, listed: new Set(listed.keys()), ignored };
    events.emit('onJwksFetched', { url: url.shown, status: 200, keyArns: [...listed.keys()], withdrawn, freshUntilMs: now + lifetimeMs });
  }

  #fail(error: Error): void {
    const { penaltyBox, events, url, maxStaleMs, nowMs } = this.#options;
    penaltyBox.fail(PENALTY, error);
    const staleUntil = this.#doc === undefined ? undefined : this.#doc.freshUntil + maxStaleMs;
    events.emit('onJwksFetchFailed', {
      url: url.shown,
      reason: error instanceof JwksInvalidError ? 'invalid' : error instanceof JwksRequestError ? error.reason : 'network',
      httpStatus: error instanceof JwksRequestError ? error.httpStatus : undefined,
      error,
      servingStaleUntilMs: staleUntil !== undefined && nowMs() < staleUntil ? staleUntil : undefined,
    });
  }
}
