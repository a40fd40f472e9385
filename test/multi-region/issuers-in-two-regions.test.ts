import { CreateAliasCommand, CreateKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';
const REGION_B = 'eu-west-1';

let kms: KmsLocal;
let clientA: KMSClient;
let clientB: KMSClient;

beforeAll(async () => {
  kms = await startKmsLocal({ host: '127.0.0.1', port: 0, onError: () => undefined });
  // One kms-local, two Regions: each request is served in the Region of the client that signs it.
  clientA = new KMSClient(kms.clientConfig);
  clientB = new KMSClient({ ...kms.clientConfig, region: REGION_B });
});

afterAll(async () => {
  clientA?.destroy();
  clientB?.destroy();
  await kms?.close();
});

describe('a multi-Region key with an issuer in each Region', () => {
  it('verifies the tokens of both issuers with one provider configured with the primary ARN only, after one GetPublicKey', async () => {
    const { KeyMetadata } = await clientA.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }));
    const primary = KeyMetadata?.Arn as string;
    const { ReplicaKeyMetadata } = await clientA.send(new ReplicateKeyCommand({ KeyId: primary, ReplicaRegion: REGION_B }));
    const replica = ReplicaKeyMetadata?.Arn as string;
    await clientA.send(new CreateAliasCommand({ AliasName: 'alias/issuer', TargetKeyId: primary }));
    await clientB.send(new CreateAliasCommand({ AliasName: 'alias/issuer', TargetKeyId: replica }));
    const issuer = (client: KMSClient) => createKmsJwtSigner({ client, keyId: 'alias/issuer', expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE });
    const tokenA = await issuer(clientA).sign({ sub: 'user-a' });
    const tokenB = await issuer(clientB).sign({ sub: 'user-b' });
    kms.resetCallCounts();

    const provider = createKmsKeyProvider({ client: new KMSClient({ ...kms.clientConfig, maxAttempts: 1 }), keys: [primary] });
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE });
    const [a, b] = await Promise.all([verifier.verify(tokenA), verifier.verify(tokenB)]);
    expect([a.key, a.payload.sub]).toEqual([primary, 'user-a']);
    expect([b.key, b.payload.sub]).toEqual([replica, 'user-b']);
    expect(kms.callCount('GetPublicKey')).toBe(1);
    expect(kms.callCount()).toBe(1);
    provider.close();
  });
});
