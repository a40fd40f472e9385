import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AlreadyExistsException,
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GenerateMacCommand,
  GetKeyPolicyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListResourceTagsCommand,
  ReplicateKeyCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UnsupportedOperationException,
  VerifyCommand,
  VerifyMacCommand,
  type CreateKeyCommandInput,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKmsLocal, type KmsLocal, type KmsLocalOptions } from '../src/index.js';
import { expectKmsError } from './expect-kms-error.js';

/*
 * Checked against: the KMS API reference and SDK model docs (CreateKey's MultiRegion, ReplicateKey,
 * KeyMetadata's MultiRegionConfiguration and PendingDeletionWindowInDays), the multi-Region keys page of
 * the KMS Developer Guide ("mrk-" key ids; same key id and key material, Regional ARNs), and localstack's
 * AWS-recorded snapshots test_create_multi_region_key and test_replicate_key.
 */

const ACCOUNT = '111122223333';
const MESSAGE = Buffer.from('signed in one Region, checked in another');
const DAY_MS = 86_400_000;

/** A kms-local (us-east-1 by default) and one SDK client per Region. */
class World {
  readonly clients = new Map<string, KMSClient>();
  constructor(readonly kms: KmsLocal) {}

  static async start(options: KmsLocalOptions = {}): Promise<World> {
    return new World(await startKmsLocal(options));
  }

  in(region: string): KMSClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      client = new KMSClient({ ...this.kms.clientConfig, region });
      this.clients.set(region, client);
    }
    return client;
  }

  async stop(): Promise<void> {
    for (const client of this.clients.values()) client.destroy();
    await this.kms.close();
  }
}

async function createPrimary(world: World, input: CreateKeyCommandInput = { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }): Promise<KeyMetadata> {
  const { KeyMetadata } = await world.in('us-east-1').send(new CreateKeyCommand({ ...input, MultiRegion: true }));
  if (KeyMetadata === undefined) throw new Error('CreateKey returned no KeyMetadata');
  return KeyMetadata;
}

async function replicate(world: World, primary: KeyMetadata, region: string): Promise<KeyMetadata> {
  const { ReplicaKeyMetadata } = await world.in('us-east-1').send(new ReplicateKeyCommand({ KeyId: primary.Arn, ReplicaRegion: region }));
  if (ReplicaKeyMetadata === undefined) throw new Error('ReplicateKey returned no ReplicaKeyMetadata');
  return ReplicaKeyMetadata;
}

