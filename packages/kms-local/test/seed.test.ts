import { constants, createPublicKey, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  SignCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKmsLocal, type KmsLocal, type KmsLocalOptions, type KmsLocalSeed } from '../src/index.js';

interface Running {
  readonly kms: KmsLocal;
  readonly client: KMSClient;
}

const DISABLED_KEY_ID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const ED_KEY_ID = '0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d';

// Private keys are generated here, at test time: none is committed.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaSpki = rsa.publicKey.export({ type: 'spki', format: 'der' });
const ecPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function fullSeed(): KmsLocalSeed {
  return {
    keys: [
      { keySpec: 'ECC_NIST_P256', description: 'generated signer', aliases: ['alias/signer'], tags: { team: 'identity', env: 'test' } },
      { keySpec: 'RSA_2048', privateKeyPem: rsaPem, description: 'imported', aliases: ['alias/imported'] },
      { keyId: DISABLED_KEY_ID, keySpec: 'ECC_NIST_P256', enabled: false },
      { keyId: ED_KEY_ID, keySpec: 'ECC_NIST_EDWARDS25519' },
    ],
    aliases: [
      { aliasName: 'alias/disabled', targetKeyId: DISABLED_KEY_ID },
      { aliasName: 'alias/by-arn', targetKeyId: `arn:aws:kms:us-east-1:111122223333:key/${ED_KEY_ID}` },
    ],
  };
}

