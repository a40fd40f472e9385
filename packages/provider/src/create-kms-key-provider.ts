import type { KMSClient } from '@aws-sdk/client-kms';
import { KeySourceUnavailableError, type JsonWebKeySet, type KeyResolver, type KmsSigningKeySpec, type TrustedKey } from 'kms-jwt-verifier';
import { LRUCache } from 'lru-cache';
import { KeyProviderConfigError } from './errors.js';
import type { KeyUntrustedReason } from './events.js';
import { toJwk } from './jwks.js';
import { keyIdOfArn } from './key-refs.js';
import { asError, classifyKmsError, describeError, errorName } from './kms-errors.js';
import { loadOfflineKeys } from './offline-keys.js';
import { toSettings, type KmsKeyProviderOptions, type Settings } from './options.js';
import { checkPublicKey } from './public-key.js';
import { parseSnapshot, readSnapshot, type KmsKeySnapshot, type KmsKeySnapshotAlias, type KmsKeySnapshotKey } from './snapshot.js';
import { MAX_TIMER_DELAY_MS } from './timers.js';

/** A `KeyResolver` over trusted KMS keys (and offline keys), for `createVerifier({ keys: provider })`. */
export interface KmsKeyProvider extends KeyResolver {
  /**
   * The trusted key `kid` names (a key ARN or key id): synchronously when it is cached (fresh, or
   * stale within `maxStaleMs` while a refresh runs), a promise only on a cold miss, and `undefined`
   * synchronously, without any KMS call, for a kid outside the trusted set or a key that stopped
   * being trusted. The same `TrustedKey` object is returned for as long as the key stays trusted and
   * unchanged. Throws (or rejects with) `KeySourceUnavailableError` when KMS cannot be reached and
   * nothing usable is cached.
   */
  resolve(kid: string): TrustedKey | undefined | Promise<TrustedKey | undefined>;
  /**
   * Resolves every configured alias and fetches every configured key now; rejects with an error
   * naming each key that cannot be used and why: `KeyProviderConfigError` (ERR_CONFIG_INVALID) when
   * KMS answered (not found, disabled, pending deletion, access denied, wrong key usage or spec),
   * else `KeySourceUnavailableError` (ERR_KEY_SOURCE_UNAVAILABLE). Keys and aliases still fresh (such
   * as those loaded from a snapshot) are not fetched again.
   */
  ready(): Promise<void>;
  /** The same as {@link KmsKeyProvider.ready}. */
  hydrate(): Promise<void>;
  /** The trusted keys at hand (current, within grace, offline) as a JWKS: `kid` = key ARN, `use: 'sig'`, `alg`. */
  exportJwks(): JsonWebKeySet;
  /** The trusted public keys and alias targets, JSON-safe, for the `snapshot` option of a later cold start. */
  exportSnapshot(): KmsKeySnapshot;
  /** Stops background refreshes; cached keys keep being answered but KMS is never called again. */
  close(): void;
}

interface TrustedEntry {
  readonly kind: 'trusted';
  readonly key: TrustedKey;
  readonly keyArn: string;
  readonly keySpec: KmsSigningKeySpec;
  readonly spki: Buffer;
  /** When KMS last confirmed the key (epoch ms). */
  readonly fetchedAt: number;
}

interface UntrustedEntry {
  readonly kind: 'untrusted';
  readonly keyArn: string;
  readonly reason: Exclude<KeyUntrustedReason, 'grace-ended'>;
  readonly message: string;
  /** KMS's answer, when it was an error. */
  readonly error: Error | undefined;
  readonly fetchedAt: number;
}

type KeyEntry = TrustedEntry | UntrustedEntry;

interface Failure {
  readonly at: number;
  readonly error: Error;
}

interface AliasState {
  readonly ref: string;
  target: { readonly keyId: string; readonly arn: string } | undefined;
  /** Whether DescribeKey ever answered definitively (a target, or "no such alias"). */
  known: boolean;
  /** Whether it was ever asked (only then is it refreshed in the background). */
  attempted: boolean;
  /** When DescribeKey last answered definitively. */
  checkedAt: number;
  failure: Failure | undefined;
  /** NotFoundException from the last answer: the alias does not exist. */
  missing: Error | undefined;
  inflight: Promise<void> | undefined;
}

