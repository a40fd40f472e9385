import { describe, expect, it } from 'vitest';
import { COOLDOWN, GRACE, REFRESH, setup } from './alias-watcher-support.js';
import { newKeyRef, throttled } from './parts-support.js';

// The alias watcher's rules at their edges (alias-watcher.ts): when an alias is due again, what
// ready() looks up again, that a lookup settling after close() changes nothing, and what
// the first answer after a snapshot takes away from it.

describe('AliasWatcher: when an alias is looked up', () => {
  it('is due neither before its first lookup nor while one is in flight, and tells each lookup that settles', async () => {
    const { source, watcher, settled } = setup(['alias/a']);
    source.aliases.set('alias/a', newKeyRef());
    expect(watcher.nextDueAt()).toBe(Infinity);
    source.hold();
    const pending = watcher.resolveUnknown();
    expect(watcher.nextDueAt()).toBe(Infinity);
    expect(settled.count).toBe(0);
    source.release();
    await pending;
    expect(settled.count).toBe(1);
  });

  it('retries a failed alias once its cooldown ends, and not while it is in the penalty box', async () => {
    const { time, source, watcher } = setup(['alias/a']);
    source.aliases.set('alias/a', { down: throttled() });
    await watcher.resolveUnknown();
    expect(watcher.nextDueAt()).toBe(time.nowMs() + COOLDOWN);
    time.advance(COOLDOWN - 1);
    watcher.runDue(time.nowMs());
    expect(source.calls).toHaveLength(1);
    source.aliases.set('alias/a', newKeyRef());
    time.advance(1);
    watcher.runDue(time.nowMs());
    expect(source.calls).toHaveLength(2);
    await watcher.refreshAll(time.nowMs());
    // The answer releases it from the penalty box: no problem left, next due after aliasRefreshMs.
    expect(watcher.problems()).toEqual([]);
    expect(watcher.nextDueAt()).toBe(time.nowMs() + REFRESH);
  });

  it('looks up a never-answered alias for ready() whatever the clock reads', async () => {
    const { source, watcher } = setup(['alias/a']);
    source.aliases.set('alias/a', newKeyRef());
    await watcher.refreshAll(0);
    expect(source.calls).toEqual(['describeAlias alias/a']);
  });

  it('knows which aliases are configured', () => {
    const { watcher } = setup(['alias/a', 'alias/b']);
    expect(watcher.has('alias/b')).toBe(true);
    expect(watcher.has('alias/c')).toBe(false);
  });

  it('looks up at once an alias a snapshot gave but did not confirm, and reports no failure for a known alias', async () => {
    const { time, source, watcher } = setup(['alias/a', 'alias/b']);
    watcher.markKnown('alias/a', time.nowMs(), false);
    expect(watcher.allKnown()).toBe(false);
    expect(watcher.knownAliases()).toEqual([]);
    // Due at once: whatever the clock says.
    expect(watcher.nextDueAt()).toBe(0);
    source.aliases.set('alias/a', newKeyRef());
    await watcher.refreshAll(time.nowMs());
    expect(source.calls).toEqual(['describeAlias alias/a', 'describeAlias alias/b']);
    // alias/b does not exist: a definitive answer too.
    expect(watcher.knownAliases()).toEqual(['alias/a', 'alias/b']);
    expect(watcher.firstFailure()).toBeUndefined();
  });
});

describe('AliasWatcher: ready() looks up again', () => {
  it('every alias whose last answer is aliasRefreshMs old or older, and one that failed since', async () => {
    const { time, source, watcher, penaltyBox } = setup(['alias/a']);
    source.aliases.set('alias/a', newKeyRef());
    await watcher.resolveUnknown();
    const answered = time.nowMs();
    await watcher.refreshAll(answered + REFRESH - 1);
    expect(source.calls).toHaveLength(1);
    await watcher.refreshAll(answered + REFRESH);
    expect(source.calls).toHaveLength(2);
    penaltyBox.fail('alias/a', throttled());
    await watcher.refreshAll(time.nowMs());
    expect(source.calls).toHaveLength(3);
  });
});

describe('AliasWatcher: problems()', () => {
  it('calls an alias KMS refuses us (AccessDeniedException) a configuration mistake, and a known alias that failed since a failure', async () => {
    const { source, watcher, penaltyBox } = setup(['alias/a', 'alias/b']);
    source.aliases.set('alias/a', { down: Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }) });
    source.aliases.set('alias/b', newKeyRef());
    await watcher.resolveUnknown();
    penaltyBox.fail('alias/b', throttled());
    expect(watcher.problems()).toEqual([
      { alias: 'alias/a', text: 'DescribeKey failed (AccessDeniedException: not allowed)', cause: expect.any(Error), config: true },
      { alias: 'alias/b', text: 'DescribeKey failed (ThrottlingException: Rate exceeded)', cause: expect.any(Error), config: false },
    ]);
    expect(watcher.firstFailure()?.error.name).toBe('AccessDeniedException');
  });

  it('names the failure of the first unknown alias that failed, past known ones, and says an alias never asked has not answered, with no cause', async () => {
    const { source, watcher } = setup(['alias/a', 'alias/b', 'alias/c']);
    expect(watcher.problems()).toEqual(['alias/a', 'alias/b', 'alias/c'].map((alias) => ({ alias, text: 'DescribeKey has not answered yet', cause: undefined, config: false })));
    source.aliases.set('alias/a', newKeyRef());
    source.aliases.set('alias/b', { down: throttled() });
    source.aliases.set('alias/c', { down: Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }) });
    await watcher.resolveUnknown();
    expect(watcher.firstFailure()?.error.name).toBe('ThrottlingException');
  });
});