const BAD_SEEDS: ReadonlyArray<[string, unknown, RegExp]> = [
  ['not an object', null, /^kms-local: a seed must be an object/],
  ['an unknown member', { key: [] }, /^kms-local: the seed has unknown member "key" \(expected keys, aliases\)/],
  ['keys that are not a list', { keys: { keySpec: 'ECC_NIST_P256' } }, /^kms-local: the seed's "keys" must be a list/],
  ['an unknown key spec', { keys: [{ keySpec: 'ECC_NIST_P999' }] }, /^kms-local: seed key 0 has unknown keySpec ECC_NIST_P999; use one of ECC_NIST_P256/],
  ['no key spec', { keys: [{ description: 'x' }] }, /^kms-local: seed key 0 has no keySpec/],
  ['a key usage the spec lacks', { keys: [{ keySpec: 'ECC_NIST_P256', keyUsage: 'ENCRYPT_DECRYPT' }] }, /^kms-local: seed key 0: key usage ENCRYPT_DECRYPT does not fit key spec ECC_NIST_P256/],
  ['a PEM that is no key', { keys: [{ keySpec: 'RSA_2048', privateKeyPem: 'junk' }] }, /^kms-local: seed key 0: the private key given for a RSA_2048 key is not a PKCS#8 PEM private key/],
  ['a PEM of another key type', { keys: [{ keySpec: 'RSA_2048', privateKeyPem: ecPem }] }, /^kms-local: seed key 0: the private key given is a ec key, not a RSA_2048 key/],
  ['an RSA PEM of another size', { keys: [{ keySpec: 'RSA_3072', privateKeyPem: rsaPem }] }, /^kms-local: seed key 0: the private key given is a rsa key, not a RSA_3072 key/],
  ['a PEM for a symmetric key', { keys: [{ keySpec: 'SYMMETRIC_DEFAULT', privateKeyPem: rsaPem }] }, /^kms-local: seed key 0: a SYMMETRIC_DEFAULT key takes no privateKeyPem/],
  ['a key id that is no UUID', { keys: [{ keySpec: 'ECC_NIST_P256', keyId: 'my-key' }] }, /^kms-local: seed key 0: keyId my-key is not a key id/],
  [
    'two keys with one id',
    { keys: [{ keySpec: 'ECC_NIST_P256', keyId: ED_KEY_ID }, { keySpec: 'ECC_NIST_P384', keyId: ED_KEY_ID }] },
    /^kms-local: seed keys 0 and 1 have the same key id/,
  ],
  ['enabled that is not a boolean', { keys: [{ keySpec: 'ECC_NIST_P256', enabled: 'no' }] }, /^kms-local: seed key 0: enabled must be true or false/],
  ['tags with a number', { keys: [{ keySpec: 'ECC_NIST_P256', tags: { team: 1 } }] }, /^kms-local: seed key 0: tags must be an object of string values/],
  ['a reserved tag key', { keys: [{ keySpec: 'ECC_NIST_P256', tags: { 'aws:owner': 'me' } }] }, /^kms-local: seed key 0: tag key aws:owner uses the reserved prefix aws:/],
  ['an alias without the alias/ prefix', { keys: [{ keySpec: 'ECC_NIST_P256', aliases: ['signer'] }] }, /^kms-local: seed key 0: .*alias\//],
  ['a reserved alias', { keys: [{ keySpec: 'ECC_NIST_P256', aliases: ['alias/aws/kms'] }] }, /^kms-local: seed key 0: .*alias\/aws\/.*reserved/],
  [
    'one alias named twice',
    { keys: [{ keySpec: 'ECC_NIST_P256', aliases: ['alias/a'] }, { keySpec: 'ECC_NIST_P384', aliases: ['alias/a'] }] },
    /^kms-local: the seed names alias alias\/a more than once/,
  ],
  [
    'an alias to a key that exists nowhere',
    { aliases: [{ aliasName: 'alias/x', targetKeyId: DISABLED_KEY_ID }] },
    new RegExp(`^kms-local: seed alias alias/x targets ${DISABLED_KEY_ID}, which is neither a key id or key ARN of the seed nor a key in the data file`),
  ],
  ['an alias entry without a target', { aliases: [{ aliasName: 'alias/x' }] }, /^kms-local: seed alias 0 must be an object like \{ "aliasName"/],
];

describe('seeding keys and aliases at start', () => {
  let dir = '';
  const running = new Set<Running>();

  async function start(options: KmsLocalOptions): Promise<Running> {
    const kms = await startKmsLocal(options);
    const server = { kms, client: new KMSClient(kms.clientConfig) };
    running.add(server);
    return server;
  }

  async function stop(server: Running): Promise<void> {
    running.delete(server);
    server.client.destroy();
    await server.kms.close();
  }

  async function keyIds(client: KMSClient): Promise<string[]> {
    return ((await client.send(new ListKeysCommand({}))).Keys ?? []).map((key) => key.KeyId ?? '').sort();
  }

  async function aliasTargets(client: KMSClient): Promise<Record<string, string>> {
    const aliases = (await client.send(new ListAliasesCommand({}))).Aliases ?? [];
    return Object.fromEntries(aliases.map((alias) => [alias.AliasName ?? '', alias.TargetKeyId ?? '']));
  }

  async function keyIdOf(client: KMSClient, identifier: string): Promise<string> {
    const described = await client.send(new DescribeKeyCommand({ KeyId: identifier }));
    return described.KeyMetadata?.KeyId ?? '';
  }

  async function spkiOf(client: KMSClient, identifier: string): Promise<Buffer> {
    const published = await client.send(new GetPublicKeyCommand({ KeyId: identifier }));
    return Buffer.from(published.PublicKey ?? new Uint8Array());
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-local-seed-'));
  });

  afterEach(async () => {
    for (const server of [...running]) await stop(server);
    await rm(dir, { recursive: true, force: true });
  });

  it('preloads generated and imported keys, their aliases and tags, and a disabled key from a seed object', async () => {
    const { client } = await start({ seed: fullSeed() });
    const ids = await keyIds(client);
    expect(ids).toHaveLength(4);
    expect(ids).toEqual(expect.arrayContaining([DISABLED_KEY_ID, ED_KEY_ID]));

    const signer = (await client.send(new DescribeKeyCommand({ KeyId: 'alias/signer' }))).KeyMetadata;
    expect(signer).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', KeyState: 'Enabled', Enabled: true, Description: 'generated signer' });
    const tags = (await client.send(new ListResourceTagsCommand({ KeyId: signer?.KeyId }))).Tags ?? [];
    expect(tags.map((tag) => `${tag.TagKey}=${tag.TagValue}`).sort()).toEqual(['env=test', 'team=identity']);

    // The imported key is the one whose PEM the seed gave: KMS signs with it and publishes its public key.
    expect((await spkiOf(client, 'alias/imported')).equals(rsaSpki)).toBe(true);
    const message = Buffer.from('header.payload');
    const signed = await client.send(new SignCommand({ KeyId: 'alias/imported', Message: message, MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    const pss = { key: createPublicKey(rsaPem), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(nodeVerify('sha256', message, pss, Buffer.from(signed.Signature ?? new Uint8Array()))).toBe(true);

    const disabled = (await client.send(new DescribeKeyCommand({ KeyId: 'alias/disabled' }))).KeyMetadata;
    expect(disabled).toMatchObject({ KeyId: DISABLED_KEY_ID, KeyState: 'Disabled', Enabled: false });
    await expect(client.send(new SignCommand({ KeyId: DISABLED_KEY_ID, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))).rejects.toMatchObject({
      name: 'DisabledException',
    });

    expect(await aliasTargets(client)).toEqual({
      'alias/signer': signer?.KeyId,
      'alias/imported': await keyIdOf(client, 'alias/imported'),
      'alias/disabled': DISABLED_KEY_ID,
      'alias/by-arn': ED_KEY_ID,
    });
  });

  it('reads the same seed from a JSON file, giving the same key ids', async () => {
    const seedFile = join(dir, 'seed.json');
    await writeFile(seedFile, JSON.stringify(fullSeed(), null, 2));
    const fromFile = await start({ seed: seedFile });
    const fromObject = await start({ seed: fullSeed() });

    const ids = await keyIds(fromFile.client);
    expect(ids).toHaveLength(4);
    expect(ids).toEqual(await keyIds(fromObject.client));
    expect(await aliasTargets(fromFile.client)).toEqual(await aliasTargets(fromObject.client));
    // The imported key is the same key in both; the generated one is generated anew by each server.
    expect((await spkiOf(fromFile.client, 'alias/imported')).equals(rsaSpki)).toBe(true);
    expect((await spkiOf(fromFile.client, 'alias/signer')).equals(await spkiOf(fromObject.client, 'alias/signer'))).toBe(false);
  });

  it('derives the id of an imported key from the key itself', async () => {
    const first = await start({ seed: { keys: [{ keySpec: 'ECC_NIST_P256', privateKeyPem: ecPem }] } });
    const second = await start({ seed: { keys: [{ keySpec: 'ECC_NIST_P256', description: 'at another position', keyUsage: 'SIGN_VERIFY' }, { keySpec: 'ECC_NIST_P256', privateKeyPem: ecPem }] } });
    const [importedId] = await keyIds(first.client);
    expect(importedId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await keyIds(second.client)).toContain(importedId);
  });

  it('applies the same seed twice on one data file without duplicates, keeping run-time changes', async () => {
    const dataFile = join(dir, 'kms.json');
    const seedFile = join(dir, 'seed.json');
    await writeFile(seedFile, JSON.stringify(fullSeed()));

    const first = await start({ dataFile, seed: seedFile });
    const seededIds = await keyIds(first.client);
    const signerSpki = await spkiOf(first.client, 'alias/signer');
    const signerId = await keyIdOf(first.client, 'alias/signer');
    // Run-time changes: rotate alias/signer to a new key, enable the seed's disabled key, drop a tag.
    const rotated = await first.client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const rotatedId = rotated.KeyMetadata?.KeyId ?? '';
    await first.client.send(new UpdateAliasCommand({ AliasName: 'alias/signer', TargetKeyId: rotatedId }));
    await first.client.send(new EnableKeyCommand({ KeyId: DISABLED_KEY_ID }));
    await first.client.send(new UntagResourceCommand({ KeyId: signerId, TagKeys: ['env'] }));
    const aliasesBefore = await aliasTargets(first.client);
    await stop(first);

    for (const seed of [seedFile, fullSeed()]) {
      const again = await start({ dataFile, seed });
      const { client } = again;
      expect(await keyIds(client)).toEqual([...seededIds, rotatedId].sort());
      expect(await aliasTargets(client)).toEqual(aliasesBefore);
      expect(await keyIdOf(client, 'alias/signer')).toBe(rotatedId);
      // The generated key was not generated again.
      expect((await spkiOf(client, signerId)).equals(signerSpki)).toBe(true);
      expect((await client.send(new DescribeKeyCommand({ KeyId: DISABLED_KEY_ID }))).KeyMetadata?.KeyState).toBe('Enabled');
      const tags = (await client.send(new ListResourceTagsCommand({ KeyId: signerId }))).Tags ?? [];
      expect(tags.map((tag) => tag.TagKey)).toEqual(['team']);
      await stop(again);
    }
    const stored = JSON.parse(await readFile(dataFile, 'utf8')) as { keys: unknown[]; aliases: unknown[] };
    expect(stored.keys).toHaveLength(5);
    expect(stored.aliases).toHaveLength(4);
  });

  it.each(BAD_SEEDS)('rejects a seed with %s, saying what is wrong and where, and writes no data file', async (_, seed, message) => {
    const dataFile = join(dir, 'kms.json');
    await expect(startKmsLocal({ dataFile, seed: seed as KmsLocalSeed })).rejects.toThrow(message);
    expect(existsSync(dataFile)).toBe(false);
  });

  it('rejects a seed file that is missing, not JSON, or of the wrong shape, naming the file', async () => {
    const missing = join(dir, 'missing.json');
    await expect(startKmsLocal({ seed: missing })).rejects.toThrow(new RegExp(`^kms-local: cannot read the seed file ${missing}: ENOENT`));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"keys": [');
    await expect(startKmsLocal({ seed: broken })).rejects.toThrow(new RegExp(`^kms-local: cannot read the seed file ${broken}: .*JSON`));
    const wrongShape = join(dir, 'wrong.json');
    await writeFile(wrongShape, JSON.stringify({ keys: [{ keySpec: 'ECC_NIST_P256', aliases: 'alias/one' }] }));
    await expect(startKmsLocal({ seed: wrongShape })).rejects.toThrow(
      new RegExp(`^kms-local: seed key 0: aliases must be a list of alias names \\(in the seed file ${wrongShape}\\)`),
    );
  });

  it('rejects a seed that gives a key of the data file another key spec or another private key', async () => {
    const dataFile = join(dir, 'kms.json');
    const first = await start({ dataFile, seed: { keys: [{ keyId: ED_KEY_ID, keySpec: 'ECC_NIST_EDWARDS25519' }, { keyId: DISABLED_KEY_ID, keySpec: 'ECC_NIST_P256', privateKeyPem: ecPem }] } });
    await stop(first);
    const stored = await readFile(dataFile, 'utf8');
    await expect(startKmsLocal({ dataFile, seed: { keys: [{ keyId: ED_KEY_ID, keySpec: 'ECC_NIST_P256' }] } })).rejects.toThrow(
      `kms-local: seed key 0: key ${ED_KEY_ID} is ECC_NIST_P256 in the seed but ECC_NIST_EDWARDS25519 in the data file`,
    );
    const otherEcPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(startKmsLocal({ dataFile, seed: { keys: [{ keyId: DISABLED_KEY_ID, keySpec: 'ECC_NIST_P256', privateKeyPem: otherEcPem }] } })).rejects.toThrow(
      `kms-local: seed key 0: key ${DISABLED_KEY_ID} has another private key in the data file than the seed's privateKeyPem`,
    );
    expect(await readFile(dataFile, 'utf8')).toBe(stored);
  });

  it('lets a seed alias point to a key that only the data file holds', async () => {
    const dataFile = join(dir, 'kms.json');
    const first = await start({ dataFile });
    const created = await first.client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    await stop(first);
    const keyId = created.KeyMetadata?.KeyId ?? '';
    const { client } = await start({ dataFile, seed: { aliases: [{ aliasName: 'alias/existing', targetKeyId: keyId }] } });
    expect(await keyIdOf(client, 'alias/existing')).toBe(keyId);
  });
  it('seeds an HMAC key for GENERATE_VERIFY_MAC (its usage by default) whose MACs verify', async () => {
    const { client } = await start({ seed: { keys: [{ keyId: ED_KEY_ID, keySpec: 'HMAC_384', aliases: ['alias/mac'] }] } });
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/mac' }));
    expect(KeyMetadata).toMatchObject({ KeyId: ED_KEY_ID, KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC', MacAlgorithms: ['HMAC_SHA_384'] });
    const { Mac } = await client.send(new GenerateMacCommand({ KeyId: 'alias/mac', Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_384' }));
    expect((await client.send(new VerifyMacCommand({ KeyId: ED_KEY_ID, Message: Buffer.from('m'), Mac, MacAlgorithm: 'HMAC_SHA_384' }))).MacValid).toBe(true);
  });

  it('refuses a privateKeyPem for an HMAC seed key', async () => {
    await expect(startKmsLocal({ seed: { keys: [{ keySpec: 'HMAC_256', privateKeyPem: ecPem }] } })).rejects.toThrow('kms-local: seed key 0: a HMAC_256 key takes no privateKeyPem');
  });
});
