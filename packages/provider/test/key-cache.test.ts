import type { TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { KeyCache } from '../src/key-cache.js';
import { trustedEntry, type TrustedEntry } from '../src/key-entry.js';
import { spkiSha256 } from '../src/spki-thumbprint.js';
import { newKeyRef, sourcedKey, throttled } from './parts-support.js';
import { COOLDOWN, MAX_STALE, RECHECK, setup, TTL } from './key-cache-support.js';

describe('KeyCache', () => {
  it('fetches a key once for concurrent refreshes (single-flight), then answers it without calls until cacheMaxAgeMs', async () => {
    const { time, events, source, cache, key, record } = setup();
    source.hold();
    const first = cache.refresh(record, false);
    expect(cache.refresh(record, false)).toBe(first);
    expect(cache.current(record, time.nowMs())).toBeUndefined();
    source.release();
    await first;
    expect(source.calls).toEqual([`fetchKey ${key.arn}`]);
    const entry = cache.current(record, time.nowMs());
    expect(entry).toMatchObject({ kind: 'trusted', keyArn: key.arn, keySpec: 'ECC_NIST_P256', fetchedAt: time.nowMs() });
    expect((entry as TrustedEntry).key.algorithms).toEqual(['ES256']);
    expect(events.log).toEqual([{ type: 'keyFetched', keyArn: key.arn, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'], changed: true }]);

    time.advance(TTL - 1);
    expect(cache.current(record, time.nowMs())).toBe(entry);
    expect(source.calls).toHaveLength(1);
  });

  it('serves a stale key while refreshes fail until maxStaleMs, asking the source again only after the cooldown', async () => {
    const { time, events, source, cache, key, record, warm } = setup();
    const entry = await warm();
    source.keys.set(key.arn, { down: throttled() });

    time.advance(TTL);
    expect(cache.current(record, time.nowMs())).toBe(entry);
    await cache.refresh(record, false);
    expect(source.calls).toHaveLength(2);
    expect(events.log.at(-1)).toMatchObject({ type: 'keyFetchFailed', key: key.arn, operation: 'GetPublicKey', errorName: 'ThrottlingException', servingStaleUntilMs: entry.fetchedAt + TTL + MAX_STALE });
    expect(cache.failure(key.keyId)?.error.name).toBe('ThrottlingException');

    // In the penalty box: answered from the stale entry without a call.
    time.advance(COOLDOWN - 1);
    expect(cache.current(record, time.nowMs())).toBe(entry);
    expect(cache.refresh(record, false)).toBeUndefined();
    expect(source.calls).toHaveLength(2);

    time.advance(1);
    expect(cache.current(record, time.nowMs())).toBe(entry);
    await cache.refresh(record, false);
    expect(source.calls).toHaveLength(3);

    time.advance(entry.fetchedAt + TTL + MAX_STALE - time.nowMs());
    expect(cache.isUsable(entry, time.nowMs())).toBe(false);
    expect(cache.current(record, time.nowMs())).toBeUndefined();
  });

  it('keeps the same TrustedKey when a refresh finds the key unchanged, and makes a new one when it changed', async () => {
    const { time, events, source, cache, key, record, warm } = setup();
    const before = (await warm()).key;
    time.advance(TTL);
    await cache.refresh(record, false);
    expect((cache.peek(key.keyId) as TrustedEntry).key).toBe(before);
    expect(events.log.at(-1)).toMatchObject({ type: 'keyFetched', changed: false });

    source.keys.set(key.arn, sourcedKey(key.arn));
    time.advance(TTL);
    await cache.refresh(record, false);
    const after: TrustedKey = (cache.peek(key.keyId) as TrustedEntry).key;
    expect(after).not.toBe(before);
    expect(after.id).toBe(key.arn);
    expect(events.log.at(-1)).toMatchObject({ type: 'keyFetched', changed: true });
  });

  it('caches a refusal as untrusted, telling onKeyUntrusted once per reason', async () => {
    const { time, events, source, cache, key, record } = setup();
    source.keys.set(key.arn, { refuse: 'disabled' });
    await cache.refresh(record, false);
    expect(cache.current(record, time.nowMs())).toMatchObject({ kind: 'untrusted', keyArn: key.arn, reason: 'disabled', message: 'the key is disabled (Error: refused: disabled)' });
    time.advance(TTL);
    await cache.refresh(record, false);
    source.keys.set(key.arn, { refuse: 'invalid-state' });
    time.advance(TTL);
    await cache.refresh(record, false);
    expect(events.log.map((event) => (event.type === 'keyUntrusted' ? event.reason : event.type))).toEqual(['disabled', 'invalid-state']);
    expect(cache.failure(key.keyId)).toBeUndefined();
  });

  it('refuses an answer about another key than the one asked for', async () => {
    const { time, source, cache, key, record } = setup();
    const other = newKeyRef();
    source.keys.set(key.arn, sourcedKey(other.arn));
    await cache.refresh(record, false);
    const entry = cache.current(record, time.nowMs());
    expect(entry).toMatchObject({ kind: 'untrusted', reason: 'unusable' });
    expect(entry?.kind === 'untrusted' && entry.message).toContain(`GetPublicKey answered for ${other.arn}, not for ${key.arn}`);
  });

  it('keeps trusting a cached key the source reports disabled when honorKeyState is false', async () => {
    const { time, events, source, cache, key, record, warm } = setup({ honorKeyState: false });
    const entry = await warm();
    source.keys.set(key.arn, { refuse: 'disabled' });
    time.advance(TTL);
    await cache.refresh(record, false);
    const kept = cache.current(record, time.nowMs());
    expect(kept).toMatchObject({ kind: 'trusted', key: entry.key, fetchedAt: time.nowMs() });
    expect(events.log.filter((event) => event.type === 'keyUntrusted')).toEqual([]);
  });

  it('re-checks a key ahead of cacheMaxAgeMs at most once per recheckIntervalMs, joining a fetch in flight', async () => {
    const { time, source, cache, record, warm } = setup();
    await warm();
    expect(cache.recheck(record)).toBeUndefined();
    time.advance(RECHECK - 1);
    expect(cache.recheck(record)).toBeUndefined();
    expect(source.calls).toHaveLength(1);

    time.advance(1);
    source.hold();
    const run = cache.recheck(record);
    expect(run).toBeInstanceOf(Promise);
    expect(cache.recheck(record)).toBe(run);
    expect(cache.refresh(record, true)).toBe(run);
    source.release();
    await run;
    expect(source.calls).toHaveLength(2);
    expect(cache.recheck(record)).toBeUndefined();
  });

  it('does not re-check a key in the penalty box', async () => {
    const { time, source, cache, key, record, warm } = setup();
    await warm();
    source.keys.set(key.arn, { down: throttled() });
    time.advance(RECHECK);
    await cache.recheck(record);
    time.advance(RECHECK);
    expect(cache.recheck(record)).toBeUndefined();
    expect(source.calls).toHaveLength(2);
    time.advance(COOLDOWN);
    await cache.recheck(record);
    expect(source.calls).toHaveLength(3);
  });

  it('fetches a key whose state an alias lookup reports differently from the cache, even from the penalty box', async () => {
    const { time, source, cache, key, record } = setup();
    const first = cache.noteKeyState(record, true);
    expect(first).toBeInstanceOf(Promise);
    await first;
    expect(cache.peek(key.keyId)?.kind).toBe('trusted');
    expect(cache.noteKeyState(record, true)).toBeUndefined();

    source.keys.set(key.arn, { down: throttled() });
    time.advance(TTL);
    await cache.refresh(record, false);
    source.keys.set(key.arn, { refuse: 'disabled' });
    await cache.noteKeyState(record, false);
    expect(cache.current(record, time.nowMs())).toMatchObject({ kind: 'untrusted', reason: 'disabled' });
    expect(source.calls).toHaveLength(3);
  });

  it('is due for a refresh at cacheMaxAgeMs, or at the end of the cooldown after a failure', async () => {
    const { time, source, cache, key, record, warm } = setup();
    expect(cache.nextDueAt([record])).toBe(Infinity);
    const entry = await warm();
    expect(cache.nextDueAt([record])).toBe(entry.fetchedAt + TTL);
    source.keys.set(key.arn, { down: throttled() });
    time.advance(TTL);
    cache.refreshDue([record], time.nowMs());
    await cache.refresh(record, false);
    expect(cache.nextDueAt([record])).toBe(time.nowMs() + COOLDOWN);
  });

  it('fetches nothing after close(), and forgets a key that left the trusted set', async () => {
    const { time, source, cache, key, record, warm } = setup();
    await warm();
    cache.forget(key.keyId);
    expect(cache.peek(key.keyId)).toBeUndefined();
    cache.close();
    expect(cache.closed).toBe(true);
    expect(cache.refresh(record, true)).toBeUndefined();
    time.advance(RECHECK);
    expect(cache.recheck(record)).toBeUndefined();
    expect(source.calls).toHaveLength(1);
  });

  it('re-checks a snapshot key not confirmed yet at once, past the rate limit, and replaces it when the source answers another public key', async () => {
    const { time, events, source, cache, key, record } = setup();
    const snapshotKey = sourcedKey(key.arn);
    cache.store(key.keyId, { ...trustedEntry(snapshotKey, undefined, time.nowMs()), confirmed: false });
    expect(cache.nextDueAt([record])).toBe(0);
    expect(cache.isFresh(cache.peek(key.keyId) as TrustedEntry, time.nowMs())).toBe(false);

    await cache.recheck(record);
    expect(source.calls).toEqual([`fetchKey ${key.arn}`]);
    const entry = cache.peek(key.keyId) as TrustedEntry;
    expect(entry.confirmed).toBe(true);
    expect(entry.spki.equals(snapshotKey.spki)).toBe(false);
    expect(events.log).toContainEqual(expect.objectContaining({ type: 'keyMismatch', keyArn: key.arn, source: 'snapshot', expected: 'kms', outcome: 'replaced' }));
    // Confirmed now: the usual rate limit applies again.
    expect(cache.recheck(record)).toBeUndefined();
    expect(cache.nextDueAt([record])).toBe(time.nowMs() + TTL);
  });

  it('refuses a key whose public key does not match its pin, as spki-mismatch, and reports it', async () => {
    const { events, cache, key, record } = setup();
    record.spkiSha256 = spkiSha256(sourcedKey(key.arn).publicKey);
    await cache.refresh(record, true);
    expect(cache.peek(key.keyId)).toMatchObject({ kind: 'untrusted', reason: 'spki-mismatch' });
    expect(events.log.map((event) => event.type)).toEqual(['keyMismatch', 'keyUntrusted']);
    expect(events.log[0]).toMatchObject({ keyArn: key.arn, source: 'kms', expected: 'pin', outcome: 'refused' });
  });
});
