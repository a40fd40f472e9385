import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useKmsLocal } from './support.js';

const CALLS = 1_000;

describe('concurrent signing through one SDK client', () => {
  const env = useKmsLocal();
  let client: KMSClient | undefined;

  beforeAll(() => {
    // The SDK's default agent (50 sockets) queues most of the calls, as intended here; on a loaded
    // machine the queue can outlast the SDK's socket-usage warning, so that warning is pushed out of reach.
    client = new KMSClient({ ...env().kms.clientConfig, requestHandler: { socketAcquisitionWarningTimeout: 120_000 } });
  });

  afterAll(() => {
    client?.destroy();
  });

  it(`answers ${CALLS} concurrent Sign calls, each with a signature that verifies against GetPublicKey's key`, async () => {
    const { kms } = env();
    if (!client) throw new Error('the client was not created');
    const created = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const keyArn = created.KeyMetadata?.Arn;
    if (keyArn === undefined) throw new Error('CreateKey returned no ARN');
    const published = await client.send(new GetPublicKeyCommand({ KeyId: keyArn }));
    if (published.PublicKey === undefined) throw new Error('GetPublicKey returned no public key');
    const publicKey = createPublicKey({ key: Buffer.from(published.PublicKey), format: 'der', type: 'spki' });
    kms.resetCallCounts();

    const signer = client;
    const messages = Array.from({ length: CALLS }, (_, i) => Buffer.from(`concurrent message ${i}`));
    const results = await Promise.allSettled(
      messages.map((message) => signer.send(new SignCommand({ KeyId: keyArn, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }))),
    );

    const fulfilled = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(fulfilled).toHaveLength(CALLS);
    // No call needed a retry, and the server saw each call exactly once.
    expect(fulfilled.filter((signed) => signed.$metadata.attempts === 1)).toHaveLength(CALLS);
    expect(kms.callCount('Sign')).toBe(CALLS);
    expect(kms.callCount()).toBe(CALLS);

    let verified = 0;
    let crossVerified = 0;
    for (const [i, signed] of fulfilled.entries()) {
      const message = messages[i];
      if (signed.Signature === undefined || message === undefined) continue;
      const signature = Buffer.from(signed.Signature);
      if (signed.KeyId === keyArn && nodeVerify('sha256', message, publicKey, signature)) verified++;
      // Each answer belongs to its own request: it does not verify against the next call's message.
      const other = messages[(i + 1) % CALLS];
      if (other !== undefined && nodeVerify('sha256', other, publicKey, signature)) crossVerified++;
    }
    expect(verified).toBe(CALLS);
    expect(crossVerified).toBe(0);
  });
});
