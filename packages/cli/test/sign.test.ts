import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { KmsLocal } from 'kms-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir, startKms, tokenFrom, unreachableEndpoint } from './support.js';

describe.concurrent('kms-jwt sign', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  let kms: KmsLocal;
  let kmsArgs: readonly string[] = [];
  let client: KMSClient;
  let keyArn = '';
  let rsaArn = '';

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
    ({ kms, kmsArgs } = await startKms());
    client = new KMSClient(kms.clientConfig);
    keyArn = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
    rsaArn = (await client.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
  }, 180_000);

  afterAll(async () => {
    client.destroy();
    await kms.close();
    await remove();
  });

  it('builds the claims from flags: sub, iss, repeated aud, string and JSON claims, and the lifetime', async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await runKmsJwt(
      [
        'sign', '--key-id', keyArn, '--sub', 'user-42', '--iss', 'https://issuer.example', '--aud', 'orders-api', '--aud', 'billing-api',
        '--claim', 'scope=orders:read orders:write', '--claim', 'note=a=b', '--claim-json', 'admin=true', '--claim-json', 'roles=["reader"]',
        '--expires-in', '1h', '--not-before=-30s', ...kmsArgs,
      ],
      dir,
    );
    const { header, payload } = decode(tokenFrom(result));
    expect(result.stderr).toBe('');
    expect(header).toEqual({ alg: 'ES256', kid: keyArn, typ: 'JWT' });
    expect(payload).toMatchObject({
      sub: 'user-42',
      iss: 'https://issuer.example',
      aud: ['orders-api', 'billing-api'],
      scope: 'orders:read orders:write',
      note: 'a=b',
      admin: true,
      roles: ['reader'],
    });
    const iat = payload['iat'] as number;
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(payload['exp']).toBe(iat + 3600);
    expect(payload['nbf']).toBe(iat - 30);
    expect(payload['jti']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads claims as JSON from stdin, lets flags win over them, and keeps their exp', async () => {
    const exp = Math.floor(Date.now() / 1000) + 120;
    const result = await runKmsJwt(['sign', '--key-id', keyArn, '--claims', '-', '--sub', 'from-flag', ...kmsArgs], dir, {
      input: JSON.stringify({ sub: 'from-json', tenant: 'acme', exp, jti: 'fixed-id' }),
    });
    const { payload } = decode(tokenFrom(result));
    expect(payload).toMatchObject({ sub: 'from-flag', tenant: 'acme', exp, jti: 'fixed-id' });
  });

  it('reads claims from a JSON file', async () => {
    const file = join(dir, 'claims.json');
    await writeFile(file, JSON.stringify({ sub: 'file-user', aud: 'orders-api' }));
    const { payload } = decode(tokenFrom(await runKmsJwt(['sign', '--key-id', keyArn, '--claims', file, ...kmsArgs], dir)));
    expect(payload).toMatchObject({ sub: 'file-user', aud: 'orders-api' });
    expect((payload['exp'] as number) - (payload['iat'] as number)).toBe(900);
  });

  it('signs with an RSA key as RS256 by default and as PS256 with --alg', async () => {
    const rs = decode(tokenFrom(await runKmsJwt(['sign', '--key-id', rsaArn, ...kmsArgs], dir)));
    expect(rs.header['alg']).toBe('RS256');
    const ps = decode(tokenFrom(await runKmsJwt(['sign', '--key-id', rsaArn, '--alg', 'PS256', ...kmsArgs], dir)));
    expect(ps.header['alg']).toBe('PS256');
  });

  const farExp = JSON.stringify({ exp: 2_000_000_000 });
  it.each([
    ['a registered claim of the wrong type', ['--claim', 'exp=tomorrow'], '', 2, /^kms-jwt sign: .*exp.*\[ERR_CLAIMS_INVALID\]$/m],
    ['claims that are not a JSON object', ['--claims', '-'], '["not", "an", "object"]', 2, /^kms-jwt sign: --claims \(stdin\) must hold a JSON object of claims$/m],
    ['exp both in the claims and as --expires-in', ['--claims', '-', '--expires-in', '5m'], farExp, 2, /^kms-jwt sign: give exp either in --claims or as --expires-in, not both$/m],
    ['an algorithm the key does not make', ['--alg', 'ES384'], '', 1, /^kms-jwt sign: .*\[ERR_ALG_NOT_SUPPORTED_BY_KEY\]$/m],
  ])('refuses %s without printing a token', async (_what, flags, input, code, message) => {
    const result = await runKmsJwt(['sign', '--key-id', keyArn, ...flags, ...kmsArgs], dir, { input });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });

  it('exits 1 with ERR_KMS_KEY_NOT_FOUND for an alias KMS does not have', async () => {
    const result = await runKmsJwt(['sign', '--key-id', 'alias/does-not-exist', ...kmsArgs], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^kms-jwt sign: KMS DescribeKey for alias\/does-not-exist failed: no such key or alias .*\[ERR_KMS_KEY_NOT_FOUND\]\n$/);
    expect(result.stdout).toBe('');
  });

  it('exits 3 with ERR_KMS_UNAVAILABLE when the endpoint is unreachable', async () => {
    const endpoint = await unreachableEndpoint();
    const result = await runKmsJwt(['sign', '--key-id', 'alias/any', '--endpoint', endpoint, '--region', 'us-east-1'], dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^kms-jwt sign: KMS DescribeKey for alias\/any failed: KMS is unavailable or unreachable; retry later \(ECONNREFUSED.*\[ERR_KMS_UNAVAILABLE\] \(endpoint: http:\/\/127\.0\.0\.1:\d+\)\n$/);
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });

  it('exits 2 with a hint when no region is configured anywhere', async () => {
    const result = await runKmsJwt(['sign', '--key-id', keyArn, '--endpoint', kms.endpoint], dir, { env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kms-jwt sign: no AWS region: pass --region or set AWS_REGION/);
  });

  it('exits 1 with a hint for kms-local when no credentials are found', async () => {
    const result = await runKmsJwt(['sign', '--key-id', keyArn, ...kmsArgs], dir, { env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^kms-jwt sign: no AWS credentials found .*kms-local accepts any: export AWS_ACCESS_KEY_ID=kms-local AWS_SECRET_ACCESS_KEY=kms-local\n$/);
  });
});
