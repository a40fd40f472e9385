import { CreateKeyCommand, DescribeKeyCommand, type KeyMetadata, type KeySpec, type KMSClient } from '@aws-sdk/client-kms';
import { ALGORITHMS_BY_KEY_SPEC, type KmsSigningKeySpec } from 'kms-jwt-verifier';
import { exceptionName, kmsCallFailed } from '../../lib/kms-errors.js';

/** The key specs kms-jwt signs and verifies with. */
export const SIGNING_KEY_SPECS = Object.keys(ALGORITHMS_BY_KEY_SPEC) as KmsSigningKeySpec[];

export function isSigningKeySpec(value: string): value is KmsSigningKeySpec {
  return (SIGNING_KEY_SPECS as string[]).includes(value);
}

/** DescribeKey of a key or alias; `undefined` when KMS has no such key or alias. */
export async function describeKey(client: KMSClient, keyId: string, where: string): Promise<KeyMetadata | undefined> {
  try {
    return (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (error) {
    if (exceptionName(error) === 'NotFoundException') return undefined;
    throw kmsCallFailed(error, `look up ${keyId}`, where);
  }
}

/** CreateKey of an asymmetric SIGN_VERIFY key; resolves to its metadata. */
export async function createSigningKey(client: KMSClient, keySpec: string, description: string, where: string): Promise<KeyMetadata & { Arn: string; KeyId: string }> {
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await client.send(new CreateKeyCommand({ KeySpec: keySpec as KeySpec, KeyUsage: 'SIGN_VERIFY', Description: description }))).KeyMetadata;
  } catch (error) {
    throw kmsCallFailed(error, `create a ${keySpec} key`, where);
  }
  const { Arn, KeyId } = metadata ?? {};
  if (Arn === undefined || KeyId === undefined) throw kmsCallFailed(new Error('CreateKey answered without the key ARN'), `create a ${keySpec} key`, where);
  return { ...metadata, Arn, KeyId };
}
