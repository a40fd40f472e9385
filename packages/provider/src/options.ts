import type { JwsAlgorithm } from 'kms-jwt-verifier';
import { isJwsAlgorithm } from './public-key.js';
import { KeyProviderConfigError } from './errors.js';
import type { KeyProviderHooks } from './events.js';
import type { Hooks } from './hook-emitter.js';
import { parseConfiguredKeys, type KmsKeyConfig } from './key-config.js';
import type { KeyRef } from './key-refs.js';
import type { KMSClient } from './kms-key-source.js';
import type { OfflineKey } from './offline-keys.js';
import type { KmsKeySnapshot } from './snapshot.js';
import { checkTelemetry, type KeyProviderTelemetry } from './telemetry.js';
import { nodeTimers, type ProviderTimers } from './timers.js';

/** Options of {@link createKmsKeyProvider}. */
export interface KmsKeyProviderOptions extends KeyProviderHooks {
  /**
   * The trusted KMS keys: key ARNs, key ids, `alias/...` names and alias ARNs. Only these keys,
   * and the keys these aliases point to (or pointed to, within `retiredKeyGraceMs`), are ever
   * fetched or trusted. A key ARN may come as `{ arn, spkiSha256?, replicaRegions? }` to pin its public
   * key or choose its replica Regions. Required unless `offlineKeys` is given.
   */
  readonly keys?: readonly (string | KmsKeyConfig)[];
  /**
   * For each multi-Region key (`mrk-…`) configured by ARN: the Regions whose replicas (same partition,
   * account and key id, so the same key material) are trusted too, `'any'`, or `[]` for none. One
   * GetPublicKey serves them all; each replica's tokens resolve to a `TrustedKey` named by its own ARN.
   * Default: `'any'`.
   */
  readonly replicaRegions?: 'any' | readonly string[];
  /** The KMS client, created once and reused (one per Region). Default: `new KMSClient({})`, created on the first KMS call. */
  readonly client?: KMSClient;
  /** Public keys given offline (PEM, DER, JWK, JWKS), trusted without any KMS call. Default: none. */
  readonly offlineKeys?: readonly OfflineKey[];
  /** A snapshot from `exportSnapshot()` (or the path of its JSON file): a cold start without KMS calls. Default: none. */
  readonly snapshot?: KmsKeySnapshot | string;
  /** The oldest snapshot accepted (by its `createdAtMs`), in ms; an older one throws `SnapshotRejectedError`. Default: `86400000` (24 hours). */
  readonly snapshotMaxAgeMs?: number;
  /**
   * Confirm a snapshot's keys (GetPublicKey) and alias targets (DescribeKey) with KMS at once, in the
   * background and in `ready()`, replacing a key that differs. `false` trusts the snapshot like
   * configuration until `cacheMaxAgeMs` (for offline use). Default: `true`.
   */
  readonly confirmSnapshot?: boolean;
  /** JWS algorithms to allow, intersected with each key's own. Default: each key's algorithms from its key spec and SigningAlgorithms. */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** How long a fetched key is used before it is refreshed in the background, in ms. Default: `300000` (5 minutes). */
  readonly cacheMaxAgeMs?: number;
  /** How long past `cacheMaxAgeMs` a key is still served while refreshes fail (KMS down), in ms. Default: `3600000` (1 hour). */
  readonly maxStaleMs?: number;
  /** After a failed KMS call, the same key or alias is not asked again for this long, in ms (the penalty box). Default: `5000`. */
  readonly failureCooldownMs?: number;
  /** Longest wait for one KMS call before it counts as failed, in ms. Default: `5000`. */
  readonly requestTimeoutMs?: number;
  /** Most keys cached; the least recently used go first. Default: `1000`. */
  readonly cacheMaxEntries?: number;
  /** How often each configured alias is resolved again with DescribeKey, in ms. Default: `60000` (1 minute). */
  readonly aliasRefreshMs?: number;
  /** The longest lifetime of the tokens you verify, in ms: the default of `retiredKeyGraceMs`. Default: `3600000` (1 hour). */
  readonly maxTokenLifetimeMs?: number;
  /** How long the key an alias pointed to stays trusted after the alias moves, in ms. Default: `maxTokenLifetimeMs`. */
  readonly retiredKeyGraceMs?: number;
  /** Stop trusting a key at the refresh that finds it Disabled or PendingDeletion. Default: `true`. */
  readonly honorKeyState?: boolean;
  /**
   * A KMS endpoint that is not AWS KMS's but is yours on purpose (a proxy, kms-local in a container
   * network), e.g. `'https://kms-proxy.internal'`: exactly this endpoint is used without the
   * `KMS_JWT_NON_AWS_ENDPOINT` warning, and even over plain HTTP outside loopback. Default: none.
   */
  readonly trustedEndpoint?: string;
  /** The current time in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
  /** The timers that run background refreshes (tests pass their own). Default: Node's timers, unref'd. */
  readonly timers?: ProviderTimers;
  /**
   * Metrics and traces: key resolutions, stale keys served, penalty-box entries, trusted keys, rotations,
   * keys no longer trusted, and a span per KMS call, e.g. `createKmsJwtTelemetry().provider` from
   * kms-jwt-opentelemetry. Default: none; costs one undefined check.
   */
  readonly telemetry?: KeyProviderTelemetry;
}

