import { describe, expect, it } from 'vitest';
import { PenaltyBox } from '../src/penalty-box.js';
import { manualTime } from './support.js';

describe('PenaltyBox', () => {
  it('boxes a name for cooldownMs after a failure, keeping the failure until an answer releases it', () => {
    const time = manualTime();
    const box = new PenaltyBox(5_000, time.nowMs);
    const error = new Error('throttled');
    expect(box.isBoxed('key-1')).toBe(false);
    expect(box.releaseAt('key-1')).toBeUndefined();

    box.fail('key-1', error);
    expect(box.isBoxed('key-1')).toBe(true);
    expect(box.isBoxed('key-2')).toBe(false);
    expect(box.releaseAt('key-1')).toBe(time.nowMs() + 5_000);

    time.advance(4_999);
    expect(box.isBoxed('key-1')).toBe(true);
    time.advance(1);
    expect(box.isBoxed('key-1')).toBe(false);
    // Out of the box, but still failed: the last failure stays the reason until an answer.
    expect(box.failure('key-1')).toEqual({ at: time.nowMs() - 5_000, error });

    box.release('key-1');
    expect(box.failure('key-1')).toBeUndefined();
    expect(box.releaseAt('key-1')).toBeUndefined();
  });

  it('restarts the cooldown at each new failure', () => {
    const time = manualTime();
    const box = new PenaltyBox(1_000, time.nowMs);
    box.fail('alias/a', new Error('first'));
    time.advance(900);
    box.fail('alias/a', new Error('second'));
    time.advance(900);
    expect(box.isBoxed('alias/a')).toBe(true);
    expect(box.failure('alias/a')?.error.message).toBe('second');
  });
});
