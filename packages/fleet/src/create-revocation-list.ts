import type { VerifiedToken } from 'kms-jwt-verifier';
import { RevocationListFullError, RevocationListUnavailableError } from './errors.js';
import { Mirror } from './mirror.js';
import { toListSettings, type RevocationListOptions } from './options.js';
import { RedisSync } from './redis-sync.js';
import { revocationIdOf, toRevocation, type Revocation } from './revocation.js';

/**
 * `isRevoked` as the adapters' option takes it — `(context, token)` — or called with the token
 * alone: a synchronous lookup in memory, never a round trip.
 */
export interface RevocationCheck {
  (token: VerifiedToken): boolean;
  (context: unknown, token: VerifiedToken): boolean;
}

/** A revocation list shared through Redis (or embedded in this process without a `client`). */
export interface RevocationList {
  /**
   * Loads the list from Redis (SCAN) and subscribes to its announcements; call it (and await it)
   * before serving. Rejects with `RevocationListUnavailableError` when Redis cannot answer, and with
   * `RevocationListFullError` when Redis holds more than `maxEntries` (this verifier refuses to start
   * rather than forget revocations). Resolves at once for an embedded list.
   */
  ready(): Promise<void>;
  /**
   * Revokes a token by its `iss` and `jti` until its `exp` (plus `clockToleranceSeconds`); takes the
   * claims or a verified token. Stored in Redis with its own expiry and announced to every verifier in
   * one MULTI. A token already expired past the tolerance is ignored. Rejects with
   * `RevocationInvalidError` for bad input and `RevocationListFullError` at `maxEntries`.
   */
  revoke(revocation: Revocation | VerifiedToken): Promise<void>;
  /**
   * Whether a verified token is revoked (by its `iss` and `jti`; a token without both is never
   * revoked), answered from memory, usable as the adapters' `isRevoked` option as is. Throws
   * `RevocationListUnavailableError` (503 in every adapter) before `ready()`, after `close()`, over
   * `maxEntries`, and — with `failurePolicy: 'failClosed'` — once the mirror is older than `maxStalenessMs`.
   */
  readonly isRevoked: RevocationCheck;
  /** The unexpired revocations this process knows (for a Redis list: its mirror). */
  list(): Revocation[];
  /**
   * When (epoch ms) the mirror was last known complete: the last heartbeat that came back with
   * nothing lost, or the last full load. `undefined` before `ready()` resolved; for a list without
   * a `client` (embedded, always complete), the time now.
   */
  syncedAtMs(): number | undefined;
  /** Stops the subscription and timers; the caller's `client` is left open. */
  close(): Promise<void>;
}

/**
 * Creates a revocation list: with `client`, shared by every verifier on that Redis, each answering
 * from an in-memory mirror kept current by pub/sub; without it, a list in this process only. Every
 * configuration mistake throws a `FleetConfigError` here.
 */
export function createRevocationList(options?: RevocationListOptions): RevocationList {
  const settings = toListSettings(options);
  const { nowMs, toleranceMs, maxEntries } = settings;
  const sync = settings.client === undefined ? undefined : new RedisSync(settings.client, settings);
  const embedded = new Mirror();
  const mirror = (): Mirror => sync?.mirror ?? embedded;
  const syncedAtMs = (): number | undefined => (sync === undefined ? nowMs() : sync.syncedAt);
  const telemetry = settings.telemetry?.revocationList({
    keyPrefix: settings.keyPrefix,
    size: () => mirror().size,
    stalenessMs: () => {
      const at = sync?.syncedAt;
      return at === undefined ? undefined : Math.max(0, nowMs() - at);
    },
  });
  if (sync !== undefined && telemetry !== undefined) sync.onAnnounced = () => telemetry.announced();
  let sweeper: NodeJS.Timeout | undefined;
  if (sync === undefined) {
    sweeper = setInterval(() => embedded.sweep(nowMs()), settings.sweepIntervalMs);
    sweeper.unref();
  }

  function isRevoked(first: unknown, second?: unknown): boolean {
    const id = revocationIdOf(arguments.length >= 2 ? second : first);
    const now = nowMs();
    if (id !== undefined && mirror().has(id.iss, id.jti, now)) return true;
    if (sync === undefined) return false;
    try {
      sync.assertAnswerable(now);
    } catch (error) {
      if (telemetry !== undefined && error instanceof RevocationListUnavailableError) telemetry.unavailable(error.reason);
      throw error;
    }
    return false;
  }

  return {
    ready: () => sync?.start() ?? Promise.resolve(),
    async revoke(input) {
      const revocation = toRevocation(input);
      const untilMs = revocation.exp * 1000 + toleranceMs;
      const now = nowMs();
      if (untilMs <= now) return;
      const current = mirror();
      if (!current.has(revocation.iss, revocation.jti, now) && current.size >= maxEntries) {
        current.sweep(now);
        if (current.size >= maxEntries) throw new RevocationListFullError(maxEntries, 'the revocation list');
      }
      await sync?.revoke(revocation, untilMs);
      mirror().add(revocation.iss, revocation.jti, untilMs);
      telemetry?.revoked();
    },
    isRevoked: isRevoked as RevocationCheck,
    list: () => mirror().entries(nowMs(), toleranceMs),
    syncedAtMs,
    async close() {
      if (sweeper !== undefined) clearInterval(sweeper);
      telemetry?.closed();
      await sync?.close();
    },
  };
}