/** A key in the trusted set, and why it is trusted. */
interface TrustRecord {
  readonly keyId: string;
  arn: string | undefined;
  /** The `keys` entry that names it directly, if any. */
  configuredAs: string | undefined;
  /** Aliases that point to it now. */
  readonly currentOf: Set<AliasState>;
  /** Aliases that pointed to it, with the end of each grace window (epoch ms). */
  readonly retiredFrom: Map<AliasState, number>;
}

const UNTRUSTED_TEXT: Readonly<Record<UntrustedEntry['reason'], string>> = {
  'not-found': 'KMS does not know this key',
  disabled: 'the key is disabled',
  'invalid-state': 'the key is pending deletion (or otherwise not usable)',
  unusable: 'the key cannot verify tokens',
};

const noop = (): void => undefined;

let sdkModule: Promise<typeof import('@aws-sdk/client-kms')> | undefined;

/** Loads the SDK on the first KMS call, so offline-only use does not need it installed. */
function sdk(): Promise<typeof import('@aws-sdk/client-kms')> {
  sdkModule ??= import('@aws-sdk/client-kms').catch((error: unknown) => {
    sdkModule = undefined;
    throw new Error('kms-pubkey-provider: @aws-sdk/client-kms (a peer dependency) is not installed; install it, or trust keys through offlineKeys only', {
      cause: error,
    });
  });
  return sdkModule;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/**
 * Creates a key provider for `createVerifier({ keys })`. Nothing is fetched here: call
 * `ready()` at boot to fail fast, or let the first `resolve` fetch. Every configuration mistake
 * throws a `KeyProviderConfigError` (ERR_CONFIG_INVALID) here.
 */
export function createKmsKeyProvider(options: KmsKeyProviderOptions): KmsKeyProvider {
  const settings: Settings = toSettings(options);
  const { nowMs, timers, hooks, cacheMaxAgeMs, maxStaleMs, failureCooldownMs } = settings;
  const offline = loadOfflineKeys(settings.offlineKeys, settings.algorithms);

  /** The trusted set by key id, and by every kid that names a member (key id, key ARN). */
  const records = new Map<string, TrustRecord>();
  const byKid = new Map<string, TrustRecord>();
  const aliases: AliasState[] = [];
  /** The last failed GetPublicKey per key id, cleared by any answer from KMS: the penalty box. */
  const failures = new Map<string, Failure>();
  const inflight = new Map<string, Promise<void>>();
  let closed = false;
  let timer: unknown;
  let timerAt = Infinity;
  let client: Promise<KMSClient> | undefined;
  let ownClient: KMSClient | undefined;

  function emit<E>(hook: ((event: E) => void) | undefined, event: E): void {
    if (hook === undefined) return;
    try {
      hook(event);
    } catch {
      // A failing hook must not break key resolution.
    }
  }

  function learnArn(record: TrustRecord, arn: string): void {
    if (record.arn !== undefined) return;
    record.arn = arn;
    byKid.set(arn, record);
  }

  function ensureRecord(keyId: string, arn: string | undefined): TrustRecord {
    let record = records.get(keyId);
    if (record === undefined) {
      record = { keyId, arn: undefined, configuredAs: undefined, currentOf: new Set(), retiredFrom: new Map() };
      records.set(keyId, record);
      byKid.set(keyId, record);
    }
    if (arn !== undefined) learnArn(record, arn);
    return record;
  }

  for (const ref of settings.refs) {
    if (ref.kind === 'alias') {
      aliases.push({ ref: ref.ref, target: undefined, known: false, attempted: false, checkedAt: 0, failure: undefined, missing: undefined, inflight: undefined });
    } else {
      ensureRecord(ref.keyId, ref.arn).configuredAs = ref.ref;
    }
  }
  for (const kid of offline.keys()) {
    if (byKid.has(kid)) throw new KeyProviderConfigError(`kid ${kid} is given both in keys and in offlineKeys; trust it one way`);
  }

  const cache = new LRUCache<string, KeyEntry, TrustRecord>({
    max: settings.cacheMaxEntries,
    ttl: cacheMaxAgeMs,
    // Staleness follows the injected clock exactly (no cached time, no timers of its own).
    ttlResolution: 0,
    perf: { now: nowMs },
    // Stale keys stay and are served while a refresh runs, and after it fails (stale-if-error);
    // `resolve` decides when stale is too old (`maxStaleMs`).
    allowStale: true,
    noDeleteOnStaleGet: true,
    allowStaleOnFetchRejection: true,
    fetchMethod: (_keyId, stale, { signal, context }) => fetchKey(context, stale, signal),
  });

  function getClient(): Promise<KMSClient> {
    if (settings.client !== undefined) return Promise.resolve(settings.client);
    client ??= sdk().then(({ KMSClient }) => (ownClient = new KMSClient({})));
    return client;
  }

  function isTrusted(record: TrustRecord, now: number): boolean {
    if (record.configuredAs !== undefined || record.currentOf.size > 0) return true;
    for (const until of record.retiredFrom.values()) if (now < until) return true;
    return false;
  }

  /** Drops ended grace windows; a key trusted no other way leaves the trusted set. Returns whether it is still trusted. */
  function prune(record: TrustRecord, now: number): boolean {
    for (const [alias, until] of record.retiredFrom) if (now >= until) record.retiredFrom.delete(alias);
    if (isTrusted(record, now)) return true;
    if (records.get(record.keyId) === record) {
      records.delete(record.keyId);
      byKid.delete(record.keyId);
      if (record.arn !== undefined) byKid.delete(record.arn);
      failures.delete(record.keyId);
      cache.delete(record.keyId);
      emit(hooks.onKeyUntrusted, {
        keyArn: record.arn ?? record.keyId,
        reason: 'grace-ended' as const,
        message: `no configured alias points to this key any more and its grace window (retiredKeyGraceMs: ${settings.retiredKeyGraceMs} ms) has ended`,
      });
    }
    return false;
  }

  function untrusted(record: TrustRecord, stale: KeyEntry | undefined, reason: UntrustedEntry['reason'], detail: string | Error, now: number): UntrustedEntry {
    const keyArn = record.arn ?? record.keyId;
    const message = `${UNTRUSTED_TEXT[reason]} (${typeof detail === 'string' ? detail : describeError(detail)})`;
    if (stale?.kind !== 'untrusted' || stale.reason !== reason) emit(hooks.onKeyUntrusted, { keyArn, reason, message });
    return { kind: 'untrusted', keyArn, reason, message, error: typeof detail === 'string' ? undefined : detail, fetchedAt: now };
  }

  /** The fetchMethod: one GetPublicKey, checked before trust. Rejects only when KMS is unavailable. */
  async function fetchKey(record: TrustRecord, stale: KeyEntry | undefined, signal: AbortSignal): Promise<KeyEntry> {
    let answer;
    // Not AbortSignal.timeout(): on Node 20 a timeout signal reachable only through AbortSignal.any()
    // can be garbage-collected before it fires, and the call then waits as long as KMS does
    // (nodejs/node#57736). The timer below holds its controller until it fires or is cleared.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException(`KMS did not answer within ${settings.requestTimeoutMs} ms`, 'TimeoutError')), settings.requestTimeoutMs);
    timer.unref();
    try {
      const [kms, { GetPublicKeyCommand }] = await Promise.all([getClient(), sdk()]);
      answer = await kms.send(new GetPublicKeyCommand({ KeyId: record.arn ?? record.keyId }), { abortSignal: AbortSignal.any([signal, timeout.signal]) });
    } catch (error) {
      if (signal.aborted) throw error;
      const now = nowMs();
      const failure = classifyKmsError(error);
      if (failure.kind === 'untrusted') {
        failures.delete(record.keyId);
        const keyState = failure.reason === 'disabled' || failure.reason === 'invalid-state';
        // honorKeyState: false keeps trusting a key KMS reports Disabled or PendingDeletion (but
        // cannot learn a public key it never fetched).
        if (keyState && !settings.honorKeyState && stale?.kind === 'trusted') return { ...stale, fetchedAt: now };
        return untrusted(record, stale, failure.reason, asError(error), now);
      }
      failures.set(record.keyId, { at: now, error: asError(error) });
      emit(hooks.onKeyFetchFailed, {
        key: record.arn ?? record.keyId,
        operation: 'GetPublicKey' as const,
        errorName: errorName(error),
        error: asError(error),
        servingStaleUntilMs: stale?.kind === 'trusted' ? stale.fetchedAt + cacheMaxAgeMs + maxStaleMs : undefined,
      });
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const now = nowMs();
    failures.delete(record.keyId);
    const checked = checkPublicKey(answer, settings.algorithms);
    if (typeof checked === 'string') return untrusted(record, stale, 'unusable', checked, now);
    if (keyIdOfArn(checked.keyArn) !== record.keyId || (record.arn !== undefined && record.arn !== checked.keyArn)) {
      return untrusted(record, stale, 'unusable', `GetPublicKey answered for ${checked.keyArn}, not for ${record.arn ?? record.keyId}`, now);
    }
    learnArn(record, checked.keyArn);
    const same = stale?.kind === 'trusted' && stale.spki.equals(checked.spki) && sameList(stale.key.algorithms, checked.algorithms);
    const key: TrustedKey = same ? stale.key : Object.freeze({ id: checked.keyArn, publicKey: checked.publicKey, algorithms: checked.algorithms });
    emit(hooks.onKeyFetched, { keyArn: checked.keyArn, keySpec: checked.keySpec, algorithms: key.algorithms, changed: !same });
    return { kind: 'trusted', key, keyArn: checked.keyArn, keySpec: checked.keySpec, spki: checked.spki, fetchedAt: now };
  }

  /** Fetches a key (single-flight); `undefined` while the key is in the penalty box (unless forced) or after close(). */
  function refresh(record: TrustRecord, force: boolean): Promise<void> | undefined {
    const running = inflight.get(record.keyId);
    if (running !== undefined) return running;
    if (closed) return undefined;
    const failure = failures.get(record.keyId);
    if (!force && failure !== undefined && nowMs() < failure.at + failureCooldownMs) return undefined;
    const run = cache
      .fetch(record.keyId, { forceRefresh: true, allowStale: false, context: record })
      .then(noop, noop)
      .finally(() => {
        inflight.delete(record.keyId);
        schedule();
      });
    inflight.set(record.keyId, run);
    return run;
  }

  function unavailable(what: string, failure: Failure | undefined): KeySourceUnavailableError {
    const why = closed ? 'the provider is closed' : failure ? describeError(failure.error) : 'no answer from KMS';
    return new KeySourceUnavailableError(`kms-pubkey-provider: ${what} (${why}); retry later`, failure ? { cause: failure.error } : undefined);
  }

  /** What `resolve` answers once a fetch of `record` settled. */
  function settled(record: TrustRecord, kid: string): TrustedKey | undefined {
    if (records.get(record.keyId) !== record) return undefined;
    const entry = cache.peek(record.keyId);
    if (entry?.kind === 'untrusted') return undefined;
    if (entry?.kind === 'trusted' && nowMs() < entry.fetchedAt + cacheMaxAgeMs + maxStaleMs) {
      return kid === entry.keyArn || kid === record.keyId ? entry.key : undefined;
    }
    throw unavailable(`cannot fetch the public key of ${record.arn ?? record.keyId} and none is cached`, failures.get(record.keyId));
  }

  function fetchAndAnswer(record: TrustRecord, kid: string): Promise<TrustedKey | undefined> {
    const run = refresh(record, false);
    if (run === undefined) throw unavailable(`cannot fetch the public key of ${record.arn ?? record.keyId} and none is cached`, failures.get(record.keyId));
    return run.then(() => settled(record, kid));
  }

  function answer(record: TrustRecord, kid: string): TrustedKey | undefined | Promise<TrustedKey | undefined> {
    const now = nowMs();
    if (!isTrusted(record, now)) {
      prune(record, now);
      return undefined;
    }
    const entry = cache.get(record.keyId);
    if (entry === undefined) return fetchAndAnswer(record, kid);
    if (now >= entry.fetchedAt + cacheMaxAgeMs) {
      void refresh(record, false);
      if (entry.kind === 'trusted' && now >= entry.fetchedAt + cacheMaxAgeMs + maxStaleMs) return fetchAndAnswer(record, kid);
    }
    if (entry.kind !== 'trusted') return undefined;
    return kid === entry.keyArn || kid === record.keyId ? entry.key : undefined;
  }

  function unknownKid(kid: string, mayWaitForAliases: boolean): TrustedKey | undefined | Promise<TrustedKey | undefined> {
    if (aliases.some((alias) => !alias.known)) {
      // The trusted set is not known until every configured alias is resolved: resolve them (our
      // aliases, never the kid itself), then look again.
      const pending = mayWaitForAliases ? resolveUnknownAliases() : undefined;
      if (pending === undefined) {
        const failure = aliases.find((alias) => !alias.known && alias.failure)?.failure;
        throw unavailable('the configured aliases cannot be resolved, so the trusted keys are not known yet', failure);
      }
      return pending.then(() => {
        const record = byKid.get(kid);
        return record === undefined ? unknownKid(kid, false) : answer(record, kid);
      });
    }
    // A key configured by its key id whose ARN is not learned yet: fetch that key (ours, found by
    // the configured id), then compare its ARN with the kid.
    const keyId = keyIdOfArn(kid);
    const record = keyId === undefined ? undefined : records.get(keyId);
    if (record === undefined || record.arn !== undefined) return undefined;
    return answer(record, kid);
  }

  function resolve(kid: string): TrustedKey | undefined | Promise<TrustedKey | undefined> {
    if (typeof kid !== 'string') return undefined;
    const offlineKey = offline.get(kid);
    if (offlineKey !== undefined) return offlineKey;
    const record = byKid.get(kid);
    return record === undefined ? unknownKid(kid, true) : answer(record, kid);
  }

  /** Points `alias` at `target` (or at nothing); the key it leaves enters its grace window. */
  function moveAlias(alias: AliasState, target: AliasState['target'], now: number): TrustRecord | undefined {
    const previous = alias.target;
    const record = target === undefined ? undefined : ensureRecord(target.keyId, target.arn);
    if (record !== undefined) {
      record.currentOf.add(alias);
      record.retiredFrom.delete(alias);
    }
    if (previous?.keyId === target?.keyId) return record;
    alias.target = target;
    const old = previous === undefined ? undefined : records.get(previous.keyId);
    if (previous !== undefined && old !== undefined) {
      old.currentOf.delete(alias);
      const graceUntilMs = now + settings.retiredKeyGraceMs;
      old.retiredFrom.set(alias, graceUntilMs);
      emit(hooks.onRotation, { alias: alias.ref, previousKeyArn: previous.arn, keyArn: target?.arn, graceUntilMs });
    }
    return record;
  }

  async function describeAlias(alias: AliasState): Promise<void> {
    let metadata;
    try {
      const [kms, { DescribeKeyCommand }] = await Promise.all([getClient(), sdk()]);
      const output = await kms.send(new DescribeKeyCommand({ KeyId: alias.ref }), { abortSignal: AbortSignal.timeout(settings.requestTimeoutMs) });
      metadata = output.KeyMetadata;
      if (metadata?.Arn === undefined || metadata.KeyId === undefined || keyIdOfArn(metadata.Arn) !== metadata.KeyId) {
        throw new Error('DescribeKey answered without the key ARN and key id');
      }
    } catch (error) {
      if (closed) return;
      const now = nowMs();
      if (errorName(error) === 'NotFoundException') {
        // The alias does not exist (any more): its key, if it had one, enters its grace window.
        Object.assign(alias, { known: true, checkedAt: now, failure: undefined, missing: asError(error) });
        moveAlias(alias, undefined, now);
        return;
      }
      alias.failure = { at: now, error: asError(error) };
      emit(hooks.onKeyFetchFailed, { key: alias.ref, operation: 'DescribeKey' as const, errorName: errorName(error), error: asError(error), servingStaleUntilMs: undefined });
      return;
    }
    const now = nowMs();
    Object.assign(alias, { known: true, checkedAt: now, failure: undefined, missing: undefined });
    const record = moveAlias(alias, { keyId: metadata.KeyId, arn: metadata.Arn }, now) as TrustRecord;
    // DescribeKey reports the key state for free: when it disagrees with the cache, refresh the key now.
    const entry = cache.peek(record.keyId);
    const enabled = metadata.KeyState === 'Enabled';
    const stateChanged =
      entry !== undefined &&
      settings.honorKeyState &&
      (entry.kind === 'trusted' ? !enabled : enabled && (entry.reason === 'disabled' || entry.reason === 'invalid-state'));
    if (entry === undefined || stateChanged) await refresh(record, stateChanged);
  }

  function refreshAlias(alias: AliasState, force: boolean): Promise<void> | undefined {
    if (alias.inflight !== undefined) return alias.inflight;
    if (closed) return undefined;
    if (!force && alias.failure !== undefined && nowMs() < alias.failure.at + failureCooldownMs) return undefined;
    alias.attempted = true;
    const run = describeAlias(alias).finally(() => {
      alias.inflight = undefined;
      schedule();
    });
    alias.inflight = run;
    return run;
  }

  function resolveUnknownAliases(): Promise<void> | undefined {
    const runs = aliases.filter((alias) => !alias.known).flatMap((alias) => refreshAlias(alias, false) ?? []);
    return runs.length === 0 ? undefined : Promise.all(runs).then(noop);
  }

  /** Arms one timer for the earliest due alias refresh, key refresh, retry or end of grace. */
  function schedule(): void {
    if (closed) return;
    let next = Infinity;
    for (const alias of aliases) {
      if (!alias.attempted || alias.inflight !== undefined) continue;
      next = Math.min(next, alias.failure ? alias.failure.at + failureCooldownMs : alias.checkedAt + settings.aliasRefreshMs);
    }
    for (const record of records.values()) {
      for (const until of record.retiredFrom.values()) next = Math.min(next, until);
      if (inflight.has(record.keyId)) continue;
      const entry = cache.peek(record.keyId);
      if (entry === undefined) continue;
      const failure = failures.get(record.keyId);
      next = Math.min(next, Math.max(entry.fetchedAt + cacheMaxAgeMs, failure ? failure.at + failureCooldownMs : 0));
    }
    if (next === timerAt) return;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    timerAt = next;
    if (next !== Infinity) timer = timers.setTimeout(maintain, Math.min(MAX_TIMER_DELAY_MS, Math.max(0, next - nowMs())));
  }

  function maintain(): void {
    timer = undefined;
    timerAt = Infinity;
    if (closed) return;
    const now = nowMs();
    for (const record of [...records.values()]) prune(record, now);
    for (const alias of aliases) {
      if (alias.attempted && now >= (alias.failure ? alias.failure.at + failureCooldownMs : alias.checkedAt + settings.aliasRefreshMs)) void refreshAlias(alias, false);
    }
    for (const record of records.values()) {
      const entry = cache.peek(record.keyId);
      if (entry !== undefined && now >= entry.fetchedAt + cacheMaxAgeMs) void refresh(record, false);
    }
    schedule();
  }

  function describeRecord(record: TrustRecord): string {
    if (record.configuredAs !== undefined) return record.configuredAs;
    const via = [...record.currentOf].map((alias) => alias.ref).join(', ');
    return `${record.arn ?? record.keyId} (target of ${via})`;
  }

  async function ready(): Promise<void> {
    if (closed) throw new KeyProviderConfigError('ready() was called after close()');
    const start = nowMs();
    await Promise.all(
      aliases.map((alias) => (alias.known && alias.failure === undefined && start < alias.checkedAt + settings.aliasRefreshMs ? undefined : refreshAlias(alias, true))),
    );
    const problems: { key: string; text: string; cause: unknown; config: boolean }[] = [];
    for (const alias of aliases) {
      if (alias.missing !== undefined) problems.push({ key: alias.ref, text: `the alias does not exist (${describeError(alias.missing)})`, cause: alias.missing, config: true });
      else if (!alias.known || alias.failure !== undefined) {
        const error = alias.failure?.error;
        problems.push({ key: alias.ref, text: `DescribeKey failed (${describeError(error)})`, cause: error, config: errorName(error) === 'AccessDeniedException' });
      }
    }
    const now = nowMs();
    const wanted = [...records.values()].filter((record) => isTrusted(record, now));
    await Promise.all(
      wanted.map((record) => {
        const entry = cache.peek(record.keyId);
        return entry?.kind === 'trusted' && nowMs() < entry.fetchedAt + cacheMaxAgeMs ? undefined : refresh(record, true);
      }),
    );
    for (const record of wanted) {
      const entry = cache.peek(record.keyId);
      const failure = failures.get(record.keyId);
      if (entry?.kind === 'untrusted') problems.push({ key: describeRecord(record), text: entry.message, cause: entry.error, config: true });
      else if (entry === undefined || failure !== undefined) {
        problems.push({ key: describeRecord(record), text: `GetPublicKey failed (${describeError(failure?.error)})`, cause: failure?.error, config: errorName(failure?.error) === 'AccessDeniedException' });
      }
    }
    if (problems.length === 0) return;
    const message = `ready(): ${problems.length === 1 ? 'a configured key cannot be used' : `${problems.length} configured keys cannot be used`}: ${problems.map((problem) => `${problem.key}: ${problem.text}`).join('; ')}`;
    const causes = problems.map((problem) => problem.cause).filter((cause) => cause !== undefined);
    const cause = causes.length > 1 ? new AggregateError(causes, 'KMS errors') : causes[0];
    if (problems.some((problem) => problem.config)) throw new KeyProviderConfigError(message, cause === undefined ? undefined : { cause });
    throw new KeySourceUnavailableError(`kms-pubkey-provider: ${message}`, cause === undefined ? undefined : { cause });
  }

  function usable(record: TrustRecord, now: number): TrustedEntry | undefined {
    if (!isTrusted(record, now)) return undefined;
    const entry = cache.peek(record.keyId);
    return entry?.kind === 'trusted' && now < entry.fetchedAt + cacheMaxAgeMs + maxStaleMs ? entry : undefined;
  }

  function exportJwks(): JsonWebKeySet {
    const now = nowMs();
    const keys = new Set<TrustedKey>(offline.values());
    for (const record of records.values()) {
      const entry = usable(record, now);
      if (entry !== undefined) keys.add(entry.key);
    }
    return { keys: [...keys].map(toJwk) };
  }

  function exportSnapshot(): KmsKeySnapshot {
    const now = nowMs();
    const keys: KmsKeySnapshotKey[] = [];
    for (const record of records.values()) {
      const entry = usable(record, now);
      if (entry !== undefined) keys.push({ keyArn: entry.keyArn, keySpec: entry.keySpec, algorithms: [...entry.key.algorithms], publicKey: entry.spki.toString('base64') });
    }
    const snapshotAliases: KmsKeySnapshotAlias[] = aliases
      .filter((alias) => alias.known)
      .map((alias) => ({
        alias: alias.ref,
        keyArn: alias.target?.arn ?? null,
        retired: [...records.values()].flatMap((record) => {
          const until = record.retiredFrom.get(alias);
          return until !== undefined && now < until && record.arn !== undefined ? [{ keyArn: record.arn, graceUntilMs: until }] : [];
        }),
      }));
    return { version: 1, createdAtMs: now, keys, aliases: snapshotAliases };
  }

  if (settings.snapshot !== undefined) {
    const snapshot = parseSnapshot(readSnapshot(settings.snapshot), settings.algorithms);
    const now = nowMs();
    for (const saved of snapshot.aliases) {
      const alias = aliases.find((candidate) => candidate.ref === saved.alias);
      if (alias === undefined) continue;
      Object.assign(alias, { known: true, attempted: true, checkedAt: now });
      if (saved.keyArn !== null) moveAlias(alias, { keyId: keyIdOfArn(saved.keyArn) as string, arn: saved.keyArn }, now);
      for (const old of saved.retired) {
        if (now >= old.graceUntilMs) continue;
        const record = ensureRecord(keyIdOfArn(old.keyArn) as string, old.keyArn);
        if (!record.currentOf.has(alias)) record.retiredFrom.set(alias, old.graceUntilMs);
      }
    }
    for (const [keyId, saved] of snapshot.keys) {
      const record = records.get(keyId);
      // A snapshot never widens trust: only keys configured, or reached through a configured alias.
      if (record === undefined || (record.arn !== undefined && record.arn !== saved.keyArn)) continue;
      learnArn(record, saved.keyArn);
      const key: TrustedKey = Object.freeze({ id: saved.keyArn, publicKey: saved.publicKey, algorithms: saved.algorithms });
      cache.set(keyId, { kind: 'trusted', key, keyArn: saved.keyArn, keySpec: saved.keySpec, spki: saved.spki, fetchedAt: now });
    }
    schedule();
  }

  return {
    resolve,
    ready,
    hydrate: ready,
    exportJwks,
    exportSnapshot,
    close() {
      closed = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      timerAt = Infinity;
      ownClient?.destroy();
    },
  };
}
