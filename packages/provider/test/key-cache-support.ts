import { expect } from 'vitest';
import { AliasWatcher } from '../src/alias-watcher.js';
import { HookEmitter } from '../src/hook-emitter.js';
import { KeyCache, type KeyCacheOptions } from '../src/key-cache.js';
import type { TrustedEntry } from '../src/key-entry.js';
import { PenaltyBox } from '../src/penalty-box.js';
import type { ProviderParts } from '../src/provider-parts.js';
import { TrustSet, type TrustRecord } from '../src/trust-set.js';
import { MemorySource, newKeyRef, sourcedKey } from './parts-support.js';
import { manualTime, recordEvents } from './support.js';

// A KeyCache over a MemorySource and a TrustSet with one configured key, on a manual clock: the
// setup of the key cache's tests (key-cache.test.ts, key-cache-rules.test.ts).

export const TTL = 60_000;
export const MAX_STALE = 600_000;
export const COOLDOWN = 30_000;
export const RECHECK = 10_000;

/** A cache with one configured key in its source; `warm()` fetches it and returns its trusted entry. */
export function setup(extra: Partial<KeyCacheOptions> = {}) {
  const time = manualTime();
  const events = recordEvents();
  const emitter = new HookEmitter(events.hooks);
  const source = new MemorySource();
  const trust: TrustSet = new TrustSet({ retiredKeyGraceMs: 0, events: emitter, onDropped: (record) => cache.forget(record.keyId) });
  const cache: KeyCache = new KeyCache({
    source,
    penaltyBox: new PenaltyBox(COOLDOWN, time.nowMs),
    events: emitter,
    nowMs: time.nowMs,
    cacheMaxAgeMs: TTL,
    maxStaleMs: MAX_STALE,
    maxEntries: 100,
    honorKeyState: true,
    recheckIntervalMs: RECHECK,
    bindArn: (record, keyArn) => trust.bindArn(record, keyArn),
    onSettled: () => undefined,
    ...extra,
  });
  const key = newKeyRef();
  trust.configure(key.arn, key.keyId, key.arn);
  const record = trust.find(key.arn) as TrustRecord;
  source.keys.set(key.arn, sourcedKey(key.arn));
  /** Fetches the key and returns its trusted entry. */
  const warm = async (): Promise<TrustedEntry> => {
    await cache.refresh(record, true);
    const entry = cache.peek(key.keyId);
    expect(entry?.kind).toBe('trusted');
    return entry as TrustedEntry;
  };
  return { time, events, source, trust, cache, key, record, warm };
}

/** The provider's parts around a {@link setup} cache: no offline keys unless given, an alias watcher over `aliases`. */
export function partsOf(fixture: ReturnType<typeof setup>, extra: { aliases?: readonly string[]; offlinePinFailures?: readonly string[] } = {}): ProviderParts {
  const { trust, cache, source, events, time } = fixture;
  const emitter = new HookEmitter(events.hooks);
  const penaltyBox = new PenaltyBox(COOLDOWN, time.nowMs);
  const aliases = new AliasWatcher({ aliases: extra.aliases ?? [], source, trust, penaltyBox, events: emitter, nowMs: time.nowMs, aliasRefreshMs: TTL, onTarget: () => undefined, onSettled: () => undefined });
  return { offline: new Map(), offlinePinFailures: extra.offlinePinFailures ?? [], trust, cache, aliases, nowMs: time.nowMs };
}
