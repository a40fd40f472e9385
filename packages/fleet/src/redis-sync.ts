import { randomUUID } from 'node:crypto';
import { RevocationListFullError, RevocationListUnavailableError } from './errors.js';
import { Mirror } from './mirror.js';
import type { FleetRedisClient, ListSettings } from './options.js';
import { parseRevocationKey, parseRevocationMessage, revocationKey, revocationMessage } from './redis-names.js';
import { scanKeys } from './redis-scan.js';
import type { Revocation } from './revocation.js';

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The mirror of a Redis list: loaded by SCAN, kept current by pub/sub on a `client.duplicate()`
 * subscriber, and proven live by a heartbeat the list publishes to a channel of its own every
 * `heartbeatIntervalMs`. The mirror is known complete as of the last heartbeat that came back while
 * no announcement can have been lost since it was loaded; any error, missed heartbeat or reconnect
 * may have lost some, so the next heartbeat that comes back triggers a full resync, and only a
 * resync that swapped in a list loaded after the loss makes heartbeats confirm the mirror again.
 */
export class RedisSync {
  mirror = new Mirror();
  readonly #client: FleetRedisClient;
  readonly #settings: ListSettings;
  readonly #channel: string;
  readonly #heartbeatChannel: string;
  #subscriber: { destroy(): void } | undefined;
  /** When (epoch ms) the mirror was last known complete; `undefined` before the first load. */
  #syncedAt: number | undefined;
  #lastFullLoadAt = 0;
  /** How many times announcements may have been lost (an error, a reconnect, a missed heartbeat). */
  #losses = 0;
  /** `#losses` when the load that made the mirror started: the mirror misses nothing announced while they are equal. */
  #mirrorLosses = -1;
  /** `resyncIntervalMs` elapsed (or a load failed): reload although nothing was lost. */
  #resyncDue = false;
  #overflow = false;
  #closed = false;
  #seq = 0;
  #pending: { seq: number; sentAt: number } | undefined;
  #loading: Promise<void> | undefined;
  /** Revocations announced while a load runs: merged into what it loads. */
  #duringLoad: Revocation[] | undefined;
  #lastStaleEventAt = -Infinity;
  readonly #timers: NodeJS.Timeout[] = [];

  /** Called for every announcement of a revocation received (for the telemetry). */
  onAnnounced: (() => void) | undefined;

  constructor(client: FleetRedisClient, settings: ListSettings) {
    this.#client = client;
    this.#settings = settings;
    this.#channel = `${settings.keyPrefix}:announce`;
    this.#heartbeatChannel = `${settings.keyPrefix}:heartbeat:${randomUUID()}`;
  }

