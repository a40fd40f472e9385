import { describe, expect, it } from 'vitest';
import { KeyCache } from '../src/key-cache.js';
import { trustedEntry } from '../src/key-entry.js';
import { spkiSha256 } from '../src/spki-thumbprint.js';
import { newKeyRef, sourcedKey, throttled } from './parts-support.js';
import { COOLDOWN, MAX_STALE, setup, TTL } from './key-cache-support.js';
import type { TrustRecord } from '../src/trust-set.js';

// The key cache's rules at their edges (key-cache.ts): how long a key is fresh and usable, what a
// refusal makes of a cached key with and without honorKeyState, when a key is due, re-checked or
// fetched again after an alias lookup, what it keeps past maxEntries, and what the mismatch events say.

describe('KeyCache: freshness and staleness at their bounds', () => {
  it('answers a stale key up to the last millisecond of maxStaleMs while refreshes fail, and nothing from then on', async () => {
    const { time, source, cache, key, record, warm } = setup();
    const entry = await warm();
    source.keys.set(key.arn, { down: throttled() });
    time.advance(TTL + MAX_STALE - 1);
    expect(cache.current(record, time.nowMs())).toBe(entry);
    expect(cache.isUsable(entry, time.nowMs())).toBe(true);
    time.advance(1);
    expect(cache.current(record, time.nowMs())).toBeUndefined();
    expect(cache.isUsable(entry, time.nowMs())).toBe(false);
  });

  it('calls a confirmed key fresh until cacheMaxAgeMs, not at it, and a snapshot key never', async () => {
    const { time, cache, key, warm } = setup();
    const entry = await warm();
    time.advance(TTL - 1);
    expect(cache.isFresh(entry, time.nowMs())).toBe(true);
    time.advance(1);
    expect(cache.isFresh(entry, time.nowMs())).toBe(false);
    const snapshot = { ...trustedEntry(sourcedKey(key.arn), undefined, time.nowMs()), confirmed: false };
    expect(cache.isFresh(snapshot, time.nowMs())).toBe(false);
  });

  it('keeps answering a refused key as untrusted long past cacheMaxAgeMs + maxStaleMs (no fetch is waited for)', async () => {
    const { time, source, cache, key, record } = setup();
    source.keys.set(key.arn, { refuse: 'not-found' });
    await cache.refresh(record, true);
    time.advance(TTL + MAX_STALE + 1);
    expect(cache.current(record, time.nowMs())).toMatchObject({ kind: 'untrusted', reason: 'not-found' });
  });

  it('makes a refused key due at cacheMaxAgeMs after the refusal, not at once', async () => {
    const { time, source, cache, key, record } = setup();
    source.keys.set(key.arn, { refuse: 'not-found' });
    await cache.refresh(record, true);
    const refusedAt = time.nowMs();
    time.advance(1_000);
    expect(cache.nextDueAt([record])).toBe(refusedAt + TTL);
  });
});

describe('KeyCache: refreshing what is due', () => {
  it('refreshes neither a fresh key nor one in the penalty box, and a key past cacheMaxAgeMs once out of it', async () => {
    const { time, source, cache, key, record, warm } = setup();
    await warm();
    cache.refreshDue([record], time.nowMs());
    expect(source.calls).toHaveLength(1);

    source.keys.set(key.arn, { down: throttled() });
    time.advance(TTL);
    cache.refreshDue([record], time.nowMs());
    await cache.refresh(record, false);
    expect(source.calls).toHaveLength(2);
    time.advance(COOLDOWN - 1);
    cache.refreshDue([record], time.nowMs());
    expect(source.calls).toHaveLength(2);
    time.advance(1);
    source.keys.set(key.arn, sourcedKey(key.arn));
    cache.refreshDue([record], time.nowMs());
    expect(source.calls).toHaveLength(3);
  });

  it('ignores a record with nothing cached', () => {
    const { time, source, cache, record } = setup();
    cache.refreshDue([record], time.nowMs());
    expect(source.calls).toEqual([]);
  });

  it('forgets the failure of a key that leaves: it is fetched at once when it comes back', async () => {
    const { source, cache, key, record, warm } = setup();
    source.keys.set(key.arn, { down: throttled() });
    await cache.refresh(record, false);
    expect(cache.failure(key.keyId)).toBeDefined();
    expect(cache.refresh(record, false)).toBeUndefined();
    cache.forget(key.keyId);
    expect(cache.failure(key.keyId)).toBeUndefined();
    source.keys.set(key.arn, sourcedKey(key.arn));
    await warm();
    expect(source.calls).toHaveLength(2);
  });

  it('joins a fetch in flight when asked to re-check a key confirmed a moment ago', async () => {
    const { source, cache, record, warm } = setup();
    await warm();
    source.hold();
    const running = cache.refresh(record, true);
    expect(cache.recheck(record)).toBe(running);
    source.release();
    await running;
  });

  it('neither boxes nor reports a fetch cut off because its key left the cache', async () => {
    const { events, source, cache, key, record } = setup();
    source.keys.set(key.arn, { down: throttled() });
    source.hold();
    const running = cache.refresh(record, false);
    cache.forget(key.keyId);
    source.release();
    await running;
    expect(cache.failure(key.keyId)).toBeUndefined();
    expect(events.log.filter((event) => event.type === 'keyFetchFailed')).toEqual([]);
  });
});