describe('AliasWatcher: an alias that no longer exists', () => {
  it('points nowhere, and the key it pointed to enters its grace window', async () => {
    const { time, events, source, trust, watcher } = setup(['alias/a']);
    const a = newKeyRef();
    source.aliases.set('alias/a', a);
    await watcher.resolveUnknown();
    source.aliases.set('alias/a', 'missing');
    await watcher.refreshAll(time.nowMs() + REFRESH);
    expect(trust.targetOf('alias/a')).toBeUndefined();
    expect(events.log).toEqual([{ type: 'rotation', alias: 'alias/a', previousKeyArn: a.arn, keyArn: undefined, graceUntilMs: time.nowMs() + GRACE }]);
    expect(watcher.knownAliases()).toEqual(['alias/a']);
  });
});

describe('AliasWatcher: after close()', () => {
  it('neither boxes nor reports a lookup that fails after close(), and keeps the target of a missing alias', async () => {
    const { time, events, source, trust, watcher, penaltyBox } = setup(['alias/a', 'alias/b']);
    const a = newKeyRef();
    source.aliases.set('alias/a', a);
    source.aliases.set('alias/b', a);
    await watcher.resolveUnknown();
    source.aliases.set('alias/a', { down: throttled() });
    source.aliases.set('alias/b', 'missing');
    source.hold();
    const pending = watcher.refreshAll(time.nowMs() + REFRESH);
    watcher.close();
    source.release();
    await pending;
    expect(source.calls).toHaveLength(4);
    expect(penaltyBox.failure('alias/a')).toBeUndefined();
    expect(events.log).toEqual([]);
    expect(trust.targetOf('alias/b')).toEqual(a);
    expect(watcher.problems()).toEqual([]);
    expect(watcher.resolveUnknown()).toBeUndefined();
  });
});

describe('AliasWatcher: a target answered after close()', () => {
  it('is ignored: the alias keeps its key, no rotation is told, and no key is fetched', async () => {
    const { time, events, source, trust, watcher, targets } = setup(['alias/a']);
    const [a, b] = [newKeyRef(), newKeyRef()];
    source.aliases.set('alias/a', a);
    await watcher.resolveUnknown();
    source.aliases.set('alias/a', b);
    source.hold();
    const pending = watcher.refreshAll(time.nowMs() + REFRESH);
    watcher.close();
    source.release();
    await pending;
    expect(source.calls).toEqual(['describeAlias alias/a', 'describeAlias alias/a']);
    expect(trust.targetOf('alias/a')).toEqual(a);
    expect(trust.retiredOf('alias/a', time.nowMs())).toEqual([]);
    expect(events.log).toEqual([]);
    expect(targets).toEqual([[a.arn, true]]);
  });

  it('leaves a never-answered alias unknown, and problems() says the provider was closed before DescribeKey answered', async () => {
    const { source, trust, watcher } = setup(['alias/a']);
    source.aliases.set('alias/a', newKeyRef());
    source.hold();
    const pending = watcher.resolveUnknown();
    watcher.close();
    source.release();
    await pending;
    expect(watcher.allKnown()).toBe(false);
    expect(trust.targetOf('alias/a')).toBeUndefined();
    expect(watcher.problems()).toEqual([{ alias: 'alias/a', text: 'the provider was closed before DescribeKey answered', cause: undefined, config: false }]);
  });

  it('says an alias asked but not answered yet has not answered, not that DescribeKey failed', () => {
    const { source, watcher } = setup(['alias/a']);
    source.aliases.set('alias/a', newKeyRef());
    source.hold();
    void watcher.resolveUnknown();
    expect(watcher.problems()).toEqual([{ alias: 'alias/a', text: 'DescribeKey has not answered yet', cause: undefined, config: false }]);
    source.release();
  });
});

describe('AliasWatcher: the first answer after a snapshot', () => {
  it("forgets what the snapshot said outside the alias's account and Region, and says so", async () => {
    const { time, events, source, trust, watcher } = setup(['alias/a']);
    const foreign = newKeyRef();
    const foreignArn = foreign.arn.replace(':111122223333:', ':999999999999:');
    trust.pointAlias('alias/a', { keyId: foreign.keyId, arn: foreignArn }, time.nowMs());
    watcher.markKnown('alias/a', time.nowMs(), false);
    const home = newKeyRef();
    source.aliases.set('alias/a', home);
    await watcher.refreshAll(time.nowMs());
    expect(trust.targetOf('alias/a')).toEqual(home);
    expect(trust.retiredOf('alias/a', time.nowMs())).toEqual([]);
    expect(events.log).toEqual([
      {
        type: 'keyMismatch',
        keyArn: foreignArn,
        source: 'snapshot',
        expected: 'kms',
        outcome: 'refused',
        message: `the snapshot said alias/a pointed at ${foreignArn}, outside the account and Region where KMS says the alias lives; it is no longer trusted`,
      },
    ]);
  });

  it('keeps what a confirmed target said: a later move gives the key it leaves its grace window', async () => {
    const { time, events, source, trust, watcher } = setup(['alias/a']);
    const a = newKeyRef();
    const other = newKeyRef();
    // Confined only after a snapshot: a target the source itself gave keeps its grace window, wherever the next one lives.
    const b = { keyId: other.keyId, arn: other.arn.replace(':111122223333:', ':999999999999:') };
    source.aliases.set('alias/a', a);
    await watcher.resolveUnknown();
    source.aliases.set('alias/a', b);
    await watcher.refreshAll(time.nowMs() + REFRESH);
    expect(events.log.map((event) => event.type)).toEqual(['rotation']);
    expect(trust.retiredOf('alias/a', time.nowMs()).map((old) => old.keyArn)).toEqual([a.arn]);
  });
});
