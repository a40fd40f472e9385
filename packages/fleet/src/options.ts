import type { RedisClientType, RedisClusterType } from 'redis';
import { FleetConfigError } from './errors.js';
import type { FleetTelemetry } from './fleet-telemetry.js';

/** A node-redis client or cluster, created and connected by the caller. */
export type FleetRedisClient = RedisClientType | RedisClusterType;

/** What `onStale` reports (failOpen: once per `maxStalenessMs` while the mirror is served stale). */
export interface RevocationListStaleEvent {
  /** How long ago the mirror was last known complete, in ms. */
  readonly staleForMs: number;
}

/** What `onResync` reports: the mirror was reloaded in full from Redis. */
export interface RevocationListResyncEvent {
  /** Unexpired entries loaded. */
  readonly entries: number;
}

/** Hooks of a revocation list; each is called synchronously and must not throw. */
export interface RevocationListHooks {
  /** Redis (or the list's subscriber connection) reported an error; the list resyncs once it answers again. Default: none. */
  readonly onError?: (error: Error) => void;
  /** The mirror was reloaded in full (at `ready()`, after a reconnect, and every `resyncIntervalMs`). Default: none. */
  readonly onResync?: (event: RevocationListResyncEvent) => void;
  /** failOpen only: the mirror is served although older than `maxStalenessMs`; once per `maxStalenessMs`. Default: none. */
  readonly onStale?: (event: RevocationListStaleEvent) => void;
}

/** Options of `createRevocationList`. */
export interface RevocationListOptions extends RevocationListHooks {
  /**
   * A connected node-redis client or cluster (`createClient`/`createCluster`, then `connect()`): the
   * list shared by every verifier using the same Redis. Its subscriber is `client.duplicate()`. Default:
   * none — an embedded list in this process only.
   */
  readonly client?: FleetRedisClient;
  /** The prefix of the list's Redis keys and pub/sub channels. Default: `'kms-jwt:revoked'`. */
  readonly keyPrefix?: string;
  /**
   * Seconds an entry is kept after the token's `exp`: at least the verifiers' `clockToleranceSeconds`,
   * so a token is refused for as long as any verifier would accept it. Default: `60`.
   */
  readonly clockToleranceSeconds?: number;
  /**
   * How long, in ms, the mirror may be served while Redis is unreachable (or the subscription not
   * proven live by a heartbeat). Default: `5000`.
   */
  readonly maxStalenessMs?: number;
  /**
   * What `isRevoked` does once the mirror is older than `maxStalenessMs`: `'failClosed'` throws
   * `RevocationListUnavailableError` (the adapters answer 503 with `Retry-After`); `'failOpen'` keeps
   * serving the mirror and calls `onStale`. Default: `'failClosed'`.
   */
  readonly failurePolicy?: 'failClosed' | 'failOpen';
  /** Most unexpired entries held (in memory and, for `revoke`, in Redis). Default: `100000`. */
  readonly maxEntries?: number;
  /** How often the subscription is proven live (a heartbeat through Redis pub/sub), in ms. Default: `1000`. */
  readonly heartbeatIntervalMs?: number;
  /** How often the mirror is reloaded in full from Redis anyway (picks up deleted entries), in ms. Default: `300000`. */
  readonly resyncIntervalMs?: number;
  /** How often expired entries are swept from memory, in ms. Default: `60000`. */
  readonly sweepIntervalMs?: number;
  /** The clock, in epoch ms. Default: `Date.now`. */
  readonly nowMs?: () => number;
  /**
   * Where revocations, announcements, unavailable answers (503s) and the mirror's size and staleness
   * are reported, such as kms-jwt-opentelemetry's `createKmsJwtTelemetry().fleet`. Default: none;
   * costs one undefined check.
   */
  readonly telemetry?: FleetTelemetry;
}

export interface ListSettings {
  readonly client: FleetRedisClient | undefined;
  readonly keyPrefix: string;
  readonly toleranceMs: number;
  readonly maxStalenessMs: number;
  readonly failOpen: boolean;
  readonly maxEntries: number;
  readonly heartbeatIntervalMs: number;
  readonly resyncIntervalMs: number;
  readonly sweepIntervalMs: number;
  readonly nowMs: () => number;
  readonly hooks: RevocationListHooks;
  readonly telemetry: FleetTelemetry | undefined;
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new FleetConfigError(`${name} must be a positive integer`);
  return value;
}

function withHook<K extends keyof RevocationListHooks>(name: K, value: RevocationListHooks[K] | undefined): Pick<RevocationListHooks, K> {
  if (value === undefined) return {} as Pick<RevocationListHooks, K>;
  if (typeof value !== 'function') throw new FleetConfigError(`${name} must be a function`);
  return { [name]: value } as Pick<RevocationListHooks, K>;
}

/** Validates the options of `createRevocationList`, throwing FleetConfigError. */
export function toListSettings(options: RevocationListOptions | undefined): ListSettings {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new FleetConfigError('createRevocationList takes an options object');
  const o = options ?? {};
  const client = o.client;
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof (client as { duplicate?: unknown }).duplicate !== 'function')) {
    throw new FleetConfigError('client must be a connected node-redis client or cluster (createClient/createCluster)');
  }
  const keyPrefix = o.keyPrefix ?? 'kms-jwt:revoked';
  if (typeof keyPrefix !== 'string' || keyPrefix === '' || /[\s*?[\]]/.test(keyPrefix)) throw new FleetConfigError('keyPrefix must be a non-empty string without spaces or glob characters');
  const tolerance = o.clockToleranceSeconds ?? 60;
  if (typeof tolerance !== 'number' || !Number.isSafeInteger(tolerance) || tolerance < 0) throw new FleetConfigError('clockToleranceSeconds must be an integer >= 0');
  const failurePolicy = o.failurePolicy ?? 'failClosed';
  if (failurePolicy !== 'failClosed' && failurePolicy !== 'failOpen') throw new FleetConfigError("failurePolicy must be 'failClosed' or 'failOpen'");
  const maxStalenessMs = positiveInteger('maxStalenessMs', o.maxStalenessMs, 5_000);
  const heartbeatIntervalMs = positiveInteger('heartbeatIntervalMs', o.heartbeatIntervalMs, Math.min(1_000, Math.floor(maxStalenessMs / 3) || 1));
  if (heartbeatIntervalMs * 2 > maxStalenessMs) throw new FleetConfigError('heartbeatIntervalMs must be at most half of maxStalenessMs, so a live subscription is proven before the mirror goes stale');
  const nowMs = o.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') throw new FleetConfigError('nowMs must be a function');
  const telemetry = o.telemetry;
  if (telemetry !== undefined && typeof (telemetry as { revocationList?: unknown } | null)?.revocationList !== 'function') {
    throw new FleetConfigError("telemetry must have revocationList(state) (such as kms-jwt-opentelemetry's createKmsJwtTelemetry().fleet)");
  }
  return {
    client,
    keyPrefix,
    toleranceMs: tolerance * 1000,
    maxStalenessMs,
    failOpen: failurePolicy === 'failOpen',
    maxEntries: positiveInteger('maxEntries', o.maxEntries, 100_000),
    heartbeatIntervalMs,
    resyncIntervalMs: positiveInteger('resyncIntervalMs', o.resyncIntervalMs, 300_000),
    sweepIntervalMs: positiveInteger('sweepIntervalMs', o.sweepIntervalMs, 60_000),
    nowMs,
    hooks: { ...withHook('onError', o.onError), ...withHook('onResync', o.onResync), ...withHook('onStale', o.onStale) },
    telemetry,
  };
}
