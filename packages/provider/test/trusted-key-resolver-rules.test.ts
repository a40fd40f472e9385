import { KeySourceUnavailableError, type KmsCall, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider } from '../src/index.js';
import { TrustedKeyResolver } from '../src/trusted-key-resolver.js';
import { type TrustRecord } from '../src/trust-set.js';
import { newKeyRef, sourcedKey, throttled } from './parts-support.js';
import { createAlias, createKey, manualTime, useKms } from './support.js';
import { assemble } from './trusted-key-resolver-support.js';

// What resolve(kid) answers at the edges of trust (trusted-key-resolver.ts): a key whose grace
// window ended while it is still cached, a key that left the set while its fetch was in flight, a
// closed provider, aliases that cannot be resolved.

const kms = useKms();
const GRACE = 10_000;
const assembleWithGrace = (options: Parameters<typeof assemble>[0] = {}) => assemble({ retiredKeyGraceMs: GRACE, ...options });

describe('TrustedKeyResolver at the edges of trust', () => {
  it('answers nothing for a key whose grace window ended, though its public key is still cached and fresh, and lets it leave the set', async () => {
    const { time, log, source, trust, resolver } = assembleWithGrace();
    const old = newKeyRef();
    const next = newKeyRef();
    source.keys.set(old.arn, sourcedKey(old.arn));
    trust.pointAlias('alias/signing', old, time.nowMs());
    expect(((await resolver.resolve(old.arn)) as TrustedKey).id).toBe(old.arn);

    trust.pointAlias('alias/signing', next, time.nowMs());
    time.advance(GRACE - 1);
    expect((resolver.resolve(old.arn) as TrustedKey).id).toBe(old.arn);
    time.advance(1);
    expect(resolver.resolve(old.arn)).toBeUndefined();
    expect(trust.find(old.arn)).toBeUndefined();
    expect(log.log).toContainEqual(expect.objectContaining({ type: 'keyUntrusted', keyArn: old.arn, reason: 'grace-ended' }));
    expect(source.calls).toEqual([`fetchKey ${old.arn}`]);
  });

  it('answers nothing (and does not throw) when the key left the trusted set while its fetch was in flight', async () => {
    const { time, source, trust, resolver } = assembleWithGrace();
    const key = newKeyRef();
    source.keys.set(key.arn, sourcedKey(key.arn));
    trust.pointAlias('alias/signing', key, time.nowMs());
    source.hold();
    const pending = resolver.resolve(key.arn);
    trust.pointAlias('alias/signing', newKeyRef(), time.nowMs());
    time.advance(GRACE);
    trust.prune(trust.find(key.arn) as TrustRecord, time.nowMs());
    source.release();
    await expect(pending).resolves.toBeUndefined();
  });

  it('says the provider is closed when a cold key is asked for after close()', () => {
    const key = newKeyRef();
    const { source, cache, resolver } = assembleWithGrace({ keys: [key.arn] });
    source.keys.set(key.arn, sourcedKey(key.arn));
    cache.close();
    expect(() => resolver.resolve(key.arn)).toThrow(new KeySourceUnavailableError(`kms-pubkey-provider: cannot fetch the public key of ${key.arn} and none is cached (the provider is closed); retry later`));
    expect(source.calls).toEqual([]);
  });

  it('refuses with KeySourceUnavailableError, saying why, an unknown kid while the configured aliases cannot be resolved', async () => {
    const { source, resolver } = assembleWithGrace({ aliases: ['alias/signing'] });
    source.aliases.set('alias/signing', { down: throttled() });
    const stranger = newKeyRef().arn;
    const error = await Promise.resolve(resolver.resolve(stranger)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect((error as Error).message).toMatch(/^kms-pubkey-provider: the configured aliases cannot be resolved, so the trusted keys are not known yet \(/);
    expect(source.calls).toEqual(['describeAlias alias/signing']);
  });

  it('answers a kid that is not a string with undefined at once, without waiting for the aliases', () => {
    const { source, resolver } = assembleWithGrace({ aliases: ['alias/signing'] });
    expect(resolver.resolve(42 as unknown as string)).toBeUndefined();
    expect(source.calls).toEqual([]);
  });

  it("answers an alias target's ARN, asked before the aliases were resolved, with the very key later answers give", async () => {
    const { source, resolver } = assembleWithGrace({ aliases: ['alias/signing'] });
    const key = newKeyRef();
    source.aliases.set('alias/signing', key);
    source.keys.set(key.arn, sourcedKey(key.arn));
    const first = (await resolver.resolve(key.arn)) as TrustedKey;
    expect(first.id).toBe(key.arn);
    expect(resolver.resolve(key.arn)).toBe(first);
  });

  it('answers 503 saying the cached key is too old, not that KMS gave no answer, when the clock jumps past maxStaleMs while the key is fetched', async () => {
    const { admin, client } = kms();
    const { arn } = await createKey(admin);
    const time = manualTime();
    const provider = createKmsKeyProvider({ keys: [arn], client, nowMs: time.nowMs, timers: time.timers, cacheMaxAgeMs: 60_000, maxStaleMs: 0, onKeyFetched: () => time.advance(60_000) });
    try {
      const error = await Promise.resolve(provider.resolve(arn)).catch((caught: unknown) => caught);
      expect(error).toEqual(
        new KeySourceUnavailableError(
          `kms-pubkey-provider: the cached public key of ${arn} is too old to use (older than cacheMaxAgeMs + maxStaleMs by nowMs, and no newer one has been fetched since); retry later`,
        ),
      );
      expect((error as Error).cause).toBeUndefined();
    } finally {
      provider.close();
    }
  });

  it('still names the failure, not the age of the key, when KMS really does not answer the refresh of a key past maxStaleMs', async () => {
    const { admin, client, kms: server } = kms();
    const { arn } = await createKey(admin);
    const time = manualTime();
    const provider = createKmsKeyProvider({ keys: [arn], client, nowMs: time.nowMs, timers: time.timers, cacheMaxAgeMs: 60_000, maxStaleMs: 0 });
    let remove = (): void => undefined;
    try {
      await provider.resolve(arn);
      remove = server.faults.inject({ type: 'unavailable', operations: ['GetPublicKey'] });
      time.advance(60_000);
      const error = await Promise.resolve(provider.resolve(arn)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect((error as Error).message).toMatch(new RegExp(`^kms-pubkey-provider: cannot fetch the public key of ${arn} and none is cached \\(\\w+`));
      expect((error as Error).message).not.toContain('too old');
      expect((error as Error).cause).toBeInstanceOf(Error);
    } finally {
      remove();
      provider.close();
    }
  });

  it('refuses an unknown kid after one failed lookup of the configured aliases, without looking them up again, even with failureCooldownMs 0', async () => {
    const { admin, client, kms: server } = kms();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const lookups: string[] = [];
    const heal = server.faults.inject({ type: 'unavailable', operations: ['DescribeKey'] });
    // A second lookup would find KMS answering again.
    const traceKmsCall = <T>(call: KmsCall, run: () => Promise<T>): Promise<T> => {
      lookups.push(`${call.operation} ${call.keyId}`);
      if (lookups.length > 1) heal();
      return run();
    };
    const time = manualTime();
    const provider = createKmsKeyProvider({ keys: [alias], client, nowMs: time.nowMs, timers: time.timers, failureCooldownMs: 0, telemetry: { traceKmsCall } });
    try {
      const stranger = key.arn.replace(/key\/.*$/, 'key/5e1f0a3c-7b2d-4c8e-9f60-1a2b3c4d5e6f');
      const error = await Promise.resolve(provider.resolve(stranger)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect(lookups).toEqual([`DescribeKey ${alias}`]);
    } finally {
      heal();
      provider.close();
    }
  });
});
