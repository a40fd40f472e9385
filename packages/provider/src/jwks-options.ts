import type { JwsAlgorithm } from 'kms-jwt-verifier';
import { KeyProviderConfigError } from './errors.js';
import { toAllowlist, type JwksAllowlist, type JwksTrustRule } from './jwks-allowlist.js';
import type { JwksHooks, JwksKeyProviderHooks } from './jwks-events.js';
import { toJwksUrl, type JwksUrl } from './jwks-url.js';
import { duration } from './options.js';
import { isJwsAlgorithm } from './public-key.js';
import { checkTelemetry, type KeyProviderTelemetry } from './telemetry.js';
import { nodeTimers, type ProviderTimers } from './timers.js';

/** Options of {@link createJwksKeyProvider}. */
export interface JwksKeyProviderOptions extends JwksKeyProviderHooks {
  /** The JWKS to trust keys from: `https://`, or plain `http://` on a loopback host only (127.0.0.0/8, ::1, localhost). Required. */
  readonly url: string | URL;
  /** Key ARNs the JWKS may publish (each trusted only while the JWKS lists it). Default: none; give `keyArns`, `trust` or both. */
  readonly keyArns?: readonly string[];
  /** Accounts and Regions (and optionally key ids) whose key ARNs the JWKS may publish. Default: none; give `keyArns`, `trust` or both. */
  readonly trust?: readonly JwksTrustRule[];
  /** JWS algorithms to allow, intersected with each key's own (its key spec's, narrowed by its `alg`). Default: each key's own. */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** Longest wait for one JWKS request, headers and body, in ms. Default: `5000`. */
  readonly requestTimeoutMs?: number;
  /** Largest JWKS body read, in bytes; a longer one is refused (`JwksInvalidError`, `too-large`). Default: `131072` (128 KiB). */
  readonly maxResponseBytes?: number;
  /** Most keys a JWKS may list; more is refused (`JwksInvalidError`, `too-many-keys`). Default: `100`. */
  readonly maxKeys?: number;
  /** How long a JWKS answer without `Cache-Control: max-age` is used before it is fetched again, in ms. Default: `300000` (5 minutes), moved within `minCacheMaxAgeMs` and `maxCacheMaxAgeMs`. */
  readonly cacheMaxAgeMs?: number;
  /** The shortest `max-age` trusted, in ms: a smaller one (or `no-cache`, `no-store`) counts as this. Default: `60000` (1 minute). */
  readonly minCacheMaxAgeMs?: number;
  /** The longest `max-age` trusted, in ms: a larger one counts as this (it bounds how late a withdrawn key is noticed). Default: `900000` (15 minutes). */
  readonly maxCacheMaxAgeMs?: number;
  /** How long past its freshness the JWKS at hand is still served while fetches fail, in ms; then 503. Default: `3600000` (1 hour). */
  readonly maxStaleMs?: number;
  /** After a failed fetch, the JWKS is not asked again for this long (unless by `ready()`), in ms. Default: `5000`. */
  readonly failureCooldownMs?: number;
  /**
   * A token whose kid is an allowed key ARN the JWKS does not list fetches the JWKS again (a key may
   * just have been added), at most once per this long after the previous fetch, in ms. Default: `30000`.
   */
  readonly unknownKidCooldownMs?: number;
  /** The longest lifetime of the tokens you verify, in ms: the default of `retiredKeyGraceMs`. Default: `3600000` (1 hour). */
  readonly maxTokenLifetimeMs?: number;
  /** How long a key stays trusted after the JWKS stops listing it, in ms. Default: `maxTokenLifetimeMs`. */
  readonly retiredKeyGraceMs?: number;
  /** The current time in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
  /** The timers that run background fetches and ends of grace (tests pass their own). Default: Node's timers, unref'd. */
  readonly timers?: ProviderTimers;
  /**
   * Metrics: key resolutions, stale keys served, penalty-box entries, trusted keys, keys no longer
   * trusted, e.g. `createKmsJwtTelemetry().provider` from kms-jwt-opentelemetry. Default: none; costs
   * one undefined check.
   */
  readonly telemetry?: KeyProviderTelemetry;
}

