import { describe, expect, it } from 'vitest';
import { Scheduler } from '../src/scheduler.js';
import { nodeTimers, type ProviderTimers } from '../src/timers.js';
import { manualTime } from './support.js';

// The scheduler and Node's timers at their edges (scheduler.ts, timers.ts): no timer for nothing
// due, nothing armed or run once closed (even by a timer that fires anyway), and node timers that
// fire, cancel, and never hold the process open.

/** Timers that record each call; `clearTimeout` cancels only when `cancels` is true. */
function recording(cancels: boolean) {
  const time = manualTime(0);
  const calls: string[] = [];
  const timers: ProviderTimers = {
    setTimeout: (callback, delayMs) => {
      calls.push(`set ${delayMs}`);
      return time.timers.setTimeout(callback, delayMs);
    },
    clearTimeout: (handle) => {
      calls.push('clear');
      if (cancels) time.timers.clearTimeout(handle);
    },
  };
  return { time, calls, timers };
}

describe('Scheduler at its edges', () => {
  it('arms no timer while nothing is due, and clears none it never armed', () => {
    const { time, calls, timers } = recording(true);
    const scheduler = new Scheduler(timers, time.nowMs);
    scheduler.add({ nextDueAt: () => Infinity, runDue: () => undefined });
    scheduler.reschedule();
    scheduler.close();
    expect(calls).toEqual([]);
  });

  it('clears its timer and arms none when nothing is due any more', () => {
    const { time, calls, timers } = recording(true);
    let due = 1_000;
    const scheduler = new Scheduler(timers, time.nowMs);
    scheduler.add({ nextDueAt: () => due, runDue: () => undefined });
    scheduler.reschedule();
    due = Infinity;
    scheduler.reschedule();
    expect(calls).toEqual(['set 1000', 'clear']);
    expect(time.pending()).toBe(0);
  });

  it('arms nothing once closed, and runs no task when a timer fires after close()', () => {
    const { time, calls, timers } = recording(false);
    const ran: number[] = [];
    const scheduler = new Scheduler(timers, time.nowMs);
    scheduler.add({ nextDueAt: () => 1_000, runDue: (now) => ran.push(now) });
    scheduler.reschedule();
    scheduler.close();
    scheduler.reschedule();
    expect(calls).toEqual(['set 1000', 'clear']);
    time.advance(1_000);
    expect(ran).toEqual([]);
  });
});

describe('nodeTimers', () => {
  it('calls back after the delay, through a timer that does not hold the process open', async () => {
    let handle: unknown;
    await new Promise<void>((resolve) => {
      handle = nodeTimers.setTimeout(resolve, 1);
    });
    expect((handle as NodeJS.Timeout).hasRef()).toBe(false);
  });

  it('cancels a timer cleared before it fires', async () => {
    let fired = false;
    nodeTimers.clearTimeout(
      nodeTimers.setTimeout(() => {
        fired = true;
      }, 1),
    );
    await new Promise<void>((resolve) => nodeTimers.setTimeout(resolve, 20));
    expect(fired).toBe(false);
  });
});
