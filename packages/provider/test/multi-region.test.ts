import { CreateKeyCommand, DisableKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createVerifier, KidUntrustedError, type TrustedKey } from 'kms-jwt-verifier';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKmsKeyProvider, KeyProviderConfigError, type KmsKeyProviderOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, createKey, manualTime, recordEvents, rejection, signToken, useKms } from './support.js';

const env = useKms();
const time = manualTime();
/** The replica's Region: kms-local serves each request in the Region of its SigV4 scope (the client's region). */
const REGION_B = 'eu-west-1';

interface MultiRegionKey {
  readonly keyId: string;
  /** The primary key's ARN, in kms-local's Region. */
  readonly primary: string;
  /** The replica's ARN, in REGION_B. */
  readonly replica: string;
  /** A token signed in each Region, by the key there. */
  readonly tokenA: string;
  readonly tokenB: string;
}

let clientB: KMSClient;

/** A multi-Region key and its replica in REGION_B, with a token signed through each Region's client. */
async function multiRegionKey(): Promise<MultiRegionKey> {
  const { admin } = env();
  const { KeyMetadata } = await admin.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }));
  const primary = KeyMetadata?.Arn as string;
  const { ReplicaKeyMetadata } = await admin.send(new ReplicateKeyCommand({ KeyId: primary, ReplicaRegion: REGION_B }));
  const replica = ReplicaKeyMetadata?.Arn as string;
  return {
    keyId: KeyMetadata?.KeyId as string,
    primary,
    replica,
    tokenA: await signToken(admin, { keyId: primary, kid: primary, nowMs: time.nowMs() }),
    tokenB: await signToken(clientB, { keyId: replica, kid: replica, nowMs: time.nowMs() }),
  };
}

let mrk: MultiRegionKey;

beforeAll(async () => {
  clientB = new KMSClient({ ...env().kms.clientConfig, region: REGION_B });
  mrk = await multiRegionKey();
  return () => clientB.destroy();
});

function provider(options: Omit<KmsKeyProviderOptions, 'client' | 'nowMs' | 'timers'>) {
  return createKmsKeyProvider({ client: env().client, nowMs: time.nowMs, timers: time.timers, ...options });
}

const verifierFor = (keys: ReturnType<typeof createKmsKeyProvider>) => createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });

describe('multi-Region keys', () => {
  it('trusts the replicas of a multi-Region key configured by its primary ARN: tokens signed in Region A and in Region B both verify with exactly one GetPublicKey, each under its own ARN', async () => {
    const { kms } = env();
    expect(mrk.keyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(mrk.replica).toBe(mrk.primary.replace(`:${kms.region}:`, `:${REGION_B}:`));
    kms.resetCallCounts();

    const keys = provider({ keys: [mrk.primary] });
    const verifier = verifierFor(keys);
    const [a, b] = await Promise.all([verifier.verify(mrk.tokenA), verifier.verify(mrk.tokenB)]);
    expect(a.key).toBe(mrk.primary);
    expect(b.key).toBe(mrk.replica);
    for (let round = 0; round < 3; round += 1) expect((await verifier.verify(mrk.tokenB)).key).toBe(mrk.replica);
    expect(kms.callCount('GetPublicKey')).toBe(1);
    expect(kms.callCount()).toBe(1);

    // One public key, one TrustedKey per ARN, each the same object on every resolve (the verifier's cache relies on it).
    const primaryKey = keys.resolve(mrk.primary) as TrustedKey;
    const replicaKey = keys.resolve(mrk.replica) as TrustedKey;
    expect(replicaKey.id).toBe(mrk.replica);
    expect(replicaKey.publicKey).toBe(primaryKey.publicKey);
    expect(replicaKey.algorithms).toEqual(primaryKey.algorithms);
    expect(keys.resolve(mrk.replica)).toBe(replicaKey);
    expect(keys.resolve(mrk.keyId)).toBe(primaryKey);
    keys.close();
  });

  it('refuses, with zero KMS calls, a key ARN that is not multi-Region rewritten to another Region, and a multi-Region key id in another account or partition', async () => {
    const { kms, admin } = env();
    const single = await createKey(admin);
    const rewritten = single.arn.replace(`:${kms.region}:`, `:${REGION_B}:`);
    const forged = await signToken(admin, { keyId: single.arn, kid: rewritten, nowMs: time.nowMs(), forge: true });
    kms.resetCallCounts();

    const keys = provider({ keys: [single.arn, mrk.primary] });
    expect(keys.resolve(rewritten)).toBeUndefined();
    expect(await rejection(verifierFor(keys).verify(forged))).toBeInstanceOf(KidUntrustedError);
    for (const other of [
      mrk.replica.replace(`:${kms.accountId}:`, ':999999999999:'),
      mrk.primary.replace(`:${kms.accountId}:`, ':999999999999:'),
      `arn:aws-cn:kms:cn-north-1:${kms.accountId}:key/${mrk.keyId}`,
      `arn:aws:kms:not-a-region:${kms.accountId}:key/${mrk.keyId}`,
    ]) {
      expect(keys.resolve(other), other).toBeUndefined();
    }
    expect(kms.callCount()).toBe(0);
    keys.close();
  });

  it('refuses a replica outside replicaRegions with zero KMS calls, per provider or per key, and publishes the replicas it lists in exportJwks', async () => {
    const { kms } = env();
    kms.resetCallCounts();
    const elsewhere = provider({ keys: [mrk.primary], replicaRegions: ['ap-southeast-2'] });
    expect(elsewhere.resolve(mrk.replica)).toBeUndefined();
    expect(await rejection(verifierFor(elsewhere).verify(mrk.tokenB))).toBeInstanceOf(KidUntrustedError);
    const none = provider({ keys: [{ arn: mrk.primary, replicaRegions: [] }] });
    expect(none.resolve(mrk.replica)).toBeUndefined();
    expect(kms.callCount()).toBe(0);
    expect((await verifierFor(elsewhere).verify(mrk.tokenA)).key).toBe(mrk.primary);

    const listed = provider({ keys: [{ arn: mrk.primary, replicaRegions: [REGION_B] }], replicaRegions: [] });
    await listed.ready();
    expect((await verifierFor(listed).verify(mrk.tokenB)).key).toBe(mrk.replica);
    const jwks = listed.exportJwks();
    expect(jwks.keys.map((jwk) => jwk.kid)).toEqual([mrk.primary, mrk.replica]);
    const jose = createLocalJWKSet(JSON.parse(JSON.stringify(jwks)) as JSONWebKeySet);
    expect((await jwtVerify(mrk.tokenB, jose, { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(time.nowMs()) })).protectedHeader.kid).toBe(mrk.replica);
    // With 'any' (the default) the replicas are not known in advance: only the configured ARN is published.
    const any = provider({ keys: [mrk.primary] });
    await any.ready();
    expect(any.exportJwks().keys.map((jwk) => jwk.kid)).toEqual([mrk.primary]);
    for (const created of [elsewhere, none, listed, any]) created.close();
  });

  it('follows the configured key state: with honorKeyState, disabling the primary stops trusting every Region at the next refresh; with honorKeyState false, both Regions keep verifying', async () => {
    const { admin } = env();
    const own = manualTime();
    const events = recordEvents();
    const key = await multiRegionKey();
    const options = { client: env().client, keys: [key.primary], cacheMaxAgeMs: 60_000, nowMs: own.nowMs, timers: own.timers };
    const honoring = createKmsKeyProvider({ ...options, ...events.hooks });
    const lenient = createKmsKeyProvider({ ...options, honorKeyState: false });
    await Promise.all([honoring.ready(), lenient.ready()]);
    const verify = (keys: ReturnType<typeof createKmsKeyProvider>, token: string) => createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, nowMs: own.nowMs }).verify(token);
    for (const keys of [honoring, lenient]) for (const token of [key.tokenA, key.tokenB]) await verify(keys, token);

    await admin.send(new DisableKeyCommand({ KeyId: key.primary }));
    own.advance(60_000);
    expect(await events.until((event) => event.type === 'keyUntrusted')).toMatchObject({ keyArn: key.primary, reason: 'disabled' });
    await lenient.ready();
    for (const token of [key.tokenA, key.tokenB]) {
      expect(await rejection(verify(honoring, token))).toBeInstanceOf(KidUntrustedError);
      expect((await verify(lenient, token)).payload.sub).toBe('user-42');
    }
    honoring.close();
    lenient.close();
  });

  it('refuses replicaRegions on a key that is not multi-Region, Region names that are not Regions, and two ARNs of one multi-Region key, at construction', async () => {
    const { admin } = env();
    const single = await createKey(admin);
    const cases: [KmsKeyProviderOptions, RegExp][] = [
      [{ keys: [{ arn: single.arn, replicaRegions: [REGION_B] }] }, /keys\[0\]\.replicaRegions: .* is not a multi-Region key/],
      [{ keys: [mrk.primary], replicaRegions: ['Europe'] }, /replicaRegions must be 'any' or an array of AWS Region names/],
      [{ keys: [{ arn: mrk.primary, replicaRegions: 'all' as 'any' }] }, /keys\[0\]\.replicaRegions must be 'any' or an array/],
      [{ keys: [mrk.primary, mrk.replica] }, /two names of the multi-Region key mrk-[0-9a-f]{32}: list it once; its replicas in other Regions are trusted through replicaRegions/],
      [{ keys: [mrk.primary], offlineKeys: [{ kid: mrk.replica, key: { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' } }] }, /is given both in keys and in offlineKeys/],
    ];
    for (const [options, message] of cases) {
      expect(() => createKmsKeyProvider(options)).toThrow(KeyProviderConfigError);
      expect(() => createKmsKeyProvider(options)).toThrow(message);
    }
  });
});
