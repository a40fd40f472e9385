import { CreateKeyCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
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
