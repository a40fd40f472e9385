import type { JsonWebKeySet, KeyResolver, TrustedKey } from 'kms-jwt-verifier';
import { AliasWatcher } from './alias-watcher.js';
import { KeyProviderConfigError } from './errors.js';
import { HookEmitter } from './hook-emitter.js';
import { KeyCache } from './key-cache.js';
import { KmsKeySource } from './kms-key-source.js';
import { loadOfflineKeys } from './offline-keys.js';
import { toSettings, type KmsKeyProviderOptions } from './options.js';
import { PenaltyBox } from './penalty-box.js';
import { ResolutionTally } from './resolution-tally.js';
import { countTrustedKeys } from './state-export.js';
import { notify, registerTallies } from './telemetry.js';
import type { ProviderParts } from './provider-parts.js';
import { checkReady } from './ready-check.js';
import { Scheduler } from './scheduler.js';
import type { KmsKeySnapshot } from './snapshot.js';
import { loadSnapshot } from './snapshot-source.js';
import { exportJwks, exportSnapshot } from './state-export.js';
import { TrustedKeyResolver } from './trusted-key-resolver.js';
import { TrustSet } from './trust-set.js';

/** What `ready()` resolves with. */
export interface KeyProviderReady {
  /**
   * The KMS endpoint the provider calls, e.g. `https://kms.us-east-1.amazonaws.com` (from the
   * client's Region), kms-local's `http://127.0.0.1:4599`, or what `AWS_ENDPOINT_URL_KMS` names;
   * `undefined` when no KMS key is configured (offline keys only).
   */
  readonly endpoint: string | undefined;
}

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
   * `KeyPinMismatchError` when a key does not match its pinned `spkiSha256`, else
   * `KeySourceUnavailableError` (ERR_KEY_SOURCE_UNAVAILABLE). Keys and aliases still fresh are not
   * fetched again; a snapshot's are, until KMS confirmed them (unless `confirmSnapshot: false`). First
   * of all, it resolves the KMS endpoint the client calls and checks it (see "The KMS endpoint" in the
   * README): plain HTTP outside loopback rejects with `KeyProviderEndpointError` before any
   * connection. Resolves with that endpoint.
   */
  ready(): Promise<KeyProviderReady>;
  /** The same as {@link KmsKeyProvider.ready}. */
  hydrate(): Promise<KeyProviderReady>;
  /** The trusted keys at hand (current, within grace, offline; not a snapshot's before KMS confirmed them) as a JWKS: `kid` = key ARN, `use: 'sig'`, `alg`. */
  exportJwks(): JsonWebKeySet;
  /** The trusted public keys and alias targets, JSON-safe, for the `snapshot` option of a later cold start. */
  exportSnapshot(): KmsKeySnapshot;
  /**
   * Re-checks the trusted key `keyArn` names (a key ARN, key id, or a configured multi-Region key's
   * replica ARN) with KMS now, ahead of `cacheMaxAgeMs` — for a signal that it may have been disabled
   * (kms-jwt-fleet's key signal). Rate-limited: at most once per `failureCooldownMs` per key, joining a
   * fetch in flight; a key outside the trusted set, or in the penalty box, is not fetched. It never
   * trusts anything: what KMS answers decides, as for any refresh. Resolves when the re-check (if any)
   * settled; never rejects (a failed fetch is reported by `onKeyFetchFailed`).
   */
  recheck(keyArn: string): Promise<void>;
  /** Stops background refreshes; cached keys keep being answered but KMS is never called again. */
  close(): void;
}

/**
 * Creates a key provider for `createVerifier({ keys })`. Nothing is fetched here (but a snapshot's
 * keys and aliases start being confirmed in the background): call `ready()` at boot to fail fast, or
 * let the first `resolve` fetch. Every configuration mistake throws a `KeyProviderConfigError`
 * (ERR_CONFIG_INVALID) here; a snapshot that cannot be used, a `SnapshotRejectedError`.
 */
