import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { expectKmsError } from './expect-kms-error.js';
import { useKmsLocal } from './support.js';

/*
 * One kms-local serves every Region: a request goes to the Region of its SigV4 credential scope (the
 * client's region), and ARNs carry the partition of their Region (the ARN format of the AWS General
 * Reference: aws-cn for the China Regions, aws-us-gov for AWS GovCloud (US)).
 */

const ACCOUNT = '111122223333';

describe('Regions and partitions', () => {
  const env = useKmsLocal();
  const clients = new Map<string, KMSClient>();
  afterAll(() => {
    for (const client of clients.values()) client.destroy();
  });

  function clientIn(region: string): KMSClient {
    let client = clients.get(region);
    if (client === undefined) {
      client = new KMSClient({ ...env().kms.clientConfig, region });
      clients.set(region, client);
    }
    return client;
  }

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['eu-west-1', 'aws'],
  ])('creates keys in %s with ARNs of the %s partition, alias ARNs too', async (region, partition) => {
    const client = clientIn(region);
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    expect(KeyMetadata?.Arn).toBe(`arn:${partition}:kms:${region}:${ACCOUNT}:key/${KeyMetadata?.KeyId}`);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/partition-test', TargetKeyId: KeyMetadata?.KeyId }));
    const { Aliases } = await client.send(new ListAliasesCommand({ KeyId: KeyMetadata?.KeyId }));
    expect(Aliases?.map((alias) => alias.AliasArn)).toEqual([`arn:${partition}:kms:${region}:${ACCOUNT}:alias/partition-test`]);
    const byArn = await client.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.Arn }));
    expect(byArn.KeyMetadata?.KeyId).toBe(KeyMetadata?.KeyId);
  });

  it('names the partition in NotFoundException for an unknown key id (as localstack\'s partition tests expect of AWS)', async () => {
    const client = clientIn('cn-north-1');
    const keyId = '00000000-0000-4000-8000-000000000000';
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: keyId })), 'NotFoundException', {
      message: `Key 'arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/${keyId}' does not exist`,
    });
  });

  it('refuses a key ARN whose partition is not its Region\'s with NotFoundException', async () => {
    const client = clientIn('cn-north-1');
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const wrongPartition = (KeyMetadata?.Arn ?? '').replace('arn:aws-cn:', 'arn:aws:');
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: wrongPartition })), 'NotFoundException', { type: NotFoundException, message: 'does not exist' });
  });

  it('keeps each Region\'s keys and aliases apart: a key of one Region is not found from another', async () => {
    const east = clientIn('us-east-2');
    const west = clientIn('us-west-2');
    const { KeyMetadata } = await east.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    await east.send(new CreateAliasCommand({ AliasName: 'alias/only-east', TargetKeyId: KeyMetadata?.KeyId }));
    expect((await east.send(new ListKeysCommand({}))).Keys?.map((key) => key.KeyId)).toEqual([KeyMetadata?.KeyId]);
    expect((await west.send(new ListKeysCommand({}))).Keys).toEqual([]);
    await expectKmsError(west.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId })), 'NotFoundException', {
      message: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${KeyMetadata?.KeyId}' does not exist`,
    });
    await expectKmsError(west.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.Arn })), 'NotFoundException');
    await expectKmsError(west.send(new DescribeKeyCommand({ KeyId: 'alias/only-east' })), 'NotFoundException', { message: 'is not found' });
    // The same alias name is free in another Region.
    const { KeyMetadata: westKey } = await west.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    await west.send(new CreateAliasCommand({ AliasName: 'alias/only-east', TargetKeyId: westKey?.KeyId }));
  });

  it('answers an unsigned request in the default Region', async () => {
    const { kms, client } = env();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const response = await fetch(kms.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'TrentService.DescribeKey' },
      body: JSON.stringify({ KeyId: KeyMetadata?.KeyId }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { KeyMetadata?: { Arn?: string } }).KeyMetadata?.Arn).toBe(KeyMetadata?.Arn);
    expect(KeyMetadata?.Arn).toMatch(new RegExp(`^arn:aws:kms:${kms.region}:`));
  });

  it('refuses a request signed for something that is not a Region name with ValidationException', async () => {
    const { kms } = env();
    const response = await fetch(kms.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'TrentService.ListKeys',
        Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20300101/moon/kms/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ __type: 'ValidationException', message: expect.stringContaining('Region') });
  });
});
