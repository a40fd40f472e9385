import { describe, expect, it } from 'vitest';
import { Scheduler, type MaintenanceTask } from '../src/scheduler.js';
import { MAX_TIMER_DELAY_MS, type ProviderTimers } from '../src/timers.js';
import { manualTime } from './support.js';

/** A task due at a settable time, recording when it ran. */
function task(name: string, log: string[]): MaintenanceTask & { dueAt: number } {
  return {
    dueAt: Infinity,
    nextDueAt() {
      return this.dueAt;
    },
    runDue(now) {
      log.push(`${name}@${now}`);
      if (now >= this.dueAt) this.dueAt = Infinity;
    },
  };
}

/** Counts the timers armed through `timers`. */
function counting(timers: ProviderTimers): { timers: ProviderTimers; armed: number[] } {
  const armed: number[] = [];
  return {
    armed,
    timers: {
      setTimeout: (callback, delayMs) => {
        armed.push(delayMs);
        return timers.setTimeout(callback, delayMs);
      },
      clearTimeout: (handle) => timers.clearTimeout(handle),
    },
  };
}

describe('Scheduler', () => {
  it('arms one timer for the earliest due task, and runs every task in order when it fires', () => {
    const time = manualTime(1_000_000);
    const log: string[] = [];
    const scheduler = new Scheduler(time.timers, time.nowMs);
    const [first, second] = [task('first', log), task('second', log)];
    scheduler.add(first);
    scheduler.add(second);
    first.dueAt = 1_000_500;
    second.dueAt = 1_000_200;
    scheduler.reschedule();
    expect(time.pending()).toBe(1);

    time.advance(199);
    expect(log).toEqual([]);
    time.advance(1);
    expect(log).toEqual(['first@1000200', 'second@1000200']);
    // Re-armed for the task still due.
    expect(time.pending()).toBe(1);
    time.advance(300);
    expect(log.slice(2)).toEqual(['first@1000500', 'second@1000500']);
    expect(time.pending()).toBe(0);
  });

  it('leaves the timer alone when the earliest due time has not changed', () => {
    const time = manualTime(0);
    const { timers, armed } = counting(time.timers);
    const scheduler = new Scheduler(timers, time.nowMs);
    const only = task('only', []);
    scheduler.add(only);
    only.dueAt = 60_000;
    scheduler.reschedule();
    scheduler.reschedule();
    expect(armed).toEqual([60_000]);
    only.dueAt = 30_000;
    scheduler.reschedule();
    expect(armed).toEqual([60_000, 30_000]);
    expect(time.pending()).toBe(1);
  });

  it('fires at once for a time already past, and wakes up on the way to a time beyond the longest timer delay', () => {
    const time = manualTime(10_000);
    const { timers, armed } = counting(time.timers);
    const scheduler = new Scheduler(timers, time.nowMs);
    const late = task('late', []);
    scheduler.add(late);
    late.dueAt = 5_000;
    scheduler.reschedule();
    expect(armed).toEqual([0]);
    time.advance(0);
    late.dueAt = 10_000 + 40 * 86_400_000;
    scheduler.reschedule();
    expect(armed.at(-1)).toBe(MAX_TIMER_DELAY_MS);
  });

  it('clears its timer on close() and never arms one again', () => {
    const time = manualTime(0);
    const log: string[] = [];
    const scheduler = new Scheduler(time.timers, time.nowMs);
    const only = task('only', log);
    scheduler.add(only);
    only.dueAt = 1_000;
    scheduler.reschedule();
    scheduler.close();
    expect(time.pending()).toBe(0);
    scheduler.reschedule();
    time.advance(5_000);
    expect(time.pending()).toBe(0);
    expect(log).toEqual([]);
  });
});
