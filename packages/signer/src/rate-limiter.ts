/** Hands out permission to start a call, at a bounded rate. */
export interface RateLimiter {
  /** Resolves when the caller may start one call (in the order `take` was called). */
  take(): Promise<void>;
}

const WINDOW_MS = 1000;
/** Rounding noise in the spacing arithmetic, below any timer's resolution. */
const EPSILON_MS = 1e-6;

/**
 * A rate limiter for a per-second quota such as KMS's:
 * - at most `floor(ratePerSecond)` (at least 1) starts in any window of one second (a log of the
 *   most recent starts checks this exactly, so a quota counted per second is never exceeded by
 *   this process's own clock);
 * - starts spaced evenly, `1000 / ratePerSecond` ms apart (GCRA), so that jitter on the way to
 *   the server does not bunch them; after a pause (a late timer, a busy event loop) at most
 *   `ceil(ratePerSecond / 20)` start together to catch up.
 *
 * `now` is a monotonic clock in milliseconds; one timer at a time runs while callers wait.
 */
export function createRateLimiter(ratePerSecond: number, now: () => number = () => performance.now()): RateLimiter {
  const intervalMs = WINDOW_MS / ratePerSecond;
  const windowCapacity = Math.max(1, Math.floor(ratePerSecond));
  const burst = Math.max(1, Math.ceil(ratePerSecond / 20));
  const toleranceMs = (burst - 1) * intervalMs;
  /** Ring of the last `windowCapacity` start times; `next` is the oldest. */
  const starts = new Float64Array(windowCapacity).fill(Number.NEGATIVE_INFINITY);
  let next = 0;
  /** GCRA's theoretical arrival time of the next start. */
  let theoreticalMs = Number.NEGATIVE_INFINITY;
  let queue: Array<() => void> = [];
  let head = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const waitMs = (t: number): number => Math.max(0, theoreticalMs - toleranceMs - t, (starts[next] ?? Number.NEGATIVE_INFINITY) + WINDOW_MS - t);

  function start(t: number): void {
    theoreticalMs = Math.max(theoreticalMs, t) + intervalMs;
    starts[next] = t;
    next = (next + 1) % windowCapacity;
  }

  function drain(): void {
    timer = undefined;
    while (head < queue.length) {
      const t = now();
      const wait = waitMs(t);
      if (wait > EPSILON_MS) {
        timer = setTimeout(drain, Math.ceil(wait));
        return;
      }
      start(t);
      const release = queue[head];
      head += 1;
      if (head >= 1024 && head * 2 >= queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      release?.();
    }
    queue = [];
    head = 0;
  }

  return {
    take() {
      // With no one waiting (no timer) and a slot free, drain() hands this permit out at once.
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        if (timer === undefined) drain();
      });
    },
  };
}
