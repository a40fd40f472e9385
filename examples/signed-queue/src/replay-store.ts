/*
 * The consumer's memory of the message ids it has accepted, for kms-jwt-verifier's `isReplayed`
 * hook: a Map from "key ARN + message id" to the time after which the verifier refuses that message
 * anyway (`rememberUntil`), so entries expire then. It lives in one process: a Lambda container
 * keeps it between invocations, but concurrent containers do not share it. In production, use a
 * shared store with the same contract — a DynamoDB conditional put with a TTL attribute set to
 * `rememberUntil`, or Redis `SET key 1 NX EXAT rememberUntil`.
 */
import type { ReplayHookInput } from 'kms-jwt-verifier';

/** Options of {@link InMemoryReplayStore}. */
export interface InMemoryReplayStoreOptions {
  /** The clock, in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
}

/** Message ids, each remembered until its `rememberUntil`. */
export class InMemoryReplayStore {
  readonly #seen = new Map<string, number>();
  readonly #nowMs: () => number;
  #nextSweepMs = 0;

  constructor(options: InMemoryReplayStoreOptions = {}) {
    this.#nowMs = options.nowMs ?? Date.now;
  }

  /** Ids remembered now (expired ones are dropped first). */
  get size(): number {
    this.#sweep(true);
    return this.#seen.size;
  }

  /**
   * The `isReplayed` hook: records the id and answers `false` the first time, `true` while it is
   * remembered. Message ids are unique per producer, so they are scoped by the key that signed.
   */
  isReplayed = (message: ReplayHookInput): boolean => {
    this.#sweep(false);
    const id = InMemoryReplayStore.#id(message.key, message.messageId);
    const untilMs = this.#seen.get(id);
    if (untilMs !== undefined && untilMs > this.#nowMs()) return true;
    // No `rememberUntil` happens only without an age limit or `exp`: remember it for as long as this store lives.
    this.#seen.set(id, message.rememberUntil === undefined ? Number.POSITIVE_INFINITY : message.rememberUntil * 1000);
    return false;
  };

  /** Forgets an id, so that the message is accepted again: for a message whose processing failed, and that SQS delivers again. */
  forget(key: string, messageId: string): void {
    this.#seen.delete(InMemoryReplayStore.#id(key, messageId));
  }

  /** Drops expired ids: at most once a second, unless `now`. */
  #sweep(now: boolean): void {
    const nowMs = this.#nowMs();
    if (!now && nowMs < this.#nextSweepMs) return;
    this.#nextSweepMs = nowMs + 1000;
    for (const [id, untilMs] of this.#seen) if (untilMs <= nowMs) this.#seen.delete(id);
  }

  static #id(key: string, messageId: string): string {
    return `${key} ${messageId}`;
  }
}