describe('multi-Region keys', () => {
  let world: World;
  beforeEach(async () => {
    world = await World.start();
  });
  afterEach(async () => {
    await world.stop();
  });

  it('creates a multi-Region primary key: id mrk- and 32 hex digits, PRIMARY with no replicas yet', async () => {
    const primary = await createPrimary(world);
    expect(primary.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(primary.Arn).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${primary.KeyId}`);
    expect(primary.MultiRegion).toBe(true);
    expect(primary.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' },
      ReplicaKeys: [],
    });
  });

  it('leaves MultiRegionConfiguration out of a single-Region key', async () => {
    const { KeyMetadata } = await world.in('us-east-1').send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    expect(KeyMetadata?.MultiRegion).toBe(false);
    expect(KeyMetadata?.MultiRegionConfiguration).toBeUndefined();
  });

  it('replicates into another Region: same key id, its own Regional ARN, REPLICA, listed by the primary', async () => {
    const primary = await createPrimary(world);
    const { ReplicaKeyMetadata, ReplicaPolicy, ReplicaTags } = await world.in('us-east-1').send(
      new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1', Description: 'the Irish replica', Tags: [{ TagKey: 'copy', TagValue: 'yes' }] }),
    );
    const replicaArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${primary.KeyId}`;
    expect(ReplicaKeyMetadata).toMatchObject({
      KeyId: primary.KeyId,
      Arn: replicaArn,
      Description: 'the Irish replica',
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
      MultiRegion: true,
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' },
        ReplicaKeys: [{ Arn: replicaArn, Region: 'eu-west-1' }],
      },
    });
    expect(JSON.parse(ReplicaPolicy ?? '')).toMatchObject({ Id: 'key-default-1' });
    expect(ReplicaTags).toEqual([{ TagKey: 'copy', TagValue: 'yes' }]);

    const replicaSeen = await world.in('eu-west-1').send(new DescribeKeyCommand({ KeyId: primary.KeyId }));
    expect(replicaSeen.KeyMetadata).toEqual(ReplicaKeyMetadata);
    const primarySeen = await world.in('us-east-1').send(new DescribeKeyCommand({ KeyId: primary.KeyId }));
    expect(primarySeen.KeyMetadata?.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: replicaArn, Region: 'eu-west-1' }],
    });
    expect((await world.in('eu-west-1').send(new ListResourceTagsCommand({ KeyId: primary.KeyId }))).Tags).toEqual([{ TagKey: 'copy', TagValue: 'yes' }]);
    expect((await world.in('us-east-1').send(new ListResourceTagsCommand({ KeyId: primary.KeyId }))).Tags).toEqual([]);
  });

  it('lists every replica, in the order they were made, from the primary and from each replica', async () => {
    const primary = await createPrimary(world);
    await replicate(world, primary, 'eu-west-1');
    await replicate(world, primary, 'ap-northeast-1');
    const expected = ['eu-west-1', 'ap-northeast-1'].map((region) => ({ Arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${primary.KeyId}`, Region: region }));
    for (const region of ['us-east-1', 'eu-west-1', 'ap-northeast-1']) {
      const { KeyMetadata } = await world.in(region).send(new DescribeKeyCommand({ KeyId: primary.KeyId }));
      expect(KeyMetadata?.MultiRegionConfiguration?.ReplicaKeys).toEqual(expected);
      expect(KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe(region === 'us-east-1' ? 'PRIMARY' : 'REPLICA');
    }
  });

  it('shares the key pair: a signature made through the replica verifies with the primary\'s public key, and both answer the same public key', async () => {
    const primary = await createPrimary(world);
    await replicate(world, primary, 'eu-west-1');
    const [fromPrimary, fromReplica] = await Promise.all(
      ['us-east-1', 'eu-west-1'].map((region) => world.in(region).send(new GetPublicKeyCommand({ KeyId: primary.KeyId }))),
    );
    expect(Buffer.from(fromReplica?.PublicKey ?? new Uint8Array())).toEqual(Buffer.from(fromPrimary?.PublicKey ?? new Uint8Array()));
    expect(fromReplica?.KeyId).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/${primary.KeyId}`);

    const { Signature, KeyId } = await world.in('eu-west-1').send(new SignCommand({ KeyId: primary.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(KeyId).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/${primary.KeyId}`);
    const publicKey = createPublicKey({ key: Buffer.from(fromPrimary?.PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' });
    expect(nodeVerify('sha256', MESSAGE, { key: publicKey, dsaEncoding: 'der' }, Buffer.from(Signature ?? new Uint8Array()))).toBe(true);
    const verified = await world.in('us-east-1').send(new VerifyCommand({ KeyId: primary.Arn, Message: MESSAGE, Signature, SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(verified.SignatureValid).toBe(true);
  });

  it('shares HMAC key material: a MAC made in the primary\'s Region verifies in the replica\'s', async () => {
    const primary = await createPrimary(world, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await replicate(world, primary, 'eu-central-1');
    const { Mac } = await world.in('us-east-1').send(new GenerateMacCommand({ KeyId: primary.KeyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }));
    const verified = await world.in('eu-central-1').send(new VerifyMacCommand({ KeyId: primary.KeyId, Message: MESSAGE, Mac, MacAlgorithm: 'HMAC_SHA_256' }));
    expect(verified.MacValid).toBe(true);
  });

  it('gives a symmetric replica the primary\'s CurrentKeyMaterialId', async () => {
    const primary = await createPrimary(world, {});
    const replica = await replicate(world, primary, 'eu-west-2');
    expect(primary.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(replica.CurrentKeyMaterialId).toBe(primary.CurrentKeyMaterialId);
  });

  it('keeps the replica\'s key policy its own', async () => {
    const primary = await createPrimary(world);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] });
    await world.in('us-east-1').send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1', Policy: policy }));
    expect((await world.in('eu-west-1').send(new GetKeyPolicyCommand({ KeyId: primary.KeyId }))).Policy).toBe(policy);
    expect(JSON.parse((await world.in('us-east-1').send(new GetKeyPolicyCommand({ KeyId: primary.KeyId }))).Policy ?? '')).toMatchObject({ Id: 'key-default-1' });
  });

  describe('ReplicateKey refusals', () => {
    it('refuses a second replica in the same Region, and one in the primary\'s Region, with AlreadyExistsException', async () => {
      const primary = await createPrimary(world);
      await replicate(world, primary, 'eu-west-1');
      for (const region of ['eu-west-1', 'us-east-1']) {
        await expectKmsError(world.in('us-east-1').send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: region })), 'AlreadyExistsException', {
          type: AlreadyExistsException,
        });
      }
    });

    it('refuses a single-Region key with UnsupportedOperationException', async () => {
      const { KeyMetadata } = await world.in('us-east-1').send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
      await expectKmsError(world.in('us-east-1').send(new ReplicateKeyCommand({ KeyId: KeyMetadata?.KeyId, ReplicaRegion: 'eu-west-1' })), 'UnsupportedOperationException', {
        type: UnsupportedOperationException,
        message: 'not a multi-Region key',
      });
    });

    it('refuses to replicate a replica (ReplicateKey is called with the primary, in its Region)', async () => {
      const primary = await createPrimary(world);
      await replicate(world, primary, 'eu-west-1');
      await expectKmsError(world.in('eu-west-1').send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'ap-south-1' })), 'UnsupportedOperationException', {
        message: 'call ReplicateKey in us-east-1',
      });
    });

    it('refuses a Region of another partition with UnsupportedOperationException', async () => {
      const primary = await createPrimary(world);
      await expectKmsError(world.in('us-east-1').send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'cn-north-1' })), 'UnsupportedOperationException', {
        message: 'partition',
      });
    });

    it('refuses a ReplicaRegion that is not a Region name with ValidationException', async () => {
      const primary = await createPrimary(world);
      await expectKmsError(world.in('us-east-1').send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'Mars' })), 'ValidationException', {
        message: "'replicaRegion'",
      });
    });
  });
});

describe('deleting a multi-Region primary key that has replicas', () => {
  let world: World;
  let clock = Date.UTC(2030, 0, 1);
  beforeEach(async () => {
    clock = Date.UTC(2030, 0, 1);
    world = await World.start({ now: () => clock });
  });
  afterEach(async () => {
    await world.stop();
  });

  it('waits in PendingReplicaDeletion, showing PendingDeletionWindowInDays, until its last replica is deleted', async () => {
    const primary = await createPrimary(world);
    await replicate(world, primary, 'eu-west-1');
    const scheduled = await world.in('us-east-1').send(new ScheduleKeyDeletionCommand({ KeyId: primary.KeyId, PendingWindowInDays: 10 }));
    expect(scheduled).toMatchObject({ KeyState: 'PendingReplicaDeletion', PendingWindowInDays: 10 });
    expect(scheduled.DeletionDate).toBeUndefined();
    const waiting = (await world.in('us-east-1').send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata;
    expect(waiting).toMatchObject({ KeyState: 'PendingReplicaDeletion', PendingDeletionWindowInDays: 10, Enabled: false });
    expect(waiting?.DeletionDate).toBeUndefined();
    await expectKmsError(world.in('us-east-1').send(new SignCommand({ KeyId: primary.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' })), 'KMSInvalidStateException');

    const replicaScheduled = await world.in('eu-west-1').send(new ScheduleKeyDeletionCommand({ KeyId: primary.KeyId, PendingWindowInDays: 7 }));
    expect(replicaScheduled.KeyState).toBe('PendingDeletion');
    const replicaMetadata = (await world.in('eu-west-1').send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata;
    expect(replicaMetadata?.PendingDeletionWindowInDays).toBeUndefined();

    clock += 7 * DAY_MS + 1000;
    await expectKmsError(world.in('eu-west-1').send(new DescribeKeyCommand({ KeyId: primary.KeyId })), 'NotFoundException');
    const now = (await world.in('us-east-1').send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata;
    expect(now?.KeyState).toBe('PendingDeletion');
    expect(now?.PendingDeletionWindowInDays).toBeUndefined();
    expect(now?.DeletionDate?.getTime()).toBe((replicaScheduled.DeletionDate?.getTime() ?? Number.NaN) + 10 * DAY_MS);
    expect(now?.MultiRegionConfiguration?.ReplicaKeys).toEqual([]);
  });

  it('goes back to Disabled on CancelKeyDeletion while it waits for its replicas', async () => {
    const primary = await createPrimary(world);
    await replicate(world, primary, 'eu-west-1');
    await world.in('us-east-1').send(new ScheduleKeyDeletionCommand({ KeyId: primary.KeyId }));
    await world.in('us-east-1').send(new CancelKeyDeletionCommand({ KeyId: primary.KeyId }));
    const metadata = (await world.in('us-east-1').send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata;
    expect(metadata?.KeyState).toBe('Disabled');
    expect(metadata?.PendingDeletionWindowInDays).toBeUndefined();
  });
});

describe('multi-Region keys in the data file', () => {
  let dir = '';
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('keeps primary and replicas across a restart: the replica still signs with the shared key', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-local-mrk-'));
    const dataFile = join(dir, 'kms.json');
    const first = await World.start({ dataFile });
    const primary = await createPrimary(first, { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    await replicate(first, primary, 'ap-southeast-2');
    const before = (await first.in('ap-southeast-2').send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata;
    await first.stop();

    const second = await World.start({ dataFile });
    try {
      const after = (await second.in('ap-southeast-2').send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata;
      expect(after).toEqual(before);
      const { Signature } = await second.in('ap-southeast-2').send(new SignCommand({ KeyId: primary.KeyId, Message: MESSAGE, SigningAlgorithm: 'ED25519_SHA_512' }));
      const verified = await second.in('us-east-1').send(new VerifyCommand({ KeyId: primary.KeyId, Message: MESSAGE, Signature, SigningAlgorithm: 'ED25519_SHA_512' }));
      expect(verified.SignatureValid).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
