import { createPublicKey } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GetPublicKeyCommand,
  InvalidMarkerException,
  ListKeysCommand,
  NotFoundException,
  UnsupportedOperationException,
  type CreateKeyCommandInput,
  type KeyMetadata,
  type KeySpec,
  type KeyUsageType,
  type OriginType,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError } from './expect-kms-error.js';
import { useKmsLocal } from './support.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const KEY_ARN = new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/[0-9a-f-]{36}$`);

const RSA_SIGNING = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];
const RSA_ENCRYPTION = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

interface SpecCase {
  readonly name: string;
  readonly input: CreateKeyCommandInput;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsageType;
  readonly signingAlgorithms?: readonly string[];
  readonly encryptionAlgorithms?: readonly string[];
  /** What node:crypto reads from the public key; absent for symmetric keys. */
  readonly publicKey?: { readonly type: string; readonly namedCurve?: string; readonly modulusLength?: number };
}

const SPEC_CASES: readonly SpecCase[] = [
  {
    name: 'ECC_NIST_P256',
    input: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
    keySpec: 'ECC_NIST_P256',
    keyUsage: 'SIGN_VERIFY',
    signingAlgorithms: ['ECDSA_SHA_256'],
    publicKey: { type: 'ec', namedCurve: 'prime256v1' },
  },
  {
    name: 'ECC_NIST_P384',
    input: { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' },
    keySpec: 'ECC_NIST_P384',
    keyUsage: 'SIGN_VERIFY',
    signingAlgorithms: ['ECDSA_SHA_384'],
    publicKey: { type: 'ec', namedCurve: 'secp384r1' },
  },
  {
    name: 'ECC_NIST_P521',
    input: { KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' },
    keySpec: 'ECC_NIST_P521',
    keyUsage: 'SIGN_VERIFY',
    signingAlgorithms: ['ECDSA_SHA_512'],
    publicKey: { type: 'ec', namedCurve: 'secp521r1' },
  },
  {
    name: 'ECC_SECG_P256K1',
    input: { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' },
    keySpec: 'ECC_SECG_P256K1',
    keyUsage: 'SIGN_VERIFY',
    signingAlgorithms: ['ECDSA_SHA_256'],
    publicKey: { type: 'ec', namedCurve: 'secp256k1' },
  },
  {
    name: 'ECC_NIST_EDWARDS25519',
    input: { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' },
    keySpec: 'ECC_NIST_EDWARDS25519',
    keyUsage: 'SIGN_VERIFY',
    signingAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'],
    publicKey: { type: 'ed25519' },
  },
  {
    name: 'RSA_2048 for SIGN_VERIFY',
    input: { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' },
    keySpec: 'RSA_2048',
    keyUsage: 'SIGN_VERIFY',
    signingAlgorithms: RSA_SIGNING,
    publicKey: { type: 'rsa', modulusLength: 2048 },
  },
  {
    name: 'RSA_3072 for SIGN_VERIFY',
    input: { KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' },
    keySpec: 'RSA_3072',
    keyUsage: 'SIGN_VERIFY',
    signingAlgorithms: RSA_SIGNING,
    publicKey: { type: 'rsa', modulusLength: 3072 },
  },
  {
    name: 'RSA_4096 for SIGN_VERIFY',
    input: { KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' },
    keySpec: 'RSA_4096',
    keyUsage: 'SIGN_VERIFY',
    signingAlgorithms: RSA_SIGNING,
    publicKey: { type: 'rsa', modulusLength: 4096 },
  },
  {
    name: 'RSA_2048 for ENCRYPT_DECRYPT',
    input: { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
    keySpec: 'RSA_2048',
    keyUsage: 'ENCRYPT_DECRYPT',
    encryptionAlgorithms: RSA_ENCRYPTION,
    publicKey: { type: 'rsa', modulusLength: 2048 },
  },
  {
    name: 'SYMMETRIC_DEFAULT (no KeySpec, no KeyUsage)',
    input: {},
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
  },
];

const ASYMMETRIC_CASES = SPEC_CASES.filter((spec) => spec.publicKey !== undefined);

describe('CreateKey, DescribeKey and GetPublicKey', () => {
  const env = useKmsLocal();

  describe('for every key spec kms-local implements', () => {
    const created = new Map<string, KeyMetadata>();

    beforeAll(async () => {
      const { client } = env();
      const results = await Promise.all(
        SPEC_CASES.map(async (spec) => {
          const { KeyMetadata } = await client.send(new CreateKeyCommand({ ...spec.input, Description: `key for ${spec.name}` }));
          return [spec.name, KeyMetadata] as const;
        }),
      );
      for (const [name, metadata] of results) {
        if (metadata === undefined) throw new Error(`CreateKey for ${name} returned no KeyMetadata`);
        created.set(name, metadata);
      }
    });

    function metadataOf(spec: SpecCase): KeyMetadata {
      const metadata = created.get(spec.name);
      if (metadata === undefined) throw new Error(`no key was created for ${spec.name}`);
      return metadata;
    }

    it.each(SPEC_CASES)('creates a $name key whose metadata lists its spec, usage and algorithms', (spec) => {
      const metadata = metadataOf(spec);
      expect(metadata.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(metadata.Arn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${metadata.KeyId}`);
      expect(metadata.AWSAccountId).toBe(ACCOUNT);
      expect(metadata.KeySpec).toBe(spec.keySpec);
      expect(metadata.CustomerMasterKeySpec).toBe(spec.keySpec);
      expect(metadata.KeyUsage).toBe(spec.keyUsage);
      expect(metadata.SigningAlgorithms).toEqual(spec.signingAlgorithms);
      expect(metadata.EncryptionAlgorithms).toEqual(spec.encryptionAlgorithms);
      expect(metadata.KeyState).toBe('Enabled');
      expect(metadata.Enabled).toBe(true);
      expect(metadata.Origin).toBe('AWS_KMS');
      expect(metadata.KeyManager).toBe('CUSTOMER');
      expect(metadata.MultiRegion).toBe(false);
      expect(metadata.Description).toBe(`key for ${spec.name}`);
      expect(metadata.DeletionDate).toBeUndefined();
      expect(metadata.CreationDate).toBeInstanceOf(Date);
      expect(Math.abs((metadata.CreationDate?.getTime() ?? 0) - Date.now())).toBeLessThan(120_000);
    });

    it.each(ASYMMETRIC_CASES)('GetPublicKey returns the $name public key with the key ARN, spec, usage and algorithms', async (spec) => {
      const { client } = env();
      const metadata = metadataOf(spec);
      const answer = await client.send(new GetPublicKeyCommand({ KeyId: metadata.KeyId }));
      expect(answer.KeyId).toBe(metadata.Arn);
      expect(answer.KeySpec).toBe(spec.keySpec);
      expect(answer.CustomerMasterKeySpec).toBe(spec.keySpec);
      expect(answer.KeyUsage).toBe(spec.keyUsage);
      expect(answer.SigningAlgorithms).toEqual(spec.signingAlgorithms);
      expect(answer.EncryptionAlgorithms).toEqual(spec.encryptionAlgorithms);
      const publicKey = createPublicKey({ key: Buffer.from(answer.PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' });
      expect(publicKey.asymmetricKeyType).toBe(spec.publicKey?.type);
      if (spec.publicKey?.namedCurve !== undefined) expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe(spec.publicKey.namedCurve);
      if (spec.publicKey?.modulusLength !== undefined) expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(spec.publicKey.modulusLength);
    });

    it.each(SPEC_CASES)('DescribeKey returns the same metadata for the $name key as CreateKey did', async (spec) => {
      const { client } = env();
      const metadata = metadataOf(spec);
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: metadata.Arn }));
      expect(KeyMetadata).toEqual(metadata);
    });

    it('rejects GetPublicKey on a SYMMETRIC_DEFAULT key with UnsupportedOperationException', async () => {
      const { client } = env();
      const symmetric = SPEC_CASES.find((spec) => spec.keySpec === 'SYMMETRIC_DEFAULT');
      if (symmetric === undefined) throw new Error('the table has no SYMMETRIC_DEFAULT case');
      const metadata = metadataOf(symmetric);
      await expectKmsError(client.send(new GetPublicKeyCommand({ KeyId: metadata.KeyId })), 'UnsupportedOperationException', {
        type: UnsupportedOperationException,
        message: 'symmetric',
      });
    });
  });

  it('gives a SYMMETRIC_DEFAULT key a CurrentKeyMaterialId (64 hex digits) and asymmetric and HMAC keys none', async () => {
    const { client } = env();
    const [symmetric, other, asymmetric, hmac] = await Promise.all(
      [{}, {}, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }].map(
        async (input) => (await client.send(new CreateKeyCommand(input as CreateKeyCommandInput))).KeyMetadata,
      ),
    );
    expect(symmetric?.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(other?.CurrentKeyMaterialId).not.toBe(symmetric?.CurrentKeyMaterialId);
    expect((await client.send(new DescribeKeyCommand({ KeyId: symmetric?.KeyId }))).KeyMetadata?.CurrentKeyMaterialId).toBe(symmetric?.CurrentKeyMaterialId);
    expect(asymmetric?.CurrentKeyMaterialId).toBeUndefined();
    expect(hmac?.CurrentKeyMaterialId).toBeUndefined();
  });

  it('creates a key from the deprecated CustomerMasterKeySpec member', async () => {
    const { client } = env();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ CustomerMasterKeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    expect(KeyMetadata?.KeySpec).toBe('ECC_NIST_P256');
    expect(KeyMetadata?.SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
  });

  it('creates a key with an empty description when none is given', async () => {
    const { client } = env();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    expect(KeyMetadata?.Description).toBe('');
  });

  describe('rejects key spec and key usage combinations KMS does not allow', () => {
    const INVALID: ReadonlyArray<{ readonly why: string; readonly input: CreateKeyCommandInput; readonly message: string }> = [
      { why: 'an ECC key for ENCRYPT_DECRYPT', input: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }, message: 'ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256' },
      { why: 'an ECC key without KeyUsage', input: { KeySpec: 'ECC_NIST_P384' }, message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.' },
      { why: 'a SYMMETRIC_DEFAULT key for SIGN_VERIFY', input: { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'SIGN_VERIFY' }, message: 'SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT' },
      { why: 'an Ed25519 key for ENCRYPT_DECRYPT', input: { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'ENCRYPT_DECRYPT' }, message: 'KeySpec ECC_NIST_EDWARDS25519' },
      { why: 'a secp256k1 key for KEY_AGREEMENT', input: { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'KEY_AGREEMENT' }, message: 'KEY_AGREEMENT is not compatible with KeySpec ECC_SECG_P256K1' },
      { why: 'an RSA key for GENERATE_VERIFY_MAC', input: { KeySpec: 'RSA_2048', KeyUsage: 'GENERATE_VERIFY_MAC' }, message: 'GENERATE_VERIFY_MAC is not compatible with KeySpec RSA_2048' },
      { why: 'an unknown KeyUsage', input: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_ONLY' as KeyUsageType }, message: "Value 'SIGN_ONLY' at 'keyUsage'" },
      { why: 'an unknown KeySpec', input: { KeySpec: 'RSA_1024' as KeySpec, KeyUsage: 'SIGN_VERIFY' }, message: "Value 'RSA_1024' at 'keySpec'" },
      { why: 'an unknown Origin', input: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'ELSEWHERE' as OriginType }, message: "Value 'ELSEWHERE' at 'origin'" },
    ];

    it.each(INVALID)('rejects $why with ValidationException', async ({ input, message }) => {
      const { client } = env();
      await expectKmsError(client.send(new CreateKeyCommand(input)), 'ValidationException', { message });
    });
  });

  describe('rejects what KMS offers but kms-local does not implement', () => {
    const UNIMPLEMENTED: ReadonlyArray<{ readonly what: string; readonly input: CreateKeyCommandInput; readonly message: string }> = [
      { what: 'SM2 keys', input: { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }, message: 'SM2' },
      { what: 'ML-DSA keys', input: { KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' }, message: 'ML_DSA_65' },
      { what: 'ML-KEM keys', input: { KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }, message: 'ML_KEM_768' },
      { what: 'KEY_AGREEMENT keys', input: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }, message: 'KEY_AGREEMENT' },
      { what: 'imported key material (Origin EXTERNAL)', input: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }, message: 'EXTERNAL' },
    ];

    it.each(UNIMPLEMENTED)('rejects $what with UnsupportedOperationException', async ({ input, message }) => {
      const { client } = env();
      await expectKmsError(client.send(new CreateKeyCommand(input)), 'UnsupportedOperationException', { type: UnsupportedOperationException, message });
    });
  });

  describe('DescribeKey and GetPublicKey identify a key four ways', () => {
    let keyId = '';
    let keyArn = '';
    const aliasName = 'alias/keys-test/identifiers';
    const aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT}:${aliasName}`;

    beforeAll(async () => {
      const { client } = env();
      const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
      keyId = KeyMetadata?.KeyId ?? '';
      keyArn = KeyMetadata?.Arn ?? '';
      await client.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
    });

    const identifiers: ReadonlyArray<{ readonly form: string; readonly identifier: () => string }> = [
      { form: 'key id', identifier: () => keyId },
      { form: 'key ARN', identifier: () => keyArn },
      { form: 'alias name', identifier: () => aliasName },
      { form: 'alias ARN', identifier: () => aliasArn },
    ];

    it.each(identifiers)('DescribeKey finds the key by its $form', async ({ identifier }) => {
      const { client } = env();
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: identifier() }));
      expect(KeyMetadata?.KeyId).toBe(keyId);
      expect(KeyMetadata?.Arn).toBe(keyArn);
    });

    it.each(identifiers)('GetPublicKey finds the key by its $form and answers with the key ARN', async ({ identifier }) => {
      const { client } = env();
      const answer = await client.send(new GetPublicKeyCommand({ KeyId: identifier() }));
      expect(answer.KeyId).toBe(keyArn);
      expect(answer.KeySpec).toBe('ECC_NIST_P256');
    });

    const missing: ReadonlyArray<{ readonly what: string; readonly identifier: string; readonly message: string }> = [
      { what: 'an unknown key id', identifier: '00000000-0000-4000-8000-000000000000', message: `key/00000000-0000-4000-8000-000000000000' does not exist` },
      { what: 'an unknown key ARN', identifier: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`, message: 'does not exist' },
      { what: 'a key ARN of another account', identifier: `arn:aws:kms:${REGION}:444455556666:key/00000000-0000-4000-8000-000000000000`, message: '444455556666' },
      { what: 'a key ARN of another region', identifier: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`, message: 'eu-west-1' },
      { what: 'an unknown alias name', identifier: 'alias/keys-test/nobody', message: 'alias/keys-test/nobody is not found' },
      { what: 'an unknown alias ARN', identifier: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/keys-test/nobody`, message: 'is not found' },
      { what: 'a malformed ARN', identifier: 'arn:aws:s3:::bucket', message: 'Invalid arn' },
    ];

    it.each(missing)('rejects DescribeKey for $what with NotFoundException', async ({ identifier, message }) => {
      const { client } = env();
      await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: identifier })), 'NotFoundException', { type: NotFoundException, message });
    });

    it('rejects GetPublicKey for an unknown key with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new GetPublicKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })), 'NotFoundException', {
        type: NotFoundException,
        message: 'does not exist',
      });
    });

    it('rejects DescribeKey with an empty KeyId with ValidationException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: '' })), 'ValidationException', { message: "'keyId'" });
    });
  });
});

describe('ListKeys', () => {
  const env = useKmsLocal();
  const createdIds: string[] = [];

  beforeAll(async () => {
    const { client } = env();
    for (let index = 0; index < 5; index += 1) {
      const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
      createdIds.push(KeyMetadata?.KeyId ?? '');
    }
  });

  it('lists every key with its id and ARN in one page by default', async () => {
    const { client } = env();
    const page = await client.send(new ListKeysCommand({}));
    expect(page.Truncated).toBe(false);
    expect(page.NextMarker).toBeUndefined();
    expect(page.Keys?.map((key) => key.KeyId)).toEqual(createdIds);
    for (const key of page.Keys ?? []) expect(key.KeyArn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${key.KeyId}`);
  });

  it('pages through the keys with Limit and Marker until Truncated is false', async () => {
    const { client } = env();
    const first = await client.send(new ListKeysCommand({ Limit: 2 }));
    expect(first.Keys?.map((key) => key.KeyId)).toEqual(createdIds.slice(0, 2));
    expect(first.Truncated).toBe(true);
    expect(first.NextMarker).toEqual(expect.any(String));

    const second = await client.send(new ListKeysCommand({ Limit: 2, Marker: first.NextMarker }));
    expect(second.Keys?.map((key) => key.KeyId)).toEqual(createdIds.slice(2, 4));
    expect(second.Truncated).toBe(true);

    const third = await client.send(new ListKeysCommand({ Limit: 2, Marker: second.NextMarker }));
    expect(third.Keys?.map((key) => key.KeyId)).toEqual(createdIds.slice(4));
    expect(third.Truncated).toBe(false);
    expect(third.NextMarker).toBeUndefined();
  });

  it('answers Truncated false when Limit is exactly the number of keys', async () => {
    const { client } = env();
    const page = await client.send(new ListKeysCommand({ Limit: createdIds.length }));
    expect(page.Keys).toHaveLength(createdIds.length);
    expect(page.Truncated).toBe(false);
    expect(page.NextMarker).toBeUndefined();
  });

  it('rejects a Marker it did not issue with InvalidMarkerException', async () => {
    const { client } = env();
    await expectKmsError(client.send(new ListKeysCommand({ Marker: 'not-a-marker-kms-local-issued' })), 'InvalidMarkerException', {
      type: InvalidMarkerException,
      message: 'marker',
    });
  });

  it.each([0, 1001])('rejects Limit %i, outside 1..1000, with ValidationException', async (limit) => {
    const { client } = env();
    await expectKmsError(client.send(new ListKeysCommand({ Limit: limit })), 'ValidationException', { message: 'between 1 and 1000' });
  });
});
