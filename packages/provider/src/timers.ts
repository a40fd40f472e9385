/**
 * The timers that drive background refreshes. Tests replace them (with a scheduler bound to their
 * clock, or vitest's fake timers) so rotation, grace and refresh run without sleeping.
 */
export interface ProviderTimers {
  /** Calls `callback` once after `delayMs` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Longest delay `setTimeout` takes (about 24.8 days); later wake-ups are re-armed on the way. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Node's timers, unref'd: a pending refresh never keeps the process alive. */
export const nodeTimers: ProviderTimers = {
  setTimeout(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
