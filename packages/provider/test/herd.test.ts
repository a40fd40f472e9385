import { createVerifier, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider } from '../src/index.js';
import { AUDIENCE, ISSUER, createAlias, createKey, isPromise, manualTime, signToken, useKms } from './support.js';

const env = useKms();

describe('a cold cache under concurrent load', () => {
  it('makes exactly one GetPublicKey for 1,000 concurrent verifications of a configured key ARN', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: time.nowMs(), claims: { n: i } })));
    const provider = createKmsKeyProvider({ client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers });
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs, cache: false });
    kms.resetCallCounts();

    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => verifier.verify(tokens[i % tokens.length] as string)));

    expect(results.every((result) => result.key === key.arn)).toBe(true);
    expect(kms.callCount('GetPublicKey')).toBe(1);
    expect(kms.callCount()).toBe(1);
    provider.close();
  });

  it('makes one DescribeKey and one GetPublicKey for 1,000 concurrent verifications through a configured alias', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const token = await signToken(admin, { keyId: alias, kid: key.arn, nowMs: time.nowMs() });
    const provider = createKmsKeyProvider({ client, keys: [alias], nowMs: time.nowMs, timers: time.timers });
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs, cache: false });
    kms.resetCallCounts();

    const results = await Promise.all(Array.from({ length: 1000 }, () => verifier.verify(token)));

    expect(new Set(results.map((result) => result.key))).toEqual(new Set([key.arn]));
    expect(kms.callCount('DescribeKey')).toBe(1);
    expect(kms.callCount('GetPublicKey')).toBe(1);
    provider.close();
  });

  it('gives every concurrent cold resolve the same TrustedKey object, then answers synchronously with it', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const provider = createKmsKeyProvider({ client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers });
    kms.resetCallCounts();

    const cold = Array.from({ length: 50 }, () => provider.resolve(key.arn));
    expect(cold.every(isPromise)).toBe(true);
    const keys = await Promise.all(cold);
    const first = keys[0] as TrustedKey;
    expect(first.id).toBe(key.arn);
    expect(first.algorithms).toEqual(['ES256']);
    expect(keys.every((resolved) => resolved === first)).toBe(true);

    const warm = provider.resolve(key.arn);
    expect(isPromise(warm)).toBe(false);
    expect(warm).toBe(first);
    expect(provider.resolve(key.keyId)).toBe(first);
    expect(kms.callCount()).toBe(1);
    provider.close();
  });
});