/** Validated options. */
export interface Settings {
  readonly refs: readonly KeyRef[];
  readonly client: KMSClient | undefined;
  readonly offlineKeys: readonly OfflineKey[];
  readonly snapshot: KmsKeySnapshot | string | undefined;
  readonly snapshotMaxAgeMs: number;
  readonly confirmSnapshot: boolean;
  readonly algorithms: readonly JwsAlgorithm[] | undefined;
  readonly cacheMaxAgeMs: number;
  readonly maxStaleMs: number;
  readonly failureCooldownMs: number;
  readonly requestTimeoutMs: number;
  readonly cacheMaxEntries: number;
  readonly aliasRefreshMs: number;
  readonly retiredKeyGraceMs: number;
  readonly honorKeyState: boolean;
  /** As given, checked to be an http:// or https:// URL (the KMS key source normalises it when it checks the endpoint). */
  readonly trustedEndpoint: string | undefined;
  readonly nowMs: () => number;
  readonly timers: ProviderTimers;
  readonly hooks: Hooks;
  readonly telemetry: KeyProviderTelemetry | undefined;
}

/**
 * Whether `value` is an http:// or https:// URL: what kms-jwt-verifier/kms-endpoint's `toTrustedEndpoint`
 * accepts. That module is loaded on the first KMS call (kms-key-source.ts), which normalises the endpoint
 * with it; the form is checked here so that a mistake throws at construction.
 */
function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'http:' || url.protocol === 'https:';
}

/** A duration option in ms: `fallback` when left out, else a finite number >= `min`. */
export function duration(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new KeyProviderConfigError(`${name} must be a finite number of milliseconds >= ${min}`);
  return value;
}

function hook<T extends keyof KeyProviderHooks>(options: KmsKeyProviderOptions, name: T): KeyProviderHooks[T] {
  const value = options[name];
  if (value !== undefined && typeof value !== 'function') throw new KeyProviderConfigError(`${name} must be a function`);
  return value;
}