  /** Subscribes, then loads the list; rejects when Redis cannot answer or holds more than `maxEntries`. */
  async start(): Promise<void> {
    if (this.#subscriber !== undefined) return this.#loading ?? Promise.resolve();
    const subscriber = this.#client.duplicate();
    this.#subscriber = subscriber;
    subscriber.on('error', (error: unknown) => this.#fail(error));
    subscriber.on('reconnecting', () => {
      this.#losses += 1;
    });
    // A Cluster client reports its nodes' errors and reconnects under these names (never as 'error'/'reconnecting').
    // A master that died may have published an announcement the other nodes never relayed, while its promoted replica
    // holds the key: however far this list's subscription and heartbeats are from that master, it resyncs.
    subscriber.on('node-error', (error: unknown) => this.#fail(error));
    subscriber.on('node-reconnecting', () => {
      this.#losses += 1;
    });
    await subscriber.connect();
    await subscriber.subscribe(this.#channel, (message: string) => this.#announced(message));
    await subscriber.subscribe(this.#heartbeatChannel, (message: string) => this.#heartbeat(message));
    try {
      await this.#load();
    } catch (error) {
      if (error instanceof RevocationListFullError) throw error;
      throw new RevocationListUnavailableError('not-ready', 'cannot load the revocation list from Redis; check that Redis is reachable', { cause: error });
    }
    const every = (ms: number, run: () => void): void => {
      const timer = setInterval(run, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#settings.heartbeatIntervalMs, () => void this.#beat());
    every(this.#settings.sweepIntervalMs, () => this.mirror.sweep(this.#settings.nowMs()));
  }

  /** Throws RevocationListUnavailableError unless a `false` may be answered now (failOpen: calls `onStale` instead). */
  /** When (epoch ms) the mirror was last known complete; `undefined` before the first load. */
  get syncedAt(): number | undefined {
    return this.#syncedAt;
  }

  assertAnswerable(now: number): void {
    if (this.#closed) throw new RevocationListUnavailableError('closed', 'the revocation list is closed');
    if (this.#syncedAt === undefined) throw new RevocationListUnavailableError('not-ready', 'the revocation list is not loaded yet; await list.ready() before serving');
    if (this.#overflow) throw new RevocationListUnavailableError('overflow', 'Redis holds more revocations than maxEntries, so this verifier cannot mirror them all; raise maxEntries');
    const staleForMs = now - this.#syncedAt;
    if (staleForMs <= this.#settings.maxStalenessMs) return;
    if (!this.#settings.failOpen) {
      throw new RevocationListUnavailableError('stale', `the revocation list has not been confirmed by Redis for ${staleForMs} ms (maxStalenessMs ${this.#settings.maxStalenessMs}); check Redis`);
    }
    if (now - this.#lastStaleEventAt >= this.#settings.maxStalenessMs) {
      this.#lastStaleEventAt = now;
      this.#settings.hooks.onStale?.({ staleForMs });
    }
  }

  /** Stores a revocation in Redis (expiring on its own) and announces it, in one MULTI. */
  async revoke(revocation: Revocation, untilMs: number): Promise<void> {
    const key = revocationKey(this.#settings.keyPrefix, revocation);
    await this.#client
      .multi()
      .set(key, '1', { expiration: { type: 'PXAT', value: untilMs } })
      .publish(this.#channel, revocationMessage(revocation))
      .exec();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    // destroy(), not close(): a subscriber has nothing to flush, and Redis may be the thing that is down.
    subscriber?.destroy();
    await this.#loading?.catch(() => undefined);
  }

  #fail(error: unknown): void {
    this.#losses += 1;
    this.#settings.hooks.onError?.(asError(error));
  }

  #add(revocation: Revocation, into: Mirror): void {
    const untilMs = revocation.exp * 1000 + this.#settings.toleranceMs;
    if (untilMs <= this.#settings.nowMs()) return;
    if (into.add(revocation.iss, revocation.jti, untilMs) && into.size > this.#settings.maxEntries) {
      into.sweep(this.#settings.nowMs());
      if (into.size > this.#settings.maxEntries) this.#overflow = true;
    }
  }

  #announced(message: string): void {
    const revocation = parseRevocationMessage(message);
    if (revocation === undefined) return;
    this.onAnnounced?.();
    this.#add(revocation, this.mirror);
    this.#duringLoad?.push(revocation);
  }

  async #beat(): Promise<void> {
    if (this.#closed) return;
    const now = this.#settings.nowMs();
    // The last heartbeat never came back: announcements may have been lost with it.
    if (this.#pending !== undefined) this.#losses += 1;
    if (now - this.#lastFullLoadAt >= this.#settings.resyncIntervalMs) this.#resyncDue = true;
    const seq = ++this.#seq;
    this.#pending = { seq, sentAt: now };
    try {
      await this.#client.publish(this.#heartbeatChannel, String(seq));
    } catch (error) {
      this.#fail(error);
    }
  }

  #heartbeat(message: string): void {
    const pending = this.#pending;
    if (pending === undefined || message !== String(pending.seq)) return;
    this.#pending = undefined;
    // The mirror served now (not one a resync is still loading) must have missed nothing for the heartbeat to confirm it.
    const complete = this.#mirrorLosses === this.#losses;
    if (complete) this.#syncedAt = Math.max(this.#syncedAt ?? 0, pending.sentAt);
    if (!complete || this.#resyncDue) this.#load().catch((error: unknown) => this.#fail(error));
  }

  /** Loads the whole list by SCAN (one load at a time) and swaps it in. */
  #load(): Promise<void> {
    this.#loading ??= this.#loadOnce().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #loadOnce(): Promise<void> {
    const startedAt = this.#settings.nowMs();
    const losses = this.#losses;
    this.#resyncDue = false;
    this.#duringLoad = [];
    try {
      const loaded = new Mirror();
      this.#overflow = false;
      for await (const keys of scanKeys(this.#client, `${this.#settings.keyPrefix}:*`)) {
        for (const key of keys) {
          const revocation = parseRevocationKey(this.#settings.keyPrefix, key);
          if (revocation !== undefined) this.#add(revocation, loaded);
        }
      }
      for (const revocation of this.#duringLoad) this.#add(revocation, loaded);
      if (this.#overflow) {
        this.#resyncDue = true;
        throw new RevocationListFullError(this.#settings.maxEntries, 'Redis');
      }
      this.mirror = loaded;
      this.#lastFullLoadAt = startedAt;
      // Complete as of when the load started, unless something was lost while it ran.
      this.#mirrorLosses = losses;
      if (this.#losses === losses) this.#syncedAt = Math.max(this.#syncedAt ?? 0, startedAt);
      this.#settings.hooks.onResync?.({ entries: loaded.size });
    } catch (error) {
      this.#resyncDue = true;
      throw error;
    } finally {
      this.#duringLoad = undefined;
    }
  }
}
