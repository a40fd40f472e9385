import { createVerifier, KeySourceUnavailableError, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider, type KmsKeyProviderOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, createKey, isPromise, manualTime, recordEvents, rejection, signToken, useKms } from './support.js';

const env = useKms();

const TTL = 60_000;
const MAX_STALE = 600_000;
const COOLDOWN = 30_000;

async function warmProvider(extra: Partial<KmsKeyProviderOptions> = {}) {
  const { admin, client } = env();
  const time = manualTime();
  const events = recordEvents();
  const key = await createKey(admin);
  const provider = createKmsKeyProvider({
    client,
    keys: [key.arn],
    cacheMaxAgeMs: TTL,
    maxStaleMs: MAX_STALE,
    failureCooldownMs: COOLDOWN,
    requestTimeoutMs: 150,
    nowMs: time.nowMs,
    timers: time.timers,
    ...events.hooks,
    ...extra,
  });
  await provider.ready();
  const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
  const sign = () => signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: time.nowMs(), lifetimeMs: 24 * 3_600_000 });
  const cachedToken = await sign();
  await verifier.verify(cachedToken);
  return { ...env(), time, events, key, provider, verifier, sign, cachedToken, trusted: provider.resolve(key.arn) as TrustedKey };
}

describe('KMS outage with a warm cache', () => {
  it('keeps verifying while GetPublicKey answers 5xx past the TTL, until maxStaleMs, then answers ERR_KEY_SOURCE_UNAVAILABLE (503)', async () => {
    const { kms, time, events, key, provider, verifier, sign, cachedToken, trusted } = await warmProvider();
    const remove = kms.faults.inject({ type: 'unavailable', operations: ['GetPublicKey'] });
    kms.resetCallCounts();

    time.advance(TTL + 1);
    const failed = await events.until((event) => event.type === 'keyFetchFailed');
    expect(failed).toMatchObject({ key: key.arn, operation: 'GetPublicKey', errorName: 'KMSInternalException', servingStaleUntilMs: expect.any(Number) });

    // Past the TTL, during the outage: cached and new tokens verify with the same key object.
    const fresh = await sign();
    expect((await verifier.verify(cachedToken)).key).toBe(key.arn);
    expect((await verifier.verify(fresh)).key).toBe(key.arn);
    expect(provider.resolve(key.arn)).toBe(trusted);
    // The penalty box: 200 more verifications ask KMS nothing within failureCooldownMs.
    await Promise.all(Array.from({ length: 200 }, () => verifier.verify(fresh)));
    expect(kms.callCount('GetPublicKey')).toBe(1);

    time.advance(MAX_STALE - 2);
    expect((await verifier.verify(fresh)).key).toBe(key.arn);

    time.advance(2);
    for (const token of [cachedToken, fresh]) {
      const error = await rejection(verifier.verify(token));
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect(error).toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE', status: 503 });
      expect((error as Error).message).toContain(key.arn);
      expect((error as Error).cause).toMatchObject({ name: 'KMSInternalException' });
    }
    // Retries stayed in the penalty box the whole time: about one per failureCooldownMs.
    expect(kms.callCount('GetPublicKey')).toBeLessThanOrEqual(Math.ceil(MAX_STALE / COOLDOWN) + 2);

    remove();
    time.advance(COOLDOWN);
    await events.until((event) => event.type === 'keyFetched' && event.keyArn === key.arn);
    expect((await verifier.verify(fresh)).key).toBe(key.arn);
    expect(provider.resolve(key.arn)).toBe(trusted);
    provider.close();
  });

  it('keeps verifying through a latency fault longer than requestTimeoutMs, until maxStaleMs', async () => {
    const { kms, time, events, key, provider, verifier, cachedToken, trusted } = await warmProvider();
    const remove = kms.faults.inject({ type: 'latency', latencyMs: 2_000, operations: ['GetPublicKey'] });
    try {
      time.advance(TTL + 1);
      const failed = await events.until((event) => event.type === 'keyFetchFailed');
      expect(failed).toMatchObject({ key: key.arn, operation: 'GetPublicKey' });
      expect(provider.resolve(key.arn)).toBe(trusted);
      expect((await verifier.verify(cachedToken)).key).toBe(key.arn);

      time.advance(MAX_STALE);
      const error = await rejection(verifier.verify(cachedToken));
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect(error).toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE', status: 503 });
    } finally {
      remove();
      provider.close();
    }
  });

  it('answers a cold key with ERR_KEY_SOURCE_UNAVAILABLE (503, not 401) while KMS is down, and does not retry within failureCooldownMs', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const token = await signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: time.nowMs() });
    const provider = createKmsKeyProvider({ client, keys: [key.arn], failureCooldownMs: COOLDOWN, nowMs: time.nowMs, timers: time.timers });
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
    const remove = kms.faults.inject({ type: 'throttle', operations: ['GetPublicKey'] });
    kms.resetCallCounts();

    const first = await rejection(verifier.verify(token));
    expect(first).toBeInstanceOf(KeySourceUnavailableError);
    expect(first).toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE', status: 503 });
    expect((first as Error).cause).toMatchObject({ name: 'ThrottlingException' });

    // Within the cooldown the answer is immediate and synchronous, without a KMS call.
    expect(() => provider.resolve(key.arn)).toThrow(KeySourceUnavailableError);
    expect(await rejection(verifier.verify(token))).toBeInstanceOf(KeySourceUnavailableError);
    expect(kms.callCount('GetPublicKey')).toBe(1);

    remove();
    time.advance(COOLDOWN);
    const resolved = provider.resolve(key.arn);
    expect(isPromise(resolved)).toBe(true);
    expect((await verifier.verify(token)).key).toBe(key.arn);
    expect(kms.callCount('GetPublicKey')).toBe(2);
    provider.close();
  });

  it('turns an unreachable endpoint into ERR_KEY_SOURCE_UNAVAILABLE for a cold key', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const token = await signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: time.nowMs() });
    const provider = createKmsKeyProvider({ client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers });
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
    const remove = kms.faults.inject({ type: 'disconnect', operations: ['GetPublicKey'] });
    try {
      const error = await rejection(verifier.verify(token));
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect(error).toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE', status: 503 });
    } finally {
      remove();
      provider.close();
    }
  });
});
