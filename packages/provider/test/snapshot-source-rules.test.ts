import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider, spkiSha256, type KmsKeyProviderOptions, type KmsKeySnapshot, type KmsKeySnapshotAlias } from '../src/index.js';
import { replicaKey } from '../src/replica-keys.js';
import { newKeyRef } from './parts-support.js';
import { manualTime, recordEvents, useKms } from './support.js';

// What a snapshot may put in the provider (snapshot-source.ts), with confirmSnapshot: false so that
// what it takes is served at once, without KMS: only keys configured (by ARN, or by id where a
// configured ARN lives), only keys that match their pin, and no key for an alias it found deleted.
// And the replica keys of a multi-Region key (replica-keys.ts): one object per replica ARN, up to a bound.

const env = useKms();

const spkiOf = (key: KeyObject): string => key.export({ format: 'der', type: 'spki' }).toString('base64');

function snapshotOf(nowMs: number, keys: readonly { keyArn: string; publicKey: KeyObject }[], aliases: readonly KmsKeySnapshotAlias[] = []): KmsKeySnapshot {
  return { version: 1, createdAtMs: nowMs, keys: keys.map(({ keyArn, publicKey }) => ({ keyArn, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'], publicKey: spkiOf(publicKey) })), aliases };
}

/** A provider loading `snapshot` without confirming it, on a clock starting at `startMs` (default: now); closed by the caller. */
function fromSnapshot(keys: NonNullable<KmsKeyProviderOptions['keys']>, snapshot: KmsKeySnapshot, hooks = recordEvents().hooks, { startMs, ...options }: { startMs?: number } & Pick<KmsKeyProviderOptions, 'cacheMaxEntries'> = {}) {
  const time = manualTime(startMs);
  const { client, kms } = env();
  kms.resetCallCounts();
  const provider = createKmsKeyProvider({ client, keys, snapshot, confirmSnapshot: false, nowMs: time.nowMs, timers: time.timers, ...options, ...hooks });
  return { provider, kms, time };
}

const p256 = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;

describe('loadSnapshot: which keys a snapshot may give', () => {
  it('gives no key for a key configured by id when no configured ARN lives where its ARN does (another account)', () => {
    const key = newKeyRef();
    const foreign = key.arn.replace(':111122223333:', ':999999999999:');
    const { provider, kms } = fromSnapshot([key.keyId, newKeyRef().arn], snapshotOf(Date.now(), [{ keyArn: foreign, publicKey: p256() }]));
    expect(provider.exportSnapshot().keys).toEqual([]);
    expect(provider.exportJwks()).toEqual({ keys: [] });
    provider.close();
    expect(kms.callCount()).toBe(0);
  });

  it('gives a key configured by id when a configured ARN lives in its account and Region', () => {
    const key = newKeyRef();
    const publicKey = p256();
    const { provider, kms, time } = fromSnapshot([key.keyId, newKeyRef().arn], snapshotOf(Date.now(), [{ keyArn: key.arn, publicKey }]));
    // Not confirmed with KMS (no call), and its refresh is scheduled.
    expect(kms.callCount()).toBe(0);
    expect(time.pending()).toBe(1);
    expect(provider.exportSnapshot().keys.map((entry) => entry.keyArn)).toEqual([key.arn]);
    expect(spkiSha256((provider.resolve(key.arn) as TrustedKey).publicKey)).toBe(spkiSha256(publicKey));
    provider.close();
  });

  it('gives a pinned key whose public key matches its pin, and refuses one that does not, saying it is fetched from KMS instead', () => {
    const [pinned, other] = [newKeyRef(), newKeyRef()];
    const [publicKey, forged] = [p256(), p256()];
    const events = recordEvents();
    const { provider } = fromSnapshot(
      [{ arn: pinned.arn, spkiSha256: spkiSha256(publicKey) }, { arn: other.arn, spkiSha256: spkiSha256(publicKey) }],
      snapshotOf(Date.now(), [{ keyArn: pinned.arn, publicKey }, { keyArn: other.arn, publicKey: forged }]),
      events.hooks,
    );
    expect(provider.exportSnapshot().keys.map((entry) => entry.keyArn)).toEqual([pinned.arn]);
    expect(events.log).toEqual([
      {
        type: 'keyMismatch',
        keyArn: other.arn,
        source: 'snapshot',
        expected: 'pin',
        outcome: 'refused',
        message: `the snapshot's public key for ${other.arn} does not match its pinned spkiSha256; it is fetched from KMS instead`,
      },
    ]);
    provider.close();
  });

  it('trusts no key for an alias the snapshot found deleted: ready() answers with no KMS call', async () => {
    const alias: KmsKeySnapshotAlias = { alias: 'alias/deleted-in-snapshot', keyArn: null, retired: [] };
    const { provider, kms } = fromSnapshot([alias.alias], snapshotOf(Date.now(), [], [alias]));
    await provider.ready();
    expect(provider.exportSnapshot().aliases).toEqual([alias]);
    expect(kms.callCount()).toBe(0);
    provider.close();
  });
});

describe("loadSnapshot: a retired key whose grace window is over", () => {
  it('takes no trust and no cache room for it: with cacheMaxEntries 1 the current key stays answered from the snapshot, with no KMS call', () => {
    const [current, retired] = [newKeyRef(), newKeyRef()];
    const alias = 'alias/signing';
    const loadedAt = Date.now();
    // The retired key's window ends exactly when the snapshot is loaded; its key comes after the current one.
    const snapshot = snapshotOf(loadedAt - 60_000, [current, retired].map(({ arn }) => ({ keyArn: arn, publicKey: p256() })), [
      { alias, keyArn: current.arn, retired: [{ keyArn: retired.arn, graceUntilMs: loadedAt }] },
    ]);
    const { provider, kms } = fromSnapshot([alias], snapshot, recordEvents().hooks, { startMs: loadedAt, cacheMaxEntries: 1 });
    expect(provider.resolve(retired.arn)).toBeUndefined();
    const answer = provider.resolve(current.arn);
    expect(answer).not.toBeInstanceOf(Promise);
    expect((answer as TrustedKey).id).toBe(current.arn);
    expect(kms.callCount()).toBe(0);
    provider.close();
  });
});

describe('replicaKey', () => {
  it('answers one object per replica ARN for up to 64 Regions, and a new one per call past them', () => {
    const key: TrustedKey = Object.freeze({ id: newKeyRef().arn, publicKey: p256(), algorithms: Object.freeze(['ES256'] as const) });
    const arns = Array.from({ length: 65 }, (_, index) => `arn:aws:kms:xx-test-${index}:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab`);
    const first = arns.map((arn) => replicaKey(key, arn));
    for (const [index, arn] of arns.slice(0, 64).entries()) expect(replicaKey(key, arn), arn).toBe(first[index]);
    const last = arns[64] as string;
    expect(replicaKey(key, last)).not.toBe(first[64]);
    expect(replicaKey(key, last)).toEqual({ id: last, publicKey: key.publicKey, algorithms: key.algorithms });
  });
});
