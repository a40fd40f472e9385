// Run inside a scratch project that installed the packed kms-jwt packages and the newest
// @aws-sdk/client-kms: signs through the SDK with kms-jwt-signer, verifies through
// kms-pubkey-provider + kms-jwt-verifier, and through the kms-jwt CLI; prints what it saw as JSON.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { createVerifier } from 'kms-jwt-verifier';
import { startKmsLocal } from 'kms-local';
import { createKmsKeyProvider } from 'kms-pubkey-provider';

const require = createRequire(import.meta.url);
const kms = await startKmsLocal();
const client = new KMSClient(kms.clientConfig);
const result = { node: process.version, sdk: require('@aws-sdk/client-kms/package.json').version };
try {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  await client.send(new CreateAliasCommand({ AliasName: 'alias/smoke', TargetKeyId: KeyMetadata.KeyId }));
  const signer = createKmsJwtSigner({ client, keyId: 'alias/smoke', expiresInSeconds: 300, issuer: 'https://issuer.example', audience: 'smoke' });
  const token = await signer.sign({ sub: 'user-1' });
  const provider = createKmsKeyProvider({ client, keys: ['alias/smoke'] });
  await provider.ready();
  const verifier = createVerifier({ keys: provider, issuer: 'https://issuer.example', audience: 'smoke' });
  const verified = await verifier.verify(token);
  result.keyArn = KeyMetadata.Arn;
  result.verifiedBy = verified.key;
  result.sub = verified.payload.sub;
  const [head, , signature] = token.split('.');
  const tampered = `${head}.${Buffer.from(JSON.stringify({ ...verified.payload, sub: 'admin' })).toString('base64url')}.${signature}`;
  result.tampered = await verifier.verify(tampered).then(() => 'accepted', (error) => error.code);
  provider.close();
  // The CLI resolves its own @aws-sdk/client-kms dependency (the newest too).
  // Asynchronously: kms-local answers from this process.
  const child = promisify(execFile)(process.execPath, [require.resolve('kms-jwt-cli/package.json').replace(/package\.json$/, 'bin/kms-jwt.js'), 'verify', '--key', KeyMetadata.Arn, '--issuer', 'https://issuer.example', '--audience', 'smoke', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, AWS_ENDPOINT_URL_KMS: kms.endpoint, AWS_REGION: kms.region, AWS_ACCESS_KEY_ID: 'kms-local', AWS_SECRET_ACCESS_KEY: 'kms-local' },
  });
  child.child.stdin.end(token);
  result.cli = JSON.parse((await child).stdout);
  result.cliSdk = createRequire(require.resolve('kms-jwt-cli'))('@aws-sdk/client-kms/package.json').version;
} finally {
  client.destroy();
  await kms.close();
}
console.log(JSON.stringify(result));