describe('KeyCache: maxEntries', () => {
  /** A cache of `maxEntries` with three configured keys, each in the source. */
  function threeKeys(maxEntries: number) {
    const fixture = setup({ maxEntries });
    const records = [fixture.record];
    for (let i = 0; i < 2; i++) {
      const key = newKeyRef();
      fixture.trust.configure(key.arn, key.keyId, key.arn);
      fixture.source.keys.set(key.arn, sourcedKey(key.arn));
      records.push(fixture.trust.find(key.arn) as TrustRecord);
    }
    return { ...fixture, records };
  }

  it('evicts the least recently answered key, not one answered since it was fetched', async () => {
    const { time, cache, records } = threeKeys(2);
    const [a, b, c] = records as [TrustRecord, TrustRecord, TrustRecord];
    await cache.refresh(a, true);
    await cache.refresh(b, true);
    expect(cache.current(a, time.nowMs())?.kind).toBe('trusted');
    await cache.refresh(c, true);
    expect(cache.peek(a.keyId)?.kind).toBe('trusted');
    expect(cache.peek(b.keyId)).toBeUndefined();
    expect(cache.peek(c.keyId)?.kind).toBe('trusted');
  });

  it('drops the answer of a fetch whose key was evicted while it ran, without boxing it', async () => {
    const { time, source, cache, records } = threeKeys(1);
    const [a, b] = records as [TrustRecord, TrustRecord];
    for (const answer of [sourcedKey(a.arn as string), { down: throttled() }]) {
      source.keys.set(a.arn as string, sourcedKey(a.arn as string));
      await cache.refresh(a, true);
      expect(cache.peek(a.keyId)?.kind).toBe('trusted');
      source.keys.set(a.arn as string, answer);
      source.hold();
      const running = cache.refresh(a, true);
      cache.store(b.keyId, trustedEntry(sourcedKey(b.arn as string), undefined, time.nowMs()));
      source.release();
      await running;
      expect(cache.peek(a.keyId)).toBeUndefined();
      expect(cache.peek(b.keyId)?.kind).toBe('trusted');
      expect(cache.failure(a.keyId)).toBeUndefined();
    }
  });
});

describe('KeyCache: key state from an alias lookup', () => {
  it('fetches a key refused as disabled or in an invalid state when the alias says it is enabled, and not otherwise', async () => {
    for (const reason of ['disabled', 'invalid-state'] as const) {
      const { source, cache, key, record } = setup();
      source.keys.set(key.arn, { refuse: reason });
      await cache.refresh(record, true);
      expect(cache.noteKeyState(record, false)).toBeUndefined();
      source.keys.set(key.arn, sourcedKey(key.arn));
      const run = cache.noteKeyState(record, true);
      expect(run).toBeInstanceOf(Promise);
      await run;
      expect(cache.peek(key.keyId)?.kind).toBe('trusted');
    }
  });

  it('does not fetch a key refused for another reason when the alias says it is enabled', async () => {
    const { source, cache, key, record } = setup();
    source.keys.set(key.arn, { refuse: 'not-found' });
    await cache.refresh(record, true);
    expect(cache.noteKeyState(record, true)).toBeUndefined();
    expect(source.calls).toHaveLength(1);
  });
});

describe('KeyCache: honorKeyState false', () => {
  it('keeps trusting a cached key KMS reports in an invalid state (PendingDeletion), as for Disabled', async () => {
    const { time, source, cache, key, record, warm } = setup({ honorKeyState: false });
    const entry = await warm();
    source.keys.set(key.arn, { refuse: 'invalid-state' });
    time.advance(TTL);
    await cache.refresh(record, false);
    expect(cache.peek(key.keyId)).toMatchObject({ kind: 'trusted', key: entry.key, fetchedAt: time.nowMs() });
  });

  it('stops trusting a cached key the source no longer finds: only key states are overlooked', async () => {
    const { time, source, cache, key, record, warm } = setup({ honorKeyState: false });
    await warm();
    source.keys.set(key.arn, { refuse: 'not-found' });
    time.advance(TTL);
    await cache.refresh(record, false);
    expect(cache.peek(key.keyId)).toMatchObject({ kind: 'untrusted', reason: 'not-found' });
  });

  it('refuses a key disabled at its first fetch: nothing was trusted to keep', async () => {
    const { source, cache, key, record } = setup({ honorKeyState: false });
    source.keys.set(key.arn, { refuse: 'disabled' });
    await cache.refresh(record, true);
    expect(cache.peek(key.keyId)).toMatchObject({ kind: 'untrusted', reason: 'disabled' });
    expect(cache.failure(key.keyId)).toBeUndefined();
  });
});

describe('KeyCache: what the mismatch events say', () => {
  it('names the operation and the key when a public key does not match its pin', async () => {
    const { events, cache, key, record } = setup();
    record.spkiSha256 = spkiSha256(sourcedKey(key.arn).publicKey);
    await cache.refresh(record, true);
    expect(events.log).toContainEqual(
      expect.objectContaining({ type: 'keyMismatch', message: `the public key GetPublicKey returned for ${key.arn} does not match its pinned spkiSha256` }),
    );
  });

  it("names the key when the source's public key replaces a snapshot's", async () => {
    const { time, events, cache, key, record } = setup();
    cache.store(key.keyId, { ...trustedEntry(sourcedKey(key.arn), undefined, time.nowMs()), confirmed: false });
    await cache.recheck(record);
    expect(events.log).toContainEqual(
      expect.objectContaining({
        type: 'keyMismatch',
        message: `the snapshot's public key for ${key.arn} is not the one GetPublicKey returns; the snapshot's key is no longer trusted`,
      }),
    );
  });
});
