import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisabledException,
  GenerateMacCommand,
  GetPublicKeyCommand,
  InvalidKeyUsageException,
  KMSClient,
  KMSInvalidMacException,
  SignCommand,
  UnsupportedOperationException,
  VerifyMacCommand,
  type KeySpec,
  type MacAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsLocal, type KmsLocal } from '../src/index.js';
import { expectKmsError } from './expect-kms-error.js';
import { useKmsLocal } from './support.js';

/*
 * Checked against: the KMS API reference (GenerateMac, VerifyMac, CreateKey's KeySpec), the SDK's model
 * (MacAlgorithmSpec), and the AWS answers recorded in localstack's KMS snapshot tests
 * (test_hmac_create_key, test_invalid_generate_mac, test_invalid_verify_mac, test_error_messaging_for_invalid_keys).
 */

const HMAC_SPECS: ReadonlyArray<{ spec: KeySpec; algorithm: MacAlgorithmSpec; hash: string; macBytes: number }> = [
  { spec: 'HMAC_224', algorithm: 'HMAC_SHA_224', hash: 'sha224', macBytes: 28 },
  { spec: 'HMAC_256', algorithm: 'HMAC_SHA_256', hash: 'sha256', macBytes: 32 },
  { spec: 'HMAC_384', algorithm: 'HMAC_SHA_384', hash: 'sha384', macBytes: 48 },
  { spec: 'HMAC_512', algorithm: 'HMAC_SHA_512', hash: 'sha512', macBytes: 64 },
];

const MESSAGE = Buffer.from('a message to authenticate');

