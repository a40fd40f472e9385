import { MAX_TIMER_DELAY_MS, type ProviderTimers } from './timers.js';

/** Background work with a due time: a part of the provider the scheduler wakes up. */
export interface MaintenanceTask {
  /** When (epoch ms) the task next has work to do; `Infinity` when none. */
  nextDueAt(): number;
  /** Does the work due at `now` (starting background calls, never awaiting them). */
  runDue(now: number): void;
}

/**
 * One timer, armed for the earliest due task (alias lookups, key refreshes, retries, ends of grace),
 * on the injected clock and timers. When it fires every task runs what is due, in the order added.
 */
export class Scheduler {
  readonly #timers: ProviderTimers;
  readonly #nowMs: () => number;
  readonly #tasks: MaintenanceTask[] = [];
  readonly #tick = (): void => this.#run();
  #timer: unknown;
  #timerAt = Infinity;
  #closed = false;

  constructor(timers: ProviderTimers, nowMs: () => number) {
    this.#timers = timers;
    this.#nowMs = nowMs;
  }

  add(task: MaintenanceTask): void {
    this.#tasks.push(task);
  }

  /** Re-arms the timer for the earliest due task (leaves it alone when that time has not changed). */
  reschedule(): void {
    if (this.#closed) return;
    let next = Infinity;
    for (const task of this.#tasks) next = Math.min(next, task.nextDueAt());
    if (next === this.#timerAt) return;
    this.#clear();
    this.#timerAt = next;
    if (next !== Infinity) this.#timer = this.#timers.setTimeout(this.#tick, Math.min(MAX_TIMER_DELAY_MS, Math.max(0, next - this.#nowMs())));
  }

  /** Stops for good: the timer is cleared and never armed again. */
  close(): void {
    this.#closed = true;
    this.#clear();
  }

  #clear(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #run(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#closed) return;
    const now = this.#nowMs();
    for (const task of this.#tasks) task.runDue(now);
    this.reschedule();
  }
}