/** Validated options. */
export interface JwksSettings {
  readonly url: JwksUrl;
  readonly allowlist: JwksAllowlist;
  readonly algorithms: readonly JwsAlgorithm[] | undefined;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxKeys: number;
  readonly cacheMaxAgeMs: number;
  readonly minCacheMaxAgeMs: number;
  readonly maxCacheMaxAgeMs: number;
  readonly maxStaleMs: number;
  readonly failureCooldownMs: number;
  readonly unknownKidCooldownMs: number;
  readonly retiredKeyGraceMs: number;
  readonly nowMs: () => number;
  readonly timers: ProviderTimers;
  readonly hooks: JwksHooks;
  readonly telemetry: KeyProviderTelemetry | undefined;
}

function count(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new KeyProviderConfigError(`${name} must be an integer >= 1`);
  return value;
}

const HOOKS = ['onJwksFetched', 'onJwksFetchFailed', 'onJwksKeyIgnored', 'onKeyUntrusted'] as const;

/** Checks every option eagerly; each mistake throws a KeyProviderConfigError naming the option. */
export function toJwksSettings(options: JwksKeyProviderOptions): JwksSettings {
  if (typeof options !== 'object' || options === null) throw new KeyProviderConfigError('createJwksKeyProvider needs an options object with url and keyArns or trust');
  const url = toJwksUrl(options.url);
  const allowlist = toAllowlist(options.keyArns, options.trust);
  const algorithms = options.algorithms;
  if (algorithms !== undefined && (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isJwsAlgorithm))) {
    throw new KeyProviderConfigError('algorithms must be a non-empty array of JWS algorithms a KMS key produces (ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)');
  }
  const minCacheMaxAgeMs = duration('minCacheMaxAgeMs', options.minCacheMaxAgeMs, 60_000);
  const maxCacheMaxAgeMs = duration('maxCacheMaxAgeMs', options.maxCacheMaxAgeMs, 900_000, 1);
  if (minCacheMaxAgeMs > maxCacheMaxAgeMs) throw new KeyProviderConfigError('minCacheMaxAgeMs must not exceed maxCacheMaxAgeMs');
  const cacheMaxAgeMs = duration('cacheMaxAgeMs', options.cacheMaxAgeMs, Math.min(maxCacheMaxAgeMs, Math.max(minCacheMaxAgeMs, 300_000)));
  if (cacheMaxAgeMs < minCacheMaxAgeMs || cacheMaxAgeMs > maxCacheMaxAgeMs) throw new KeyProviderConfigError('cacheMaxAgeMs must lie between minCacheMaxAgeMs and maxCacheMaxAgeMs');
  const nowMs = options.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') throw new KeyProviderConfigError('nowMs must be a function returning epoch milliseconds');
  const timers = options.timers ?? nodeTimers;
  if (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function') {
    throw new KeyProviderConfigError('timers must have setTimeout(callback, delayMs) and clearTimeout(handle)');
  }
  for (const name of HOOKS) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new KeyProviderConfigError(`${name} must be a function`);
  }
  const maxTokenLifetimeMs = duration('maxTokenLifetimeMs', options.maxTokenLifetimeMs, 3_600_000);
  return {
    url,
    allowlist,
    algorithms: algorithms === undefined ? undefined : Object.freeze([...algorithms]),
    requestTimeoutMs: duration('requestTimeoutMs', options.requestTimeoutMs, 5_000, 1),
    maxResponseBytes: count('maxResponseBytes', options.maxResponseBytes, 131_072),
    maxKeys: count('maxKeys', options.maxKeys, 100),
    cacheMaxAgeMs,
    minCacheMaxAgeMs,
    maxCacheMaxAgeMs,
    maxStaleMs: duration('maxStaleMs', options.maxStaleMs, 3_600_000),
    failureCooldownMs: duration('failureCooldownMs', options.failureCooldownMs, 5_000),
    unknownKidCooldownMs: duration('unknownKidCooldownMs', options.unknownKidCooldownMs, 30_000),
    retiredKeyGraceMs: duration('retiredKeyGraceMs', options.retiredKeyGraceMs, maxTokenLifetimeMs),
    nowMs,
    timers,
    hooks: {
      onJwksFetched: options.onJwksFetched,
      onJwksFetchFailed: options.onJwksFetchFailed,
      onJwksKeyIgnored: options.onJwksKeyIgnored,
      onKeyUntrusted: options.onKeyUntrusted,
    },
    telemetry: checkTelemetry(options.telemetry, (message) => new KeyProviderConfigError(message)),
  };
}
