import { describe, expect, it } from 'vitest';
import { AliasWatcher } from '../src/alias-watcher.js';
import { HookEmitter } from '../src/hook-emitter.js';
import { PenaltyBox } from '../src/penalty-box.js';
import type { ProviderParts } from '../src/provider-parts.js';
import { countTrustedKeys, exportJwks, exportSnapshot } from '../src/state-export.js';
import type { TrustRecord } from '../src/trust-set.js';
import { setup } from './key-cache-support.js';
import { newKeyRef, sourcedKey } from './parts-support.js';

// What the provider publishes and counts (state-export.ts): only keys trusted now. A key an alias
// left whose grace window is over (retiredKeyGraceMs 0 here) is neither exported nor counted,
// though its public key is still cached until the next prune.

function parts(fixture: ReturnType<typeof setup>): ProviderParts {
  const { trust, cache, source, events, time } = fixture;
  const emitter = new HookEmitter(events.hooks);
  const penaltyBox = new PenaltyBox(1, time.nowMs);
  const aliases = new AliasWatcher({ aliases: [], source, trust, penaltyBox, events: emitter, nowMs: time.nowMs, aliasRefreshMs: 1, onTarget: () => undefined, onSettled: () => undefined });
  return { offline: new Map(), offlinePinFailures: [], trust, cache, aliases, nowMs: time.nowMs };
}

describe('exportJwks, exportSnapshot and countTrustedKeys', () => {
  it('count no key before it is fetched, nor one its source refused', async () => {
    const fixture = setup();
    expect(countTrustedKeys(parts(fixture))).toBe(0);
    fixture.source.keys.set(fixture.key.arn, { refuse: 'disabled' });
    await fixture.cache.refresh(fixture.record, true);
    expect(fixture.cache.peek(fixture.key.keyId)?.kind).toBe('untrusted');
    expect(countTrustedKeys(parts(fixture))).toBe(0);
    expect(exportJwks(parts(fixture))).toEqual({ keys: [] });
  });

  it('leave out a key whose grace window ended, though its public key is still cached', async () => {
    const fixture = setup();
    const { trust, cache, source, time, key, warm } = fixture;
    await warm();
    const left = newKeyRef();
    source.keys.set(left.arn, sourcedKey(left.arn));
    const record = trust.pointAlias('alias/a', { keyId: left.keyId, arn: left.arn }, time.nowMs()) as TrustRecord;
    await cache.refresh(record, true);
    expect(exportJwks(parts(fixture)).keys.map((jwk) => jwk.kid).sort()).toEqual([key.arn, left.arn].sort());
    expect(countTrustedKeys(parts(fixture))).toBe(2);

    trust.pointAlias('alias/a', undefined, time.nowMs());
    expect(cache.peek(left.keyId)?.kind).toBe('trusted');
    expect(exportJwks(parts(fixture)).keys.map((jwk) => jwk.kid)).toEqual([key.arn]);
    expect(exportSnapshot(parts(fixture)).keys.map((entry) => entry.keyArn)).toEqual([key.arn]);
    expect(countTrustedKeys(parts(fixture))).toBe(1);
  });
});