/** Checks every option eagerly; each mistake throws a KeyProviderConfigError naming the option. */
export function toSettings(options: KmsKeyProviderOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new KeyProviderConfigError('createKmsKeyProvider needs an options object');
  const refs = parseConfiguredKeys(options.keys ?? [], options.replicaRegions);
  const offlineKeys = options.offlineKeys ?? [];
  if (!Array.isArray(offlineKeys)) throw new KeyProviderConfigError('offlineKeys must be an array');
  if (refs.length === 0 && offlineKeys.length === 0) {
    throw new KeyProviderConfigError('keys is required: the KMS key ARNs, key ids or aliases to trust (or give offlineKeys to trust keys without KMS)');
  }
  const client = options.client;
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.send !== 'function')) {
    throw new KeyProviderConfigError('client must be a KMSClient from @aws-sdk/client-kms');
  }
  const algorithms = options.algorithms;
  if (algorithms !== undefined && (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isJwsAlgorithm))) {
    throw new KeyProviderConfigError('algorithms must be a non-empty array of JWS algorithms a KMS key produces (ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)');
  }
  const snapshot = options.snapshot;
  if (snapshot !== undefined && typeof snapshot !== 'string' && (typeof snapshot !== 'object' || snapshot === null)) {
    throw new KeyProviderConfigError('snapshot must be an object from exportSnapshot() or the path of its JSON file');
  }
  const confirmSnapshot = options.confirmSnapshot ?? true;
  if (typeof confirmSnapshot !== 'boolean') throw new KeyProviderConfigError('confirmSnapshot must be a boolean');
  const honorKeyState = options.honorKeyState ?? true;
  if (typeof honorKeyState !== 'boolean') throw new KeyProviderConfigError('honorKeyState must be a boolean');
  const trustedEndpoint = options.trustedEndpoint;
  if (trustedEndpoint !== undefined && !isHttpUrl(trustedEndpoint)) {
    throw new KeyProviderConfigError("trustedEndpoint must be the http:// or https:// URL of a KMS endpoint you trust, such as 'https://kms-proxy.internal'");
  }
  const nowMs = options.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') throw new KeyProviderConfigError('nowMs must be a function returning epoch milliseconds');
  const timers = options.timers ?? nodeTimers;
  if (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function') {
    throw new KeyProviderConfigError('timers must have setTimeout(callback, delayMs) and clearTimeout(handle)');
  }
  const cacheMaxEntries = options.cacheMaxEntries ?? 1000;
  if (!Number.isInteger(cacheMaxEntries) || cacheMaxEntries < 1) throw new KeyProviderConfigError('cacheMaxEntries must be an integer >= 1');
  const maxTokenLifetimeMs = duration('maxTokenLifetimeMs', options.maxTokenLifetimeMs, 3_600_000);
  return {
    refs,
    client,
    offlineKeys,
    snapshot,
    snapshotMaxAgeMs: duration('snapshotMaxAgeMs', options.snapshotMaxAgeMs, 86_400_000, 1),
    confirmSnapshot,
    algorithms: algorithms === undefined ? undefined : Object.freeze([...algorithms]),
    cacheMaxAgeMs: duration('cacheMaxAgeMs', options.cacheMaxAgeMs, 300_000, 1),
    maxStaleMs: duration('maxStaleMs', options.maxStaleMs, 3_600_000),
    failureCooldownMs: duration('failureCooldownMs', options.failureCooldownMs, 5_000),
    requestTimeoutMs: duration('requestTimeoutMs', options.requestTimeoutMs, 5_000, 1),
    cacheMaxEntries,
    aliasRefreshMs: duration('aliasRefreshMs', options.aliasRefreshMs, 60_000, 1),
    retiredKeyGraceMs: duration('retiredKeyGraceMs', options.retiredKeyGraceMs, maxTokenLifetimeMs),
    honorKeyState,
    trustedEndpoint,
    nowMs,
    timers,
    hooks: {
      onKeyFetched: hook(options, 'onKeyFetched'),
      onKeyFetchFailed: hook(options, 'onKeyFetchFailed'),
      onRotation: hook(options, 'onRotation'),
      onKeyUntrusted: hook(options, 'onKeyUntrusted'),
      onKeyMismatch: hook(options, 'onKeyMismatch'),
    },
    telemetry: checkTelemetry(options.telemetry, (message) => new KeyProviderConfigError(message)),
  };
}
