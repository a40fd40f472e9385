import { UpdateAliasCommand } from '@aws-sdk/client-kms';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KmsCall } from 'kms-jwt-verifier';
import { createKmsKeyProvider, spkiSha256, type PenaltyBoxEvent } from '../src/index.js';
import { createAlias, createKey, manualTime, recordEvents, rejection, takeSnapshot, useKms } from './support.js';

// How createKmsKeyProvider wires its parts (create-kms-key-provider.ts): which penalty box tells
// telemetry what, the offline pin mismatch it reports, and a recheck of something that is no ARN.

const env = useKms();

describe('createKmsKeyProvider: wiring', () => {
  it("tells telemetry's onPenaltyBox which call failed: GetPublicKey for a key, DescribeKey for an alias", async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const boxed: PenaltyBoxEvent[] = [];
    const remove = kms.faults.inject({ type: 'throttle' });
    try {
      const provider = createKmsKeyProvider({ client, keys: [key.arn, alias], nowMs: time.nowMs, timers: time.timers, telemetry: { onPenaltyBox: (event) => boxed.push(event) } });
      await rejection(provider.ready());
      provider.close();
    } finally {
      remove();
    }
    expect(boxed.map((event) => event.operation).sort()).toEqual(['DescribeKey', 'GetPublicKey']);
    expect(boxed.every((event) => Object.keys(event).length === 1)).toBe(true);
  });

  it('reports an offline key that fails its pin, naming its kid', () => {
    const events = recordEvents();
    const kid = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const provider = createKmsKeyProvider({ offlineKeys: [{ kid, key, spkiSha256: spkiSha256(other) }], ...events.hooks });
    expect(events.log).toEqual([
      { type: 'keyMismatch', keyArn: kid, source: 'offline', expected: 'pin', outcome: 'refused', message: `the offline key for ${kid} does not match its pinned spkiSha256` },
    ]);
    provider.close();
  });

  it('forgets the public key of a key whose grace window ended: when the alias comes back to it, it is fetched again', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const events = recordEvents();
    const [a, b] = [await createKey(admin), await createKey(admin)];
    const alias = await createAlias(admin, a.keyId);
    const provider = createKmsKeyProvider({ client, keys: [alias], aliasRefreshMs: 60_000, retiredKeyGraceMs: 1_000, nowMs: time.nowMs, timers: time.timers, ...events.hooks });
    await provider.ready();
    const fetchesOfA = (): number => events.log.filter((event) => event.type === 'keyFetched' && event.keyArn === a.arn).length;
    expect(fetchesOfA()).toBe(1);
    for (const target of [b, a]) {
      await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: target.keyId }));
      time.advance(60_000);
      await events.until((event) => event.type === 'keyFetched' && event.keyArn === target.arn && (target === b || fetchesOfA() === 2));
      // Past the grace window of the key the alias left: it leaves the trusted set, and its public key the cache.
      time.advance(1_000);
    }
    expect(fetchesOfA()).toBe(2);
    provider.close();
  });

  it('rechecks nothing, without a KMS call, for a keyArn that is not a string', async () => {
    const { kms, admin, client } = env();
    const key = await createKey(admin);
    const provider = createKmsKeyProvider({ client, keys: [key.arn] });
    kms.resetCallCounts();
    await expect(provider.recheck(5 as unknown as string)).resolves.toBeUndefined();
    expect(kms.callCount()).toBe(0);
    provider.close();
  });

  it('confirmSnapshot: false starts no KMS call when it loads a snapshot, even with failureCooldownMs 0 (no recheck interval)', async () => {
    const { admin, client } = env();
    const key = await createKey(admin);
    const time = manualTime();
    const options = { client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers };
    const snapshot = await takeSnapshot(options);
    const calls: KmsCall[] = [];
    const provider = createKmsKeyProvider({ ...options, snapshot, confirmSnapshot: false, failureCooldownMs: 0, telemetry: { traceKmsCall: (call, run) => (calls.push(call), run()) } });
    // A call started now would reach traceKmsCall once the promises already settled have run on.
    await new Promise((settled) => setImmediate(settled));
    expect(calls).toEqual([]);
    expect(provider.resolve(key.arn)).toBeDefined();
    provider.close();
  });
});
