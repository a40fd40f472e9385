import { constants, createPublicKey, generateKeyPairSync, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GetKeyPolicyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  VerifyCommand,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKmsLocal, type KmsLocal, type KmsLocalOptions } from '../src/index.js';

interface Running {
  readonly kms: KmsLocal;
  readonly client: KMSClient;
}

const message = Buffer.from('header.payload');

describe('persistence to a data file', () => {
  let dir = '';
  let dataFile = '';
  const running = new Set<Running>();

  async function start(options: KmsLocalOptions = {}): Promise<Running> {
    const kms = await startKmsLocal({ dataFile, ...options });
    const server = { kms, client: new KMSClient(kms.clientConfig) };
    running.add(server);
    return server;
  }

  async function stop(server: Running): Promise<void> {
    running.delete(server);
    server.client.destroy();
    await server.kms.close();
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-local-persistence-'));
    dataFile = join(dir, 'kms.json');
  });

  afterEach(async () => {
    for (const server of [...running]) await stop(server);
    await rm(dir, { recursive: true, force: true });
  });

  async function createKey(client: KMSClient, spec: 'ECC_NIST_P256' | 'ECC_NIST_EDWARDS25519' | 'RSA_2048', description = ''): Promise<string> {
    const created = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Description: description }));
    const arn = created.KeyMetadata?.Arn;
    if (arn === undefined) throw new Error('CreateKey returned no ARN');
    return arn;
  }

  async function publicKeyOf(client: KMSClient, keyId: string): Promise<{ spki: Buffer; key: KeyObject }> {
    const published = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (published.PublicKey === undefined) throw new Error('GetPublicKey returned no public key');
    const spki = Buffer.from(published.PublicKey);
    return { spki, key: createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
  }

  async function signWith(client: KMSClient, keyId: string, algorithm: SigningAlgorithmSpec): Promise<Buffer> {
    const signed = await client.send(new SignCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }));
    if (signed.Signature === undefined) throw new Error('Sign returned no signature');
    return Buffer.from(signed.Signature);
  }

  it('serves the same keys, public keys, aliases, tags and key states after a restart on the same file', async () => {
    const first = await start();
    expect(existsSync(dataFile)).toBe(false);
    const ecArn = await createKey(first.client, 'ECC_NIST_P256', 'the EC signer');
    expect(existsSync(dataFile)).toBe(true);
    const edArn = await createKey(first.client, 'ECC_NIST_EDWARDS25519');
    const rsaArn = await createKey(first.client, 'RSA_2048');
    const disabledArn = await createKey(first.client, 'ECC_NIST_P256');
    const doomedArn = await createKey(first.client, 'ECC_NIST_P256');
    await first.client.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: ecArn }));
    await first.client.send(new CreateAliasCommand({ AliasName: 'alias/rotating', TargetKeyId: ecArn }));
    await first.client.send(new UpdateAliasCommand({ AliasName: 'alias/rotating', TargetKeyId: disabledArn }));
    await first.client.send(
      new TagResourceCommand({
        KeyId: ecArn,
        Tags: [
          { TagKey: 'team', TagValue: 'identity' },
          { TagKey: 'env', TagValue: 'test' },
          { TagKey: 'temporary', TagValue: 'yes' },
        ],
      }),
    );
    await first.client.send(new UntagResourceCommand({ KeyId: ecArn, TagKeys: ['temporary'] }));
    await first.client.send(new DisableKeyCommand({ KeyId: disabledArn }));
    const scheduled = await first.client.send(new ScheduleKeyDeletionCommand({ KeyId: doomedArn, PendingWindowInDays: 7 }));

    const before = {
      ec: await publicKeyOf(first.client, ecArn),
      ed: await publicKeyOf(first.client, edArn),
      rsa: await publicKeyOf(first.client, rsaArn),
      ecDescription: await first.client.send(new DescribeKeyCommand({ KeyId: ecArn })),
      keyIds: (await first.client.send(new ListKeysCommand({}))).Keys?.map((key) => key.KeyId).sort(),
    };
    const oldSignatures = {
      ec: await signWith(first.client, 'alias/app', 'ECDSA_SHA_256'),
      ed: await signWith(first.client, edArn, 'ED25519_SHA_512'),
      rsa: await signWith(first.client, rsaArn, 'RSASSA_PSS_SHA_256'),
    };
    await stop(first);

    const second = await start();
    const { client } = second;
    // Same keys, with the same ARNs and metadata.
    const keyIds = (await client.send(new ListKeysCommand({}))).Keys?.map((key) => key.KeyId).sort();
    expect(keyIds).toEqual(before.keyIds);
    expect(keyIds).toHaveLength(5);
    const described = await client.send(new DescribeKeyCommand({ KeyId: ecArn }));
    expect(described.KeyMetadata).toEqual(before.ecDescription.KeyMetadata);
    expect(described.KeyMetadata?.Description).toBe('the EC signer');

    // Same public keys.
    expect((await publicKeyOf(client, ecArn)).spki.equals(before.ec.spki)).toBe(true);
    expect((await publicKeyOf(client, edArn)).spki.equals(before.ed.spki)).toBe(true);
    expect((await publicKeyOf(client, rsaArn)).spki.equals(before.rsa.spki)).toBe(true);

    // Aliases resolve, including one that was updated before the restart.
    expect((await client.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata?.Arn).toBe(ecArn);
    expect((await client.send(new DescribeKeyCommand({ KeyId: 'alias/rotating' }))).KeyMetadata?.Arn).toBe(disabledArn);
    const aliases = (await client.send(new ListAliasesCommand({}))).Aliases ?? [];
    expect(aliases.map((alias) => [alias.AliasName, alias.TargetKeyId]).sort()).toEqual(
      [
        ['alias/app', ecArn.split('/')[1]],
        ['alias/rotating', disabledArn.split('/')[1]],
      ].sort(),
    );

    // Tags, as they were after the untag.
    const tags = (await client.send(new ListResourceTagsCommand({ KeyId: ecArn }))).Tags ?? [];
    expect(tags.map((tag) => `${tag.TagKey}=${tag.TagValue}`).sort()).toEqual(['env=test', 'team=identity']);

    // Key states.
    expect((await client.send(new DescribeKeyCommand({ KeyId: disabledArn }))).KeyMetadata?.KeyState).toBe('Disabled');
    const doomed = (await client.send(new DescribeKeyCommand({ KeyId: doomedArn }))).KeyMetadata;
    expect(doomed?.KeyState).toBe('PendingDeletion');
    expect(doomed?.DeletionDate?.getTime()).toBe(scheduled.DeletionDate?.getTime());
    expect(doomed?.PendingDeletionWindowInDays).toBeUndefined();
    await expect(client.send(new SignCommand({ KeyId: disabledArn, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))).rejects.toMatchObject({
      name: 'DisabledException',
    });

    // Signatures made before the restart verify with the reloaded keys...
    for (const [keyId, algorithm, signature] of [
      [ecArn, 'ECDSA_SHA_256', oldSignatures.ec],
      [edArn, 'ED25519_SHA_512', oldSignatures.ed],
      [rsaArn, 'RSASSA_PSS_SHA_256', oldSignatures.rsa],
    ] as const) {
      const verified = await client.send(new VerifyCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm, Signature: signature }));
      expect(verified.SignatureValid).toBe(true);
    }
    // ...and signatures made after it verify with the public keys fetched before it.
    expect(nodeVerify('sha256', message, before.ec.key, await signWith(client, 'alias/app', 'ECDSA_SHA_256'))).toBe(true);
    expect(nodeVerify(null, message, before.ed.key, await signWith(client, edArn, 'ED25519_SHA_512'))).toBe(true);
    const pss = { key: before.rsa.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(nodeVerify('sha256', message, pss, await signWith(client, rsaArn, 'RSASSA_PSS_SHA_256'))).toBe(true);
  });

  it('writes the data file atomically, with mode 0600 and no temp file left behind', async () => {
    const { client } = await start();
    const arns = await Promise.all(Array.from({ length: 20 }, (_, i) => createKey(client, 'ECC_NIST_P256', `key ${i}`)));
    await Promise.all(arns.map((arn, i) => client.send(new CreateAliasCommand({ AliasName: `alias/key-${i}`, TargetKeyId: arn }))));

    expect(await readdir(dir)).toEqual(['kms.json']);
    const written = await stat(dataFile);
    expect(written.mode & 0o777).toBe(0o600);
    // Each write replaces the file by renaming a complete new one over it (a new inode), never rewriting it in place.
    await client.send(new CreateAliasCommand({ AliasName: 'alias/one-more', TargetKeyId: arns[0] }));
    const rewritten = await stat(dataFile);
    expect(rewritten.ino).not.toBe(written.ino);
    expect(rewritten.mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['kms.json']);
    const data = JSON.parse(await readFile(dataFile, 'utf8')) as { format?: unknown; region?: unknown; accountId?: unknown; keys?: unknown[]; aliases?: unknown[] };
    expect(data).toMatchObject({ format: 'kms-local/1', region: 'us-east-1', accountId: '111122223333' });
    expect(data.keys).toHaveLength(20);
    expect(data.aliases).toHaveLength(21);
  });

  it('keeps every key and alias of concurrent calls across a restart', async () => {
    const first = await start();
    const arns = await Promise.all(Array.from({ length: 20 }, () => createKey(first.client, 'ECC_NIST_P256')));
    await Promise.all(arns.map((arn, i) => first.client.send(new CreateAliasCommand({ AliasName: `alias/concurrent-${i}`, TargetKeyId: arn }))));
    await stop(first);

    const { client } = await start();
    const keys = (await client.send(new ListKeysCommand({}))).Keys ?? [];
    expect(keys.map((key) => key.KeyArn).sort()).toEqual([...arns].sort());
    for (const [i, arn] of arns.entries()) {
      expect((await client.send(new DescribeKeyCommand({ KeyId: `alias/concurrent-${i}` }))).KeyMetadata?.Arn).toBe(arn);
    }
  });

  it('loads a data file written before key policies, key material ids and Regions were stored', async () => {
    const ecPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const base = { creationDate: 1, description: '', keyState: 'Enabled', tags: {} };
    await writeFile(
      dataFile,
      JSON.stringify({
        format: 'kms-local/1',
        region: 'us-east-1',
        accountId: '111122223333',
        keys: [
          { ...base, keyId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', privateKeyPem: ecPem },
          { ...base, keyId: '1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
        ],
        aliases: [{ aliasName: 'alias/old', targetKeyId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', creationDate: 1, lastUpdatedDate: 1 }],
      }),
    );
    const { client } = await start();
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/old' }));
    expect(KeyMetadata?.Arn).toBe('arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d');
    expect(JSON.parse((await client.send(new GetKeyPolicyCommand({ KeyId: KeyMetadata?.KeyId }))).Policy ?? '')).toMatchObject({ Id: 'key-default-1' });
    const symmetric = (await client.send(new DescribeKeyCommand({ KeyId: '1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d' }))).KeyMetadata;
    expect(symmetric?.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to start on a data file that is not JSON, names the file and leaves it as it was', async () => {
    await writeFile(dataFile, '{"format": "kms-local/1", "keys": [');
    await expect(start()).rejects.toThrow(new RegExp(`kms-local: cannot read the data file ${escape(dataFile)}`));
    expect(await readFile(dataFile, 'utf8')).toBe('{"format": "kms-local/1", "keys": [');
  });

  it('refuses to start on a JSON file that is not a kms-local data file', async () => {
    for (const foreign of ['{"keys": [], "aliases": []}', '[]', '"kms-local/1"', '{"format": "kms-local/2", "keys": [], "aliases": []}']) {
      await writeFile(dataFile, foreign);
      await expect(start()).rejects.toThrow(new RegExp(`kms-local: ${escape(dataFile)} is not a kms-local data file`));
    }
  });

  it('names the data file when it holds JSON null', async () => {
    await writeFile(dataFile, 'null');
    await expect(start()).rejects.toThrow(new RegExp(`^kms-local: ${escape(dataFile)} is not a kms-local data file`));
  });

  it('names the data file when a stored private key does not parse', async () => {
    const data = {
      format: 'kms-local/1',
      region: 'us-east-1',
      accountId: '111122223333',
      keys: [
        {
          keyId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
          creationDate: 1,
          description: '',
          keySpec: 'ECC_NIST_P256',
          keyUsage: 'SIGN_VERIFY',
          keyState: 'Enabled',
          tags: {},
          privateKeyPem: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n',
        },
      ],
      aliases: [],
    };
    await writeFile(dataFile, JSON.stringify(data));
    await expect(start()).rejects.toThrow(new RegExp(`^kms-local: cannot load the data file ${escape(dataFile)}: .*not a PKCS#8 PEM private key`));
  });

  it('refuses key entries with unknown states or usages and aliases of keys it does not hold, naming the entry', async () => {
    const key = {
      keyId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
      creationDate: 1,
      description: '',
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      keyState: 'Enabled',
      tags: {},
    };
    const cases: ReadonlyArray<[object, RegExp]> = [
      [{ keys: [{ ...key, keyState: 'Gone' }], aliases: [] }, /key 0 has unknown key state Gone/],
      [{ keys: [{ ...key, keyUsage: 'MAC' }], aliases: [] }, /key 0 has unknown key usage MAC/],
      [{ keys: [null], aliases: [] }, /key 0 is not an object/],
      [{ keys: [{ ...key, tags: null }], aliases: [] }, /key 0 has invalid tags/],
      [{ keys: [key], aliases: [{ aliasName: 'alias/x', targetKeyId: 'missing', creationDate: 1, lastUpdatedDate: 1 }] }, /alias 0 is not a valid alias of a stored key/],
    ];
    for (const [content, reason] of cases) {
      await writeFile(dataFile, JSON.stringify({ format: 'kms-local/1', region: 'us-east-1', accountId: '111122223333', ...content }));
      await expect(start()).rejects.toThrow(reason);
    }
  });

  it('refuses to start when the directory of the data file does not exist', async () => {
    const missing = join(dir, 'missing', 'kms.json');
    await expect(start({ dataFile: missing })).rejects.toThrow(/kms-local: the directory of the data file .*missing.*kms\.json does not exist/);
  });

  it('refuses a data file written for another region or account, saying which it holds', async () => {
    const first = await start({ region: 'eu-west-1', accountId: '123456789012' });
    await createKey(first.client, 'ECC_NIST_P256');
    await stop(first);
    const written = await readFile(dataFile, 'utf8');

    await expect(start({ region: 'us-east-1', accountId: '123456789012' })).rejects.toThrow(
      /holds keys of account 123456789012 in eu-west-1, but this server is 123456789012 in us-east-1/,
    );
    await expect(start({ region: 'eu-west-1', accountId: '210987654321' })).rejects.toThrow(
      /holds keys of account 123456789012 in eu-west-1, but this server is 210987654321 in eu-west-1/,
    );
    expect(await readFile(dataFile, 'utf8')).toBe(written);

    const again = await start({ region: 'eu-west-1', accountId: '123456789012' });
    const keys = (await again.client.send(new ListKeysCommand({}))).Keys ?? [];
    expect(keys).toHaveLength(1);
    expect(keys[0]?.KeyArn).toMatch(/^arn:aws:kms:eu-west-1:123456789012:key\//);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
