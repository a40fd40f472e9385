import { CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { KmsLocal } from 'kms-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir, startKms, tokenFrom, unreachableEndpoint } from './support.js';

const ARN = /^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/;

describe.concurrent('kms-jwt keys', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  let kms: KmsLocal;
  let kmsArgs: readonly string[] = [];
  let client: KMSClient;

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
    ({ kms, kmsArgs } = await startKms());
    client = new KMSClient(kms.clientConfig);
  }, 180_000);

  afterAll(async () => {
    client.destroy();
    await kms.close();
    await remove();
  });

  const describeKey = async (keyId: string) => (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;

  it('keys create makes an ECC_NIST_P256 SIGN_VERIFY key by default and prints only its ARN on stdout', async () => {
    const result = await runKmsJwt(['keys', 'create', ...kmsArgs], dir);
    expect(result.code, result.stderr).toBe(0);
    const arn = result.stdout.trim();
    expect(arn).toMatch(ARN);
    expect(result.stdout).toBe(`${arn}\n`);
    expect(result.stderr).toBe(`creating an ECC_NIST_P256 signing key in ${kms.endpoint}...\ncreated ${arn}\n`);
    expect(await describeKey(arn)).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', KeyState: 'Enabled', Description: 'kms-jwt signing key' });
  });

  it('keys create --spec --alias --description --json creates the alias too and prints the key as JSON', async () => {
    const result = await runKmsJwt(['keys', 'create', '--spec', 'ECC_NIST_P384', '--alias', 'created-p384', '--description', 'orders issuer', '--json', ...kmsArgs], dir);
    expect(result.code, result.stderr).toBe(0);
    const created = JSON.parse(result.stdout) as { keyArn: string; keyId: string; keySpec: string; alias: string };
    expect(created).toEqual({ keyArn: expect.stringMatching(ARN), keyId: expect.any(String), keySpec: 'ECC_NIST_P384', alias: 'alias/created-p384' });
    expect(created.keyArn.endsWith(`/${created.keyId}`)).toBe(true);
    expect(await describeKey('alias/created-p384')).toMatchObject({ Arn: created.keyArn, KeySpec: 'ECC_NIST_P384', Description: 'orders issuer' });
    const token = tokenFrom(await runKmsJwt(['sign', '--key-id', 'alias/created-p384', ...kmsArgs], dir));
    expect(decode(token).header).toMatchObject({ alg: 'ES384', kid: created.keyArn });
  });

  it('keys create exits 1 without creating a key when the alias exists, pointing to keys rotate', async () => {
    // Its own kms-local, so that the other (concurrent) tests' keys do not count.
    const own = await startKms();
    try {
      const first = await runKmsJwt(['keys', 'create', '--alias', 'alias/taken', ...own.kmsArgs], dir);
      expect(first.code, first.stderr).toBe(0);
      const second = await runKmsJwt(['keys', 'create', '--alias', 'alias/taken', ...own.kmsArgs], dir);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(`kms-jwt keys create: alias/taken already exists (it points to ${first.stdout.trim()}); to move it to a new key, run kms-jwt keys rotate --alias alias/taken\n`);
      expect(second.stdout).toBe('');
      expect(own.kms.callCount('CreateKey')).toBe(1);
    } finally {
      await own.kms.close();
    }
  });

  it('keys rotate creates a key of the same spec, moves the alias, prints old and new ARNs, and new tokens carry the new ARN', async () => {
    const created = await runKmsJwt(['keys', 'create', '--spec', 'ECC_NIST_P521', '--alias', 'alias/rotating', ...kmsArgs], dir);
    expect(created.code, created.stderr).toBe(0);
    const oldArn = created.stdout.trim();
    const oldToken = tokenFrom(await runKmsJwt(['sign', '--key-id', 'alias/rotating', '--iss', 'https://i.example', '--aud', 'api', ...kmsArgs], dir));

    const rotated = await runKmsJwt(['keys', 'rotate', '--alias', 'rotating', ...kmsArgs], dir);
    expect(rotated.code, rotated.stderr).toBe(0);
    const match = /^old: (\S+)\nnew: (\S+)\n$/.exec(rotated.stdout);
    expect(match?.[1]).toBe(oldArn);
    const newArn = match?.[2] ?? '';
    expect(newArn).toMatch(ARN);
    expect(newArn).not.toBe(oldArn);
    expect(rotated.stderr).toContain(`rotating alias/rotating: creating a new ECC_NIST_P521 key in ${kms.endpoint}...`);
    expect(rotated.stderr).toContain('the old key stays enabled');
    expect(await describeKey('alias/rotating')).toMatchObject({ Arn: newArn, KeySpec: 'ECC_NIST_P521', Description: `kms-jwt signing key, rotated from ${oldArn}` });
    expect(await describeKey(oldArn)).toMatchObject({ KeyState: 'Enabled' });

    const newToken = tokenFrom(await runKmsJwt(['sign', '--key-id', 'alias/rotating', '--iss', 'https://i.example', '--aud', 'api', ...kmsArgs], dir));
    expect(decode(newToken).header).toMatchObject({ alg: 'ES512', kid: newArn });

    const claims = ['--issuer', 'https://i.example', '--audience', 'api', ...kmsArgs];
    const newValid = await runKmsJwt(['verify', '--alias', 'alias/rotating', ...claims], dir, { input: newToken });
    expect(newValid.code, newValid.stderr).toBe(0);
    // A fresh verifier trusts what the alias names now; the old key's tokens need it named too.
    const oldViaAlias = await runKmsJwt(['verify', '--alias', 'alias/rotating', ...claims], dir, { input: oldToken });
    expect(oldViaAlias.code).toBe(1);
    expect(oldViaAlias.stderr).toContain('ERR_KID_UNTRUSTED');
    const oldWithKey = await runKmsJwt(['verify', '--alias', 'alias/rotating', '--key', oldArn, ...claims], dir, { input: oldToken });
    expect(oldWithKey.code, oldWithKey.stderr).toBe(0);
  });

  it('keys rotate --json prints the alias, both ARNs and the spec', async () => {
    const created = await runKmsJwt(['keys', 'create', '--alias', 'alias/rotating-json', ...kmsArgs], dir);
    expect(created.code, created.stderr).toBe(0);
    const rotated = await runKmsJwt(['keys', 'rotate', '--alias', 'alias/rotating-json', '--json', ...kmsArgs], dir);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout)).toEqual({ alias: 'alias/rotating-json', oldKeyArn: created.stdout.trim(), newKeyArn: expect.stringMatching(ARN), keySpec: 'ECC_NIST_P256' });
  });

  it('keys rotate exits 1 for an alias that does not exist, creating nothing', async () => {
    const own = await startKms();
    try {
      const result = await runKmsJwt(['keys', 'rotate', '--alias', 'alias/never-created', ...own.kmsArgs], dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`kms-jwt keys rotate: alias/never-created does not exist in ${own.kms.endpoint}; create it with kms-jwt keys create --alias alias/never-created\n`);
      expect(own.kms.callCount('DescribeKey')).toBe(1);
      expect(own.kms.callCount('CreateKey')).toBe(0);
    } finally {
      await own.kms.close();
    }
  });

  it('keys rotate --to-key moves the alias to an existing key without creating one, leaving the old key enabled', async () => {
    const created = await runKmsJwt(['keys', 'create', '--alias', 'alias/two-step', ...kmsArgs], dir);
    expect(created.code, created.stderr).toBe(0);
    const oldArn = created.stdout.trim();
    const next = await runKmsJwt(['keys', 'create', '--spec', 'ECC_NIST_P384', '--json', ...kmsArgs], dir);
    const { keyArn: newArn, keyId: newKeyId } = JSON.parse(next.stdout) as { keyArn: string; keyId: string };

    const rotated = await runKmsJwt(['keys', 'rotate', '--alias', 'alias/two-step', '--to-key', newKeyId, '--json', ...kmsArgs], dir);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout)).toEqual({ alias: 'alias/two-step', oldKeyArn: oldArn, newKeyArn: newArn, keySpec: 'ECC_NIST_P384' });
    expect(rotated.stderr).toBe(
      `rotating alias/two-step: moving it from ${oldArn} to ${newArn} in ${kms.endpoint}...\n` +
        'note: the new key is ECC_NIST_P384, the old one ECC_NIST_P256: tokens signed through alias/two-step change algorithm\n' +
        'moved alias/two-step to the new key; the old key stays enabled so that tokens it signed keep verifying\n',
    );
    expect(await describeKey('alias/two-step')).toMatchObject({ Arn: newArn, Description: 'kms-jwt signing key' });
    expect(await describeKey(oldArn)).toMatchObject({ KeyState: 'Enabled' });
    const token = tokenFrom(await runKmsJwt(['sign', '--key-id', 'alias/two-step', ...kmsArgs], dir));
    expect(decode(token).header).toMatchObject({ alg: 'ES384', kid: newArn });
  });

  it('keys rotate --to-key exits 1, moving nothing, for a key that is disabled, not a signing key, unknown, or already the alias\'s', async () => {
    const created = await runKmsJwt(['keys', 'create', '--alias', 'alias/two-step-refused', ...kmsArgs], dir);
    const current = created.stdout.trim();
    const disabled = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
    await client.send(new DisableKeyCommand({ KeyId: disabled }));
    const symmetric = (await client.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata?.Arn ?? '';
    const cases = [
      [disabled, `--to-key ${disabled} is Disabled: issuers signing through alias/two-step-refused would fail; enable it first (kms-jwt keys enable ${disabled})`],
      [symmetric, `--to-key ${symmetric} is a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT, not a signing key kms-jwt uses; refusing to move alias/two-step-refused to it`],
      ['0f4c6a5e-4b1f-4c39-9d57-1c1b2f3d4e5f', `0f4c6a5e-4b1f-4c39-9d57-1c1b2f3d4e5f does not exist in ${kms.endpoint}: check the key id, key ARN or alias (kms-jwt keys list shows them)`],
      [current, `alias/two-step-refused already points to ${current}; nothing to move`],
    ] as const;
    for (const [target, message] of cases) {
      const result = await runKmsJwt(['keys', 'rotate', '--alias', 'alias/two-step-refused', '--to-key', target, ...kmsArgs], dir);
      expect(result.code, target).toBe(1);
      expect(result.stderr).toBe(`kms-jwt keys rotate: ${message}\n`);
      expect(result.stdout).toBe('');
    }
    expect((await describeKey('alias/two-step-refused'))?.Arn).toBe(current);
  });

  it.each([
    [['keys', 'create', '--alias', 'alias/x']],
    [['keys', 'create']],
    [['keys', 'rotate', '--alias', 'alias/x']],
  ])('%j exits 3 when the endpoint is unreachable', async (args) => {
    const endpoint = await unreachableEndpoint();
    const result = await runKmsJwt([...args, '--endpoint', endpoint, '--region', 'us-east-1'], dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`: KMS is unavailable at ${endpoint.replace(/\./g, '\\.')} \\(ECONNREFUSED: .*\\); retry later\\n$`));
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });
});
