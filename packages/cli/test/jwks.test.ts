import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { KmsLocal } from 'kms-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir, startKms, unreachableEndpoint } from './support.js';

describe.concurrent('kms-jwt jwks', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  let kms: KmsLocal;
  let kmsArgs: readonly string[] = [];
  let client: KMSClient;
  let ecArn = '';
  let rsaArn = '';

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
    ({ kms, kmsArgs } = await startKms());
    client = new KMSClient(kms.clientConfig);
    ecArn = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
    rsaArn = (await client.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
    await client.send(new CreateAliasCommand({ AliasName: 'alias/jwks-ec', TargetKeyId: ecArn }));
  }, 180_000);

  afterAll(async () => {
    client.destroy();
    await kms.close();
    await remove();
  });

  it('prints a JWKS of public keys named by their ARNs to stdout, with progress on stderr', async () => {
    const result = await runKmsJwt(['jwks', '--alias', 'jwks-ec', '--key', rsaArn, ...kmsArgs], dir);
    expect(result.code, result.stderr).toBe(0);
    const jwks = JSON.parse(result.stdout) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kty: 'EC', crv: 'P-256', kid: ecArn, use: 'sig', alg: 'ES256' }),
        expect.objectContaining({ kty: 'RSA', kid: rsaArn, use: 'sig' }),
      ]),
    );
    for (const key of jwks.keys) for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(privatePart);
    expect(result.stderr).toBe(`fetching the public keys of ${rsaArn}, alias/jwks-ec from ${kms.endpoint}...\n`);
  });

  it('writes one key as an SPKI PEM with --format pem and names its kid on stderr', async () => {
    const file = join(dir, 'ec.pem');
    const result = await runKmsJwt(['jwks', '--alias', 'alias/jwks-ec', '--format', 'pem', '--out', file, ...kmsArgs], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const pem = await readFile(file, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    expect(result.stderr).toContain(`kid (bind it with kms-jwt verify --pem <file> --kid <kid>): ${ecArn}\n`);
    expect(result.stderr).toContain(`wrote the PEM of 1 key to ${file}: ${ecArn}\n`);
  });

  it('exits 2 for --format pem with more than one key, writing nothing', async () => {
    const result = await runKmsJwt(['jwks', '--alias', 'alias/jwks-ec', '--key', rsaArn, '--format', 'pem', ...kmsArgs], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format pem writes exactly one key, and these flags name 2: give one --key or --alias, or use --format jwks');
    expect(result.stdout).toBe('');
  });

  it('writes a provider snapshot with the alias target and the key with --format snapshot', async () => {
    const result = await runKmsJwt(['jwks', '--alias', 'alias/jwks-ec', '--format', 'snapshot', ...kmsArgs], dir);
    expect(result.code, result.stderr).toBe(0);
    const snapshot = JSON.parse(result.stdout) as { version: number; keys: { keyArn: string; keySpec: string }[]; aliases: { alias: string; keyArn: string }[] };
    expect(snapshot.version).toBe(1);
    expect(snapshot.keys).toEqual([expect.objectContaining({ keyArn: ecArn, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'] })]);
    expect(snapshot.aliases).toEqual([{ alias: 'alias/jwks-ec', keyArn: ecArn, retired: [] }]);
  });

  it('exits 1 naming the key when KMS does not have it', async () => {
    const result = await runKmsJwt(['jwks', '--alias', 'alias/jwks-missing', ...kmsArgs], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^kms-jwt jwks: cannot export the keys: .*alias\/jwks-missing/m);
    expect(result.stdout).toBe('');
  });

  it('exits 3 when the endpoint is unreachable', async () => {
    const endpoint = await unreachableEndpoint();
    const result = await runKmsJwt(['jwks', '--alias', 'alias/jwks-ec', '--endpoint', endpoint, '--region', 'us-east-1'], dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`kms-jwt jwks: cannot fetch the public keys: KMS is unavailable at ${endpoint}: `);
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });

  it('exits 2 when --out cannot be written', async () => {
    const result = await runKmsJwt(['jwks', '--alias', 'alias/jwks-ec', '--out', join(dir, 'no-such-dir', 'jwks.json'), ...kmsArgs], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kms-jwt jwks: --out: cannot write .*jwks\.json: ENOENT$/m);
  });
});
