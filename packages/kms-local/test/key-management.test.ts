import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  MalformedPolicyDocumentException,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  UnsupportedOperationException,
  UpdateKeyDescriptionCommand,
  type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { expectKmsError } from './expect-kms-error.js';
import { useKmsLocal } from './support.js';

/*
 * Checked against: the KMS API reference and the SDK's model docs (GetKeyPolicy, PutKeyPolicy,
 * GetKeyRotationStatus, UpdateKeyDescription), the default key policy of the KMS Developer Guide (its
 * GetKeyPolicy example in the SDK), and localstack's AWS-recorded snapshot of ReplicateKey's ReplicaPolicy.
 */

const ACCOUNT = '111122223333';

function defaultPolicy(partition: string): unknown {
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    ],
  };
}

const CUSTOM_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Id: 'custom',
  Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
});

describe('key policies: GetKeyPolicy and PutKeyPolicy', () => {
  const env = useKmsLocal();

  async function createKey(input: CreateKeyCommandInput = { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }): Promise<string> {
    const { KeyMetadata } = await env().client.send(new CreateKeyCommand(input));
    return KeyMetadata?.Arn ?? '';
  }

  it('gives a new key the default key policy, named default', async () => {
    const arn = await createKey();
    const answer = await env().client.send(new GetKeyPolicyCommand({ KeyId: arn }));
    expect(answer.PolicyName).toBe('default');
    expect(JSON.parse(answer.Policy ?? '')).toEqual(defaultPolicy('aws'));
  });

  it('stores the Policy given to CreateKey and returns it as given', async () => {
    const arn = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy: CUSTOM_POLICY });
    expect((await env().client.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }))).Policy).toBe(CUSTOM_POLICY);
  });

  it('replaces the key policy with PutKeyPolicy', async () => {
    const { client } = env();
    const arn = await createKey();
    await client.send(new PutKeyPolicyCommand({ KeyId: arn, Policy: CUSTOM_POLICY }));
    expect((await client.send(new GetKeyPolicyCommand({ KeyId: arn }))).Policy).toBe(CUSTOM_POLICY);
  });

  it.each([
    ['text that is not JSON', '{"Version": "2012-10-17", "Statement": ['],
    ['a JSON list', '[]'],
    ['an object without a Statement', '{"Version": "2012-10-17"}'],
    ['a character outside the allowed set', CUSTOM_POLICY.replace('custom', 'custom\u2603')],
  ])('rejects %s in PutKeyPolicy and CreateKey with MalformedPolicyDocumentException and keeps the old policy', async (_what, policy) => {
    const { client } = env();
    const arn = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy: CUSTOM_POLICY });
    await expectKmsError(client.send(new PutKeyPolicyCommand({ KeyId: arn, Policy: policy })), 'MalformedPolicyDocumentException', {
      type: MalformedPolicyDocumentException,
    });
    expect((await client.send(new GetKeyPolicyCommand({ KeyId: arn }))).Policy).toBe(CUSTOM_POLICY);
    await expectKmsError(client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy: policy })), 'MalformedPolicyDocumentException');
  });

  it('accepts a policy of exactly 131,072 characters and rejects one longer with ValidationException', async () => {
    const { client } = env();
    const arn = await createKey();
    const padded = (length: number) => {
      const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*', Sid: '' }] });
      return base.replace('"Sid":""', `"Sid":"${'a'.repeat(length - base.length)}"`);
    };
    expect(padded(131_072)).toHaveLength(131_072);
    await client.send(new PutKeyPolicyCommand({ KeyId: arn, Policy: padded(131_072) }));
    expect((await client.send(new GetKeyPolicyCommand({ KeyId: arn }))).Policy).toHaveLength(131_072);
    await expectKmsError(client.send(new PutKeyPolicyCommand({ KeyId: arn, Policy: padded(131_073) })), 'ValidationException', {
      message: 'less than or equal to 131072',
    });
  });

  it('rejects a PolicyName other than default with ValidationException', async () => {
    const arn = await createKey();
    await expectKmsError(env().client.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'other' })), 'ValidationException', { message: 'default' });
  });

  it('uses the partition of the key\'s Region in the default policy\'s principal', async () => {
    const { kms } = env();
    const clients = ['cn-north-1', 'us-gov-west-1'].map((region) => new KMSClient({ ...kms.clientConfig, region }));
    try {
      const [china, govCloud] = clients;
      const chinaKey = (await china?.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))?.KeyMetadata?.Arn;
      const govKey = (await govCloud?.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))?.KeyMetadata?.Arn;
      expect(JSON.parse((await china?.send(new GetKeyPolicyCommand({ KeyId: chinaKey })))?.Policy ?? '')).toEqual(defaultPolicy('aws-cn'));
      expect(JSON.parse((await govCloud?.send(new GetKeyPolicyCommand({ KeyId: govKey })))?.Policy ?? '')).toEqual(defaultPolicy('aws-us-gov'));
    } finally {
      for (const client of clients) client.destroy();
    }
  });
});

describe('GetKeyRotationStatus', () => {
  const env = useKmsLocal();

  it('answers false for a new symmetric encryption key (automatic rotation is off by default)', async () => {
    const { client } = env();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
    const answer = await client.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata?.KeyId }));
    expect(answer.KeyRotationEnabled).toBe(false);
    expect(answer.KeyId).toBe(KeyMetadata?.Arn);
  });

  it.each([
    ['an asymmetric key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }],
    ['an RSA encryption key', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }],
    ['an HMAC key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }],
  ] as const)('rejects %s with UnsupportedOperationException (rotation is for symmetric encryption keys)', async (_what, input) => {
    const { client } = env();
    const { KeyMetadata } = await client.send(new CreateKeyCommand(input));
    await expectKmsError(client.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata?.Arn })), 'UnsupportedOperationException', {
      type: UnsupportedOperationException,
      message: 'symmetric encryption keys only',
    });
  });
});

describe('UpdateKeyDescription', () => {
  const env = useKmsLocal();

  it('replaces the description DescribeKey shows, and takes an empty one', async () => {
    const { client } = env();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'before' }));
    await client.send(new UpdateKeyDescriptionCommand({ KeyId: KeyMetadata?.Arn, Description: 'after' }));
    expect((await client.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }))).KeyMetadata?.Description).toBe('after');
    await client.send(new UpdateKeyDescriptionCommand({ KeyId: KeyMetadata?.Arn, Description: '' }));
    expect((await client.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }))).KeyMetadata?.Description).toBe('');
  });

  it('rejects a description longer than 8192 characters with ValidationException', async () => {
    const { client } = env();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    await expectKmsError(client.send(new UpdateKeyDescriptionCommand({ KeyId: KeyMetadata?.Arn, Description: 'd'.repeat(8193) })), 'ValidationException', {
      message: 'less than or equal to 8192',
    });
  });

  it('rejects a key pending deletion with KMSInvalidStateException', async () => {
    const { client } = env();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata?.Arn, PendingWindowInDays: 7 }));
    await expectKmsError(client.send(new UpdateKeyDescriptionCommand({ KeyId: KeyMetadata?.Arn, Description: 'late' })), 'KMSInvalidStateException');
  });
});
