import { describe, expect, it } from 'vitest';
import type { ProviderParts } from '../src/provider-parts.js';
import { countTrustedKeys, exportJwks, exportSnapshot } from '../src/state-export.js';
import type { TrustRecord } from '../src/trust-set.js';
import { partsOf, setup } from './key-cache-support.js';
import { newKeyRef, sourcedKey } from './parts-support.js';

// What the provider publishes and counts (state-export.ts): only keys trusted now. A key an alias
// left whose grace window is over (retiredKeyGraceMs 0 here) is neither exported nor counted,
// though its public key is still cached until the next prune.

const parts = (fixture: ReturnType<typeof setup>): ProviderParts => partsOf(fixture);

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

  it('exportJwks gives each key as one frozen JWK, the very same object on every export', async () => {
    const fixture = setup();
    await fixture.warm();
    const [first] = exportJwks(parts(fixture)).keys;
    expect(first).toMatchObject({ kid: fixture.key.arn, use: 'sig' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(exportJwks(parts(fixture)).keys[0]).toBe(first);
  });
});
