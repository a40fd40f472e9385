/*
 * The receiver's memory of the deliveries it took, for kms-jwt-verifier's `isReplayed` hook: each
 * message id (scoped by the key that signed it) is `processing` from its first verified delivery
 * until the receiver has handled it, then `done`, and forgotten at `rememberUntil`, when the
 * verifier refuses the message anyway (its age limit). In memory, so per process: several receiver
 * instances need a shared store with the same contract (a DynamoDB conditional put with a TTL,
 * Redis `SET NX EXAT`).
 */
import type { ReplayHookInput } from 'kms-jwt-verifier';

/** Where a delivery stands: being handled, or handled. */
export type DeliveryState = 'processing' | 'done';

/** Options of {@link DeliveryLog}. */
export interface DeliveryLogOptions {
  /** The clock, in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
}

interface Entry {
  state: DeliveryState;
  readonly untilMs: number;
}

/** Message ids seen, each with its state, until it expires. */
export class DeliveryLog {
  readonly #entries = new Map<string, Entry>();
  readonly #nowMs: () => number;
  #nextSweepMs = 0;

  constructor(options: DeliveryLogOptions = {}) {
    this.#nowMs = options.nowMs ?? Date.now;
  }

  /** The `isReplayed` hook: records a new id as `processing` (answers `false`); answers `true` for an id it holds. */
  isReplayed = (message: ReplayHookInput): boolean => {
    this.#sweep();
    const id = DeliveryLog.#id(message.key, message.messageId);
    if (this.#live(id) !== undefined) return true;
    this.#entries.set(id, { state: 'processing', untilMs: message.rememberUntil === undefined ? Number.POSITIVE_INFINITY : message.rememberUntil * 1000 });
    return false;
  };

  /** Where the delivery of `messageId`, signed by `key`, stands; `undefined` if it was never seen or has expired. */
  stateOf(key: string, messageId: string): DeliveryState | undefined {
    return this.#live(DeliveryLog.#id(key, messageId))?.state;
  }

  /** The delivery was handled: a later one with the same id is a duplicate. */
  done(key: string, messageId: string): void {
    const entry = this.#live(DeliveryLog.#id(key, messageId));
    if (entry !== undefined) entry.state = 'done';
  }

  /** Handling failed: forget the id, so that the sender's retry is handled. */
  forget(key: string, messageId: string): void {
    this.#entries.delete(DeliveryLog.#id(key, messageId));
  }

  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    return entry !== undefined && entry.untilMs > this.#nowMs() ? entry : undefined;
  }

  /** Drops expired ids, at most once a second. */
  #sweep(): void {
    const nowMs = this.#nowMs();
    if (nowMs < this.#nextSweepMs) return;
    this.#nextSweepMs = nowMs + 1000;
    for (const [id, entry] of this.#entries) if (entry.untilMs <= nowMs) this.#entries.delete(id);
  }

  static #id(key: string, messageId: string): string {
    return `${key} ${messageId}`;
  }
}