export function createKmsKeyProvider(options: KmsKeyProviderOptions): KmsKeyProvider {
  const settings = toSettings(options);
  const { nowMs, failureCooldownMs } = settings;
  const { telemetry } = settings;
  const events = new HookEmitter(settings.hooks, telemetry);
  const onPenaltyBox = telemetry?.onPenaltyBox;
  const penaltyBox = (operation: 'GetPublicKey' | 'DescribeKey'): PenaltyBox =>
    new PenaltyBox(failureCooldownMs, nowMs, onPenaltyBox === undefined ? undefined : () => notify(onPenaltyBox, { operation }));
  const offlinePinFailures: string[] = [];
  const offline = loadOfflineKeys(settings.offlineKeys, settings.algorithms, (kid) => {
    offlinePinFailures.push(kid);
    events.emit('onKeyMismatch', { keyArn: kid, source: 'offline', expected: 'pin', outcome: 'refused', message: `the offline key for ${kid} does not match its pinned spkiSha256` });
  });
  const scheduler = new Scheduler(settings.timers, nowMs);
  const onSettled = (): void => scheduler.reschedule();
  const kms = new KmsKeySource({ client: settings.client, requestTimeoutMs: settings.requestTimeoutMs, algorithms: settings.algorithms, trustedEndpoint: settings.trustedEndpoint, traceKmsCall: telemetry?.traceKmsCall });
  const trust: TrustSet = new TrustSet({ retiredKeyGraceMs: settings.retiredKeyGraceMs, events, onDropped: (record) => cache.forget(record.keyId) });
  const cache: KeyCache = new KeyCache({
    source: kms,
    penaltyBox: penaltyBox('GetPublicKey'),
    events,
    nowMs,
    cacheMaxAgeMs: settings.cacheMaxAgeMs,
    maxStaleMs: settings.maxStaleMs,
    maxEntries: settings.cacheMaxEntries,
    honorKeyState: settings.honorKeyState,
    // The "re-check this key now" seam (resolver.recheck, public as provider.recheck): once per failureCooldownMs at most.
    recheckIntervalMs: failureCooldownMs,
    bindArn: (record, keyArn) => trust.bindArn(record, keyArn),
    onSettled,
  });
  const aliasRefs: string[] = [];
  for (const ref of settings.refs) {
    if (ref.kind === 'alias') aliasRefs.push(ref.ref);
    else trust.configure(ref.ref, ref.keyId, ref.arn, ref);
  }
  for (const kid of offline.keys()) {
    if ((trust.find(kid) ?? trust.findReplica(kid)) !== undefined) throw new KeyProviderConfigError(`kid ${kid} is given both in keys and in offlineKeys; trust it one way`);
  }
  const aliases = new AliasWatcher({
    aliases: aliasRefs,
    source: kms,
    trust,
    penaltyBox: penaltyBox('DescribeKey'),
    events,
    nowMs,
    aliasRefreshMs: settings.aliasRefreshMs,
    onTarget: (record, enabled) => cache.noteKeyState(record, enabled),
    onSettled,
  });
  const parts: ProviderParts = { offline, offlinePinFailures, trust, cache, aliases, nowMs };
  const tally = telemetry?.register === undefined ? undefined : new ResolutionTally('kms', () => countTrustedKeys(parts));
  const resolver = new TrustedKeyResolver(parts, tally);
  const unregister = tally === undefined ? undefined : registerTallies(telemetry, tally);
  scheduler.add({ nextDueAt: () => trust.nextGraceEnd(), runDue: (now) => trust.pruneAll(now) });
  scheduler.add(aliases);
  scheduler.add({ nextDueAt: () => cache.nextDueAt(trust.values()), runDue: (now) => cache.refreshDue(trust.values(), now) });
  if (settings.snapshot !== undefined) {
    const { algorithms, refs, snapshotMaxAgeMs, retiredKeyGraceMs, confirmSnapshot: confirm } = settings;
    const taken = loadSnapshot(parts, settings.snapshot, { algorithms, refs, snapshotMaxAgeMs, retiredKeyGraceMs, confirm, events });
    // Confirm what the snapshot says with KMS at once, through the re-check seam (keys) and the alias watcher.
    if (confirm) {
      for (const keyArn of taken) void resolver.recheck(keyArn);
      aliases.runDue(nowMs());
    }
    scheduler.reschedule();
  }
  const usesKms = settings.refs.length > 0;
  const ready = async (): Promise<KeyProviderReady> => {
    // The endpoint is checked before any call; after close(), checkReady says so instead.
    const endpoint = usesKms && !cache.closed ? await kms.checkEndpoint() : undefined;
    await checkReady(parts);
    return { endpoint };
  };
  return {
    resolve: (kid) => resolver.resolve(kid),
    ready,
    hydrate: ready,
    exportJwks: () => exportJwks(parts),
    exportSnapshot: () => exportSnapshot(parts),
    async recheck(keyArn) {
      if (typeof keyArn === 'string') await resolver.recheck(keyArn);
    },
    close() {
      for (const part of [scheduler, cache, aliases, kms]) part.close();
      unregister?.();
    },
  };
}

