import { generateKeyPairSync } from 'node:crypto';
import { KeySourceUnavailableError } from 'kms-jwt-verifier';
import { describe, expect, it, vi } from 'vitest';
import { createKmsKeyProvider, type KeyProviderTallies, type KeyProviderTelemetry, type PenaltyBoxEvent } from '../src/index.js';
import { createKey, manualTime, takeSnapshot, useKms } from './support.js';

// What the provider's telemetry reads (kms-jwt-opentelemetry turns these tallies into
// kms_jwt.key.resolutions by source and outcome, and kms_jwt.key.stale_served), through the real
// `telemetry` option of createKmsKeyProvider against kms-local: where each answer of resolve(kid)
// came from (trusted-key-resolver.ts), and when a key counts as served stale.

const kms = useKms();

const NONE = { found: 0, 'not-found': 0, unavailable: 0 };

/** A `telemetry` option that keeps the tallies the provider registers and the penalty-box entries it reports. */
function probe(): { telemetry: KeyProviderTelemetry; boxed: PenaltyBoxEvent[]; tallies: () => KeyProviderTallies } {
  let registered: KeyProviderTallies | undefined;
  const boxed: PenaltyBoxEvent[] = [];
  const telemetry: KeyProviderTelemetry = {
    register(tallies) {
      registered = tallies;
      return () => undefined;
    },
    onPenaltyBox: (event) => boxed.push(event),
  };
  const tallies = (): KeyProviderTallies => {
    if (registered === undefined) throw new Error('the provider registered no tallies');
    return registered;
  };
  return { telemetry, boxed, tallies };
}

/** Runs `body` while kms-local fails every GetPublicKey, then lets it answer again. */
async function whileGetPublicKeyFails<T>(body: () => Promise<T>): Promise<T> {
  const heal = kms().kms.faults.inject({ type: 'unavailable', operations: ['GetPublicKey'] });
  try {
    return await body();
  } finally {
    heal();
  }
}

describe('resolution telemetry: where each answer came from', () => {
  it('counts a key served past cacheMaxAgeMs as stale only once fetching it again has failed, never while it is fresh', async () => {
    const { admin, client } = kms();
    const { arn } = await createKey(admin);
    const time = manualTime();
    const { telemetry, boxed, tallies } = probe();
    const provider = createKmsKeyProvider({ keys: [arn], client, telemetry, nowMs: time.nowMs, timers: time.timers, cacheMaxAgeMs: 60_000, failureCooldownMs: 5_000 });
    try {
      expect(await provider.resolve(arn)).toBeDefined();

      // Stale, its refresh just started and not failed: not served stale (yet).
      time.advance(60_001);
      expect(provider.resolve(arn)).toBeDefined();
      await provider.recheck(arn);
      expect(tallies().staleServed).toBe(0);

      await whileGetPublicKeyFails(async () => {
        // Fresh again, and a recheck fails: a failure is on record, but the key is fresh.
        time.advance(5_001);
        await provider.recheck(arn);
        expect(boxed).toEqual([{ operation: 'GetPublicKey' }]);
        expect(provider.resolve(arn)).toBeDefined();
        expect(tallies().staleServed).toBe(0);

        // Past cacheMaxAgeMs with its fetch failing: each answer counts.
        time.advance(60_001);
        expect(provider.resolve(arn)).toBeDefined();
        expect(provider.resolve(arn)).toBeDefined();
        expect(tallies().staleServed).toBe(2);
      });
      expect(tallies().resolutions).toEqual({ cache: { ...NONE, found: 4 }, kms: { ...NONE, found: 1 }, snapshot: NONE, jwks: NONE, offline: NONE });
    } finally {
      provider.close();
    }
  });

  it("counts a snapshot's key KMS has not confirmed under snapshot (not as stale), and an offline key under offline", async () => {
    const { admin, client } = kms();
    const { arn } = await createKey(admin);
    const snapshot = await takeSnapshot({ keys: [arn], client });
    const offlineKid = arn.replace(/key\/.*$/, 'key/0f0e0d0c-0b0a-4909-8807-060504030201');
    const offlineKey = { kid: offlineKid, key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) };
    const { telemetry, boxed, tallies } = probe();
    await whileGetPublicKeyFails(async () => {
      const provider = createKmsKeyProvider({ keys: [arn], client, snapshot, offlineKeys: [offlineKey], telemetry });
      try {
        // The snapshot's confirmation fails: its key is answered unconfirmed, with a failure on record.
        await vi.waitFor(() => expect(boxed).toEqual([{ operation: 'GetPublicKey' }]), { timeout: 10_000 });
        expect(provider.resolve(arn)).toBeDefined();
        expect(provider.resolve(offlineKid)).toBeDefined();
        expect(provider.resolve(offlineKid)).toBeDefined();
        expect(tallies().resolutions).toEqual({ cache: NONE, kms: NONE, snapshot: { ...NONE, found: 1 }, jwks: NONE, offline: { ...NONE, found: 2 } });
        expect(tallies().staleServed).toBe(0);
      } finally {
        provider.close();
      }
    });
  });

  it('counts a resolve that throws at once (nothing cached, the key in the penalty box) as unavailable, and still throws', async () => {
    const { admin, client } = kms();
    const { arn } = await createKey(admin);
    const time = manualTime();
    const { telemetry, tallies } = probe();
    const provider = createKmsKeyProvider({ keys: [arn], client, telemetry, nowMs: time.nowMs, timers: time.timers, failureCooldownMs: 5_000 });
    try {
      await whileGetPublicKeyFails(async () => {
        await expect(provider.resolve(arn)).rejects.toBeInstanceOf(KeySourceUnavailableError);
        expect(() => provider.resolve(arn)).toThrow(KeySourceUnavailableError);
      });
      expect(tallies().resolutions).toEqual({ cache: NONE, kms: { ...NONE, unavailable: 2 }, snapshot: NONE, jwks: NONE, offline: NONE });
    } finally {
      provider.close();
    }
  });
});
