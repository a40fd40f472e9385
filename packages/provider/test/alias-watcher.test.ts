import { describe, expect, it } from 'vitest';
import { COOLDOWN, GRACE, REFRESH, setup } from './alias-watcher-support.js';
import { newKeyRef, throttled } from './parts-support.js';

describe('AliasWatcher', () => {
  it('looks up every unknown alias once, points it at its target, and reports the target key state', async () => {
    const { source, trust, watcher, targets } = setup(['alias/a', 'alias/b']);
    const [a, b] = [newKeyRef(), newKeyRef()];
    source.aliases.set('alias/a', a);
    source.aliases.set('alias/b', { ...b, enabled: false });
    expect(watcher.allKnown()).toBe(false);
    source.hold();
    const pending = watcher.resolveUnknown();
    expect(watcher.resolveUnknown()).toBeInstanceOf(Promise);
    source.release();
    await pending;
    expect(source.calls).toEqual(['describeAlias alias/a', 'describeAlias alias/b']);
    expect(watcher.allKnown()).toBe(true);
    expect(watcher.resolveUnknown()).toBeUndefined();
    expect(trust.find(a.arn)?.currentOf).toEqual(new Set(['alias/a']));
    expect(targets).toEqual([
      [a.arn, true],
      [b.arn, false],
    ]);
    expect(watcher.knownAliases()).toEqual(['alias/a', 'alias/b']);
    expect(watcher.problems()).toEqual([]);
  });

  it('moves an alias at the lookup due after aliasRefreshMs, starting the grace window of the key it leaves', async () => {
    const { time, events, source, trust, watcher } = setup(['alias/a']);
    const [a, b] = [newKeyRef(), newKeyRef()];
    source.aliases.set('alias/a', a);
    await watcher.resolveUnknown();
    expect(watcher.nextDueAt()).toBe(time.nowMs() + REFRESH);

    source.aliases.set('alias/a', b);
    time.advance(REFRESH - 1);
    watcher.runDue(time.nowMs());
    expect(source.calls).toHaveLength(1);
    time.advance(1);
    watcher.runDue(time.nowMs());
    expect(source.calls).toHaveLength(2);
    // Waits for the lookup in flight (a due alias is looked up again; one in flight is joined).
    await watcher.refreshAll(time.nowMs());
    expect(source.calls).toHaveLength(2);
    expect(events.log).toEqual([{ type: 'rotation', alias: 'alias/a', previousKeyArn: a.arn, keyArn: b.arn, graceUntilMs: time.nowMs() + GRACE }]);
    expect(trust.targetOf('alias/a')).toEqual(b);
    expect(trust.retiredOf('alias/a', time.nowMs())).toEqual([{ keyArn: a.arn, graceUntilMs: time.nowMs() + GRACE }]);
  });

  it('puts an alias whose lookup fails in the penalty box, and names it in problems()', async () => {
    const { time, events, source, watcher } = setup(['alias/a']);
    source.aliases.set('alias/a', { down: throttled() });
    await watcher.resolveUnknown();
    expect(events.log).toEqual([expect.objectContaining({ type: 'keyFetchFailed', key: 'alias/a', operation: 'DescribeKey', errorName: 'ThrottlingException', servingStaleUntilMs: undefined })]);
    expect(watcher.firstFailure()?.error.name).toBe('ThrottlingException');
    expect(watcher.resolveUnknown()).toBeUndefined();
    expect(watcher.nextDueAt()).toBe(time.nowMs() + COOLDOWN);
    expect(watcher.problems()).toEqual([{ alias: 'alias/a', text: 'DescribeKey failed (ThrottlingException: Rate exceeded)', cause: expect.any(Error), config: false }]);

    // ready() forces the lookup, penalty box or not.
    source.aliases.set('alias/a', 'missing');
    await watcher.refreshAll(time.nowMs());
    expect(watcher.firstFailure()).toBeUndefined();
    expect(watcher.problems()).toEqual([{ alias: 'alias/a', text: expect.stringContaining('the alias does not exist (NotFoundException'), cause: expect.any(Error), config: true }]);
  });

  it('takes a target from a snapshot as known, and refreshes it only once due', async () => {
    const { time, source, watcher } = setup(['alias/a']);
    expect(watcher.markKnown('alias/other', time.nowMs())).toBe(false);
    expect(watcher.markKnown('alias/a', time.nowMs())).toBe(true);
    expect(watcher.allKnown()).toBe(true);
    await watcher.refreshAll(time.nowMs());
    expect(source.calls).toEqual([]);
    expect(watcher.nextDueAt()).toBe(time.nowMs() + REFRESH);
  });

  it('looks up nothing after close()', () => {
    const { source, watcher } = setup(['alias/a']);
    watcher.close();
    expect(watcher.resolveUnknown()).toBeUndefined();
    expect(source.calls).toEqual([]);
  });
});