describe('HMAC keys, GenerateMac and VerifyMac', () => {
  let dir = '';
  let kms: KmsLocal;
  let client: KMSClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-local-hmac-'));
    kms = await startKmsLocal({ dataFile: join(dir, 'kms.json') });
    client = new KMSClient(kms.clientConfig);
  });

  afterAll(async () => {
    client.destroy();
    await kms.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function createHmacKey(spec: KeySpec): Promise<string> {
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' }));
    return KeyMetadata?.Arn ?? '';
  }

  /** The HMAC key bytes kms-local persisted, to compute the expected MAC with node:crypto. */
  async function storedSecret(arn: string): Promise<Buffer> {
    const data = JSON.parse(await readFile(join(dir, 'kms.json'), 'utf8')) as { keys: Array<{ keyId: string; hmacKeyBase64?: string }> };
    const stored = data.keys.find((key) => arn.endsWith(`/${key.keyId}`));
    return Buffer.from(stored?.hmacKeyBase64 ?? '', 'base64');
  }

  it.each(HMAC_SPECS)('creates a $spec key for GENERATE_VERIFY_MAC whose metadata lists $algorithm only', async ({ spec, algorithm }) => {
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC', Description: 'mac key' }));
    expect(KeyMetadata).toMatchObject({ KeySpec: spec, CustomerMasterKeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC', MacAlgorithms: [algorithm], KeyState: 'Enabled' });
    expect(KeyMetadata?.SigningAlgorithms).toBeUndefined();
    expect(KeyMetadata?.EncryptionAlgorithms).toBeUndefined();
    const described = await client.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }));
    expect(described.KeyMetadata).toEqual(KeyMetadata);
  });

  it.each(HMAC_SPECS)('GenerateMac with $algorithm is RFC 2104 HMAC-$hash under the key, and VerifyMac accepts it', async ({ spec, algorithm, hash, macBytes }) => {
    const arn = await createHmacKey(spec);
    const generated = await client.send(new GenerateMacCommand({ KeyId: arn, Message: MESSAGE, MacAlgorithm: algorithm }));
    expect(generated.KeyId).toBe(arn);
    expect(generated.MacAlgorithm).toBe(algorithm);
    const mac = Buffer.from(generated.Mac ?? new Uint8Array());
    expect(mac).toHaveLength(macBytes);
    const secret = await storedSecret(arn);
    expect(secret).toHaveLength(macBytes);
    expect(mac).toEqual(createHmac(hash, secret).update(MESSAGE).digest());

    const verified = await client.send(new VerifyMacCommand({ KeyId: arn, Message: MESSAGE, Mac: mac, MacAlgorithm: algorithm }));
    expect(verified).toMatchObject({ KeyId: arn, MacValid: true, MacAlgorithm: algorithm });
  });

  it('rejects VerifyMac of a wrong MAC, of a changed message and of a cut MAC with KMSInvalidMacException', async () => {
    const arn = await createHmacKey('HMAC_256');
    const { Mac } = await client.send(new GenerateMacCommand({ KeyId: arn, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }));
    const mac = Buffer.from(Mac ?? new Uint8Array());
    const flipped = Buffer.from(mac);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    for (const [message, candidate] of [
      [MESSAGE, flipped],
      [Buffer.from('another message'), mac],
      [MESSAGE, mac.subarray(0, 16)],
    ] as const) {
      await expectKmsError(client.send(new VerifyMacCommand({ KeyId: arn, Message: message, Mac: candidate, MacAlgorithm: 'HMAC_SHA_256' })), 'KMSInvalidMacException', {
        type: KMSInvalidMacException,
      });
    }
  });

  it('rejects a MAC of another key with KMSInvalidMacException', async () => {
    const [one, other] = await Promise.all([createHmacKey('HMAC_256'), createHmacKey('HMAC_256')]);
    const { Mac } = await client.send(new GenerateMacCommand({ KeyId: one, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }));
    await expectKmsError(client.send(new VerifyMacCommand({ KeyId: other, Message: MESSAGE, Mac, MacAlgorithm: 'HMAC_SHA_256' })), 'KMSInvalidMacException');
  });

  it('rejects a MAC algorithm the key spec does not offer with InvalidKeyUsageException, in AWS\'s words', async () => {
    const arn = await createHmacKey('HMAC_224');
    await expectKmsError(client.send(new GenerateMacCommand({ KeyId: arn, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' })), 'InvalidKeyUsageException', {
      type: InvalidKeyUsageException,
      message: 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
    });
    await expectKmsError(
      client.send(new VerifyMacCommand({ KeyId: arn, Message: MESSAGE, Mac: Buffer.alloc(28), MacAlgorithm: 'HMAC_SHA_512' })),
      'InvalidKeyUsageException',
      { message: 'Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_224.' },
    );
  });

  it('rejects a MacAlgorithm outside the model\'s enum with ValidationException', async () => {
    const arn = await createHmacKey('HMAC_256');
    await expectKmsError(client.send(new GenerateMacCommand({ KeyId: arn, Message: MESSAGE, MacAlgorithm: 'INVALID' as MacAlgorithmSpec })), 'ValidationException', {
      message: "Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set",
    });
  });

  it('rejects GenerateMac with a signing key, and Sign with an HMAC key, with InvalidKeyUsageException naming the operation', async () => {
    const { KeyMetadata: signing } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    await expectKmsError(client.send(new GenerateMacCommand({ KeyId: signing?.Arn, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' })), 'InvalidKeyUsageException', {
      message: `${signing?.Arn} key usage is SIGN_VERIFY which is not valid for GenerateMac.`,
    });
    const mac = await createHmacKey('HMAC_256');
    await expectKmsError(client.send(new SignCommand({ KeyId: mac, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException', {
      message: `${mac} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.`,
    });
  });

  it('rejects GetPublicKey on an HMAC key with UnsupportedOperationException', async () => {
    const arn = await createHmacKey('HMAC_384');
    await expectKmsError(client.send(new GetPublicKeyCommand({ KeyId: arn })), 'UnsupportedOperationException', { type: UnsupportedOperationException, message: 'HMAC' });
  });

  it('rejects GenerateMac with a disabled key with DisabledException', async () => {
    const arn = await createHmacKey('HMAC_512');
    await client.send(new DisableKeyCommand({ KeyId: arn }));
    await expectKmsError(client.send(new GenerateMacCommand({ KeyId: arn, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_512' })), 'DisabledException', { type: DisabledException });
  });

  it('keeps an HMAC key across a restart on the same data file: a MAC made before verifies after', async () => {
    const arn = await createHmacKey('HMAC_256');
    const { Mac } = await client.send(new GenerateMacCommand({ KeyId: arn, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }));
    const again = await startKmsLocal({ dataFile: join(dir, 'kms.json') });
    const againClient = new KMSClient(again.clientConfig);
    try {
      const verified = await againClient.send(new VerifyMacCommand({ KeyId: arn, Message: MESSAGE, Mac, MacAlgorithm: 'HMAC_SHA_256' }));
      expect(verified.MacValid).toBe(true);
    } finally {
      againClient.destroy();
      await again.close();
    }
  });
});

describe('CreateKey of HMAC keys: KeyUsage rules', () => {
  const env = useKmsLocal();

  it('rejects an HMAC key without KeyUsage with ValidationException, as AWS words it', async () => {
    await expectKmsError(env().client.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' })), 'ValidationException', {
      message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    });
  });

  it.each(['SIGN_VERIFY', 'ENCRYPT_DECRYPT'] as const)('rejects an HMAC key for %s with ValidationException', async (usage) => {
    await expectKmsError(env().client.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: usage })), 'ValidationException', {
      message: `KeyUsage ${usage} is not compatible with KeySpec HMAC_256`,
    });
  });
});
