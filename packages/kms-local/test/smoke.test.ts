import { CreateKeyCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { kmsLocalEnvironment } from '../src/index.js';
import { useKmsLocal } from './support.js';

describe('kms-local through the real SDK', () => {
  const env = useKmsLocal();

  it('signs with a new P-256 key and verifies the signature', async () => {
    const { client } = env();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const message = Buffer.from('header.payload');
    const signed = await client.send(new SignCommand({ KeyId: KeyMetadata!.Arn, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(signed.KeyId).toBe(KeyMetadata!.Arn);
    const verified = await client.send(
      new VerifyCommand({ KeyId: KeyMetadata!.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256', Signature: signed.Signature }),
    );
    expect(verified.SignatureValid).toBe(true);
  });
});

describe('kmsLocalEnvironment', () => {
  it('gives the shell lines that point the SDK at a running kms-local', () => {
    expect(kmsLocalEnvironment({ endpoint: 'http://127.0.0.1:4599', region: 'eu-west-1' })).toEqual([
      'export AWS_ENDPOINT_URL_KMS=http://127.0.0.1:4599',
      'export AWS_REGION=eu-west-1',
      'export AWS_ACCESS_KEY_ID=kms-local AWS_SECRET_ACCESS_KEY=kms-local',
    ]);
  });
});
