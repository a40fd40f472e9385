import { createPublicKey } from 'node:crypto';
import { CreateAliasCommand, CreateKeyCommand, GetPublicKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { createStaticKeyResolver, createVerifier } from 'kms-jwt-verifier';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKmsJwtSigner } from '../src/index.js';
import { decodeToken, useKmsLocal } from './support.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';
/** The replica's Region: kms-local serves each request in the Region of its SigV4 scope (the client's region). */
const REGION_B = 'eu-west-1';

const env = useKmsLocal();
let clientB: KMSClient;
let primary = '';
let replica = '';

beforeAll(async () => {
  const { kms, client } = env();
  clientB = new KMSClient({ ...kms.clientConfig, region: REGION_B, maxAttempts: 1 });
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }));
  primary = KeyMetadata?.Arn as string;
  const { ReplicaKeyMetadata } = await client.send(new ReplicateKeyCommand({ KeyId: primary, ReplicaRegion: REGION_B }));
  replica = ReplicaKeyMetadata?.Arn as string;
  await clientB.send(new CreateAliasCommand({ AliasName: 'alias/issuer-b', TargetKeyId: replica }));
  return () => clientB.destroy();
});

describe('signing through a multi-Region replica', () => {
  it('puts the replica ARN in kid when a client in Region B signs with the replica ARN or an alias of Region B, and the signature verifies with the primary key public key', async () => {
    const { kms, client } = env();
    expect(replica).toBe(primary.replace(`:${kms.region}:`, `:${REGION_B}:`));
    const signers = {
      primary: createKmsJwtSigner({ client, keyId: primary, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE }),
      replicaArn: createKmsJwtSigner({ client: clientB, keyId: replica, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE }),
      aliasInB: createKmsJwtSigner({ client: clientB, keyId: 'alias/issuer-b', expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE }),
    };
    const tokens = {
      primary: await signers.primary.sign({ sub: 'user-42' }),
      replicaArn: await signers.replicaArn.sign({ sub: 'user-42' }),
      aliasInB: await signers.aliasInB.sign({ sub: 'user-42' }),
    };
    expect(decodeToken(tokens.primary).header['kid']).toBe(primary);
    expect(decodeToken(tokens.replicaArn).header['kid']).toBe(replica);
    expect(decodeToken(tokens.aliasInB).header['kid']).toBe(replica);
    expect((await signers.aliasInB.hydrate()).keyArn).toBe(replica);

    // One key material: the primary's public key verifies the replica's signatures, each under its own kid.
    const der = (await client.send(new GetPublicKeyCommand({ KeyId: primary }))).PublicKey as Uint8Array;
    const publicKey = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    const verifier = createVerifier({
      keys: createStaticKeyResolver([
        { kid: primary, key: publicKey },
        { kid: replica, key: publicKey },
      ]),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    expect((await verifier.verify(tokens.primary)).key).toBe(primary);
    expect((await verifier.verify(tokens.replicaArn)).key).toBe(replica);
    expect((await verifier.verify(tokens.aliasInB)).key).toBe(replica);
  });
});
