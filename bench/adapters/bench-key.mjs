// The key of the adapters benchmarks (adapters.bench.mjs, instructions.mjs): one ES256 key in kms-local
// (so our adapters get it through KMS GetPublicKey and kms-pubkey-provider, as in production) and, as the
// same public key, in the peers' options; tokens signed as kms-jwt-signer makes them (kid = the key ARN,
// R‖S signature), here with the same private key.
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { generateKeyPairSync, sign } from 'node:crypto';
import { startKmsLocal } from 'kms-local';

const issuer = 'https://issuer.example';
const audience = 'orders-api';

/** Starts kms-local with the key; `config` is the servers' BENCH_CONFIG, `signToken(sub, jti)` a token of an hour. */
export async function startBenchKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kms = await startKmsLocal({
    seed: { keys: [{ keySpec: 'ECC_NIST_P256', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), aliases: ['alias/bench'] }] },
  });
  const client = new KMSClient(kms.clientConfig);
  const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/bench' }));
  client.destroy();
  const keyArn = KeyMetadata?.Arn;
  if (keyArn === undefined) throw new Error('kms-local did not describe the seeded key');
  const now = Math.floor(Date.now() / 1000);
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'ES256', typ: 'JWT', kid: keyArn });
  const signToken = (sub, jti) => {
    const input = `${header}.${encode({ iss: issuer, aud: audience, sub, scope: 'orders:read', iat: now, exp: now + 3600, jti })}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
  const config = JSON.stringify({ clientConfig: kms.clientConfig, keyArn, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), issuer, audience });
  return { kms, config, signToken };
}
