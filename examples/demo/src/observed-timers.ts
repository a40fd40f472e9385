/*
 * The timers of the APIs' key providers (kms-pubkey-provider's `timers` option), observed: the demo
 * waits for a moment when no background refresh is due or running, so that the KMS call counter
 * around a request measures that request alone. Wake-ups are rounded up to a common grid, so the
 * three providers refresh together rather than drifting apart and leave quiet gaps between (a
 * timer that fires a little late only delays a refresh; the provider re-checks what is due).
 */
import type { ProviderTimers } from 'kms-pubkey-provider';

export class ObservedTimers implements ProviderTimers {
  /** @param gridMs wake-ups happen at multiples of this many milliseconds. */
  constructor(private readonly gridMs = 250) {}

  readonly #due = new Map<ReturnType<typeof setTimeout>, number>();
  #lastFiredMs = 0;

  setTimeout(callback: () => void, delayMs: number): unknown {
    const now = Date.now();
    const dueMs = Math.ceil((now + delayMs) / this.gridMs) * this.gridMs;
    const handle = setTimeout(() => {
      this.#due.delete(handle);
      this.#lastFiredMs = Date.now();
      callback();
    }, dueMs - now);
    handle.unref();
    this.#due.set(handle, dueMs);
    return handle;
  }

  clearTimeout(handle: unknown): void {
    const timer = handle as ReturnType<typeof setTimeout>;
    clearTimeout(timer);
    this.#due.delete(timer);
  }

  /** When the next background refresh is due (epoch ms), or Infinity. */
  nextDueMs(): number {
    return Math.min(Infinity, ...this.#due.values());
  }

  /**
   * Resolves once no refresh is running (`busy()` is false, and none started in the last 50 ms:
   * a refresh reaches KMS a few milliseconds after its timer fires) and none is due within
   * `windowMs`; rejects after `timeoutMs`.
   */
  async quiet(busy: () => boolean, windowMs: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = Date.now();
      const untilDue = this.nextDueMs() - now;
      const running = busy() || now - this.#lastFiredMs < 50;
      if (!running && untilDue >= windowMs) return;
      if (now > deadline) throw new Error(`the key providers were never idle for ${windowMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, running ? 10 : Math.max(10, Math.min(untilDue + 20, 200))));
    }
  }
}
