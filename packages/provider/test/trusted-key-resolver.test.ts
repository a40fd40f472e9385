import { generateKeyPairSync } from 'node:crypto';
import { KeySourceUnavailableError, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { TrustedKeyResolver } from '../src/trusted-key-resolver.js';
import { newKeyRef, sourcedKey, throttled } from './parts-support.js';
import { assemble, COOLDOWN } from './trusted-key-resolver-support.js';
import { isPromise } from './support.js';

describe('TrustedKeyResolver', () => {
  it('answers a cold key with a promise, then the same TrustedKey synchronously by ARN and by key id', async () => {
    const key = newKeyRef();
    const { source, resolver } = assemble({ keys: [key.arn] });
    source.keys.set(key.arn, sourcedKey(key.arn));
    const cold = resolver.resolve(key.arn);
    expect(isPromise(cold)).toBe(true);
    const trusted = (await cold) as TrustedKey;
    expect(trusted.id).toBe(key.arn);
    expect(resolver.resolve(key.arn)).toBe(trusted);
    expect(resolver.resolve(key.keyId)).toBe(trusted);
    expect(source.calls).toHaveLength(1);
  });

  it('answers an offline key first, and a kid outside the trusted set with undefined, without a call', () => {
    const offlineKey: TrustedKey = Object.freeze({ id: 'offline-1', publicKey: generateKeyPairSync('ed25519').publicKey, algorithms: ['EdDSA'] as const });
    const { source, resolver } = assemble({ keys: [newKeyRef().arn], offline: new Map([['offline-1', offlineKey]]) });
    expect(resolver.resolve('offline-1')).toBe(offlineKey);
    expect(resolver.resolve(newKeyRef().arn)).toBeUndefined();
    expect(resolver.resolve('alias/anything')).toBeUndefined();
    expect(source.calls).toEqual([]);
  });

  it('waits for the configured aliases before answering a kid it does not know, asking only for the aliases', async () => {
    const key = newKeyRef();
    const { source, resolver } = assemble({ aliases: ['alias/signing'] });
    source.aliases.set('alias/signing', key);
    source.keys.set(key.arn, sourcedKey(key.arn));
    const stranger = newKeyRef().arn;
    const first = resolver.resolve(stranger);
    expect(isPromise(first)).toBe(true);
    expect(await first).toBeUndefined();
    expect(source.calls).toEqual(['describeAlias alias/signing', `fetchKey ${key.arn}`]);
    expect((resolver.resolve(key.arn) as TrustedKey).id).toBe(key.arn);
  });

  it('throws KeySourceUnavailableError for a cold key while the source is down, then again at once within the cooldown', async () => {
    const key = newKeyRef();
    const { source, resolver } = assemble({ keys: [key.arn] });
    source.keys.set(key.arn, { down: throttled() });
    await expect(resolver.resolve(key.arn)).rejects.toBeInstanceOf(KeySourceUnavailableError);
    expect(() => resolver.resolve(key.arn)).toThrow(KeySourceUnavailableError);
    expect(source.calls).toHaveLength(1);
  });

  it('re-checks a trusted key on demand (rate-limited by the key cache), and never a kid outside the trusted set', async () => {
    const key = newKeyRef();
    const { time, source, resolver } = assemble({ keys: [key.arn] });
    source.keys.set(key.arn, sourcedKey(key.arn));
    const before = (await resolver.resolve(key.arn)) as TrustedKey;
    expect(resolver.recheck(newKeyRef().arn)).toBeUndefined();
    expect(resolver.recheck(key.arn)).toBeUndefined();

    // The key changed in its source: a re-check picks it up before cacheMaxAgeMs.
    source.keys.set(key.arn, sourcedKey(key.arn));
    time.advance(COOLDOWN);
    await resolver.recheck(key.arn);
    const after = resolver.resolve(key.arn) as TrustedKey;
    expect(after).not.toBe(before);
    expect(after.id).toBe(key.arn);
    expect(source.calls).toHaveLength(2);
  });
});
