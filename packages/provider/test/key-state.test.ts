import { DisableKeyCommand, EnableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { createVerifier, KidUntrustedError, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider, type KmsKeyProviderOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, createAlias, createKey, manualTime, recordEvents, rejection, signToken, useKms } from './support.js';

const env = useKms();

const TTL = 60_000;

async function setup(keyRef: (key: { arn: string; keyId: string }) => Promise<string>, extra: Partial<KmsKeyProviderOptions> = {}) {
  const { kms, admin, client } = env();
  const time = manualTime();
  const events = recordEvents();
  const key = await createKey(admin);
  const provider = createKmsKeyProvider({ client, keys: [await keyRef(key)], cacheMaxAgeMs: TTL, aliasRefreshMs: 10 * TTL, nowMs: time.nowMs, timers: time.timers, ...events.hooks, ...extra });
  await provider.ready();
  const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
  const token = await signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: time.nowMs(), lifetimeMs: 24 * 3_600_000 });
  expect((await verifier.verify(token)).key).toBe(key.arn);
  return { kms, admin, time, events, key, provider, verifier, token };
}

async function expectUntrusted(promise: Promise<unknown>): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(KidUntrustedError);
  expect(error).toMatchObject({ code: 'ERR_KID_UNTRUSTED', status: 401 });
}

describe('key state', () => {
  it('stops trusting a key disabled in KMS at the next refresh, dropping its cached verified tokens', async () => {
    const { admin, time, events, key, provider, verifier, token } = await setup(async (k) => k.arn);
    await admin.send(new DisableKeyCommand({ KeyId: key.keyId }));
    // Until the refresh, the cached key (and the verified-token cache) still answer.
    expect((await verifier.verify(token)).key).toBe(key.arn);

    time.advance(TTL);
    const untrusted = await events.until((event) => event.type === 'keyUntrusted');
    expect(untrusted).toMatchObject({ keyArn: key.arn, reason: 'disabled' });
    expect((untrusted as { message: string }).message).toContain('DisabledException');

    await expectUntrusted(verifier.verify(token));
    expect(provider.resolve(key.arn)).toBeUndefined();
    expect(provider.exportJwks().keys).toEqual([]);
    provider.close();
  });

  it('recheck(keyArn) asks KMS at once, ahead of cacheMaxAgeMs and at most once per failureCooldownMs, and never for a key outside the trusted set', async () => {
    const { kms, admin, time, key, provider, verifier, token } = await setup(async (k) => k.arn, { failureCooldownMs: 5_000 });
    const calls = kms.callCount('GetPublicKey');
    // Enabled in KMS: a re-check inside the interval costs nothing, and the key stays trusted.
    await provider.recheck(key.arn);
    expect(kms.callCount('GetPublicKey')).toBe(calls);
    await provider.recheck('arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000');
    expect(kms.callCount('GetPublicKey')).toBe(calls);
    time.advance(5_000);
    await Promise.all([provider.recheck(key.arn), provider.recheck(key.arn), provider.recheck(key.keyId)]);
    expect(kms.callCount('GetPublicKey')).toBe(calls + 1);
    expect((await verifier.verify(token)).key).toBe(key.arn);

    await admin.send(new DisableKeyCommand({ KeyId: key.keyId }));
    time.advance(5_000);
    await provider.recheck(key.arn);
    expect(kms.callCount('GetPublicKey')).toBe(calls + 2);
    await expectUntrusted(verifier.verify(token));
    provider.close();
  });

  it('stops trusting a key scheduled for deletion at the next refresh', async () => {
    const { admin, time, events, key, provider, verifier, token } = await setup(async (k) => k.arn);
    await admin.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
    time.advance(TTL);
    expect(await events.until((event) => event.type === 'keyUntrusted')).toMatchObject({ keyArn: key.arn, reason: 'invalid-state' });
    await expectUntrusted(verifier.verify(token));
    provider.close();
  });

  it('trusts a re-enabled key again at the refresh after, as a new TrustedKey', async () => {
    const { admin, time, events, key, provider, verifier, token } = await setup(async (k) => k.arn);
    const before = provider.resolve(key.arn) as TrustedKey;
    await admin.send(new DisableKeyCommand({ KeyId: key.keyId }));
    time.advance(TTL);
    await events.until((event) => event.type === 'keyUntrusted');
    await expectUntrusted(verifier.verify(token));

    await admin.send(new EnableKeyCommand({ KeyId: key.keyId }));
    const fetched = events.log.filter((event) => event.type === 'keyFetched').length;
    time.advance(TTL);
    await events.until((event) => event.type === 'keyFetched' && events.log.filter((e) => e.type === 'keyFetched').length > fetched);
    expect((await verifier.verify(token)).key).toBe(key.arn);
    const after = provider.resolve(key.arn) as TrustedKey;
    expect(after.id).toBe(key.arn);
    expect(after).not.toBe(before);
    provider.close();
  });

  it('notices a disabled alias target at the alias refresh, before the key is due', async () => {
    const { admin, time, events, key, provider, verifier, token } = await setup((k) => createAlias(env().admin, k.keyId), { cacheMaxAgeMs: 60 * TTL, aliasRefreshMs: TTL });
    await admin.send(new DisableKeyCommand({ KeyId: key.keyId }));
    time.advance(TTL);
    expect(await events.until((event) => event.type === 'keyUntrusted')).toMatchObject({ keyArn: key.arn, reason: 'disabled' });
    await expectUntrusted(verifier.verify(token));
    provider.close();
  });

  it('keeps trusting a disabled key with honorKeyState: false (the refresh counts as an answer, not an outage)', async () => {
    // maxStaleMs 0: were the Disabled answer treated as an outage, the key would be unusable right after its TTL.
    const { kms, admin, time, events, key, provider, verifier, token } = await setup(async (k) => k.arn, { honorKeyState: false, maxStaleMs: 0 });
    const before = provider.resolve(key.arn);
    await admin.send(new DisableKeyCommand({ KeyId: key.keyId }));
    kms.resetCallCounts();

    time.advance(TTL);
    // The timer's refresh is in flight; this verification waits for it (the key is past its TTL with no stale allowance).
    expect((await verifier.verify(token)).key).toBe(key.arn);
    expect(kms.callCount('GetPublicKey')).toBe(1);
    expect(provider.resolve(key.arn)).toBe(before);
    expect(events.log.filter((event) => event.type === 'keyUntrusted')).toEqual([]);
    provider.close();
  });
});
