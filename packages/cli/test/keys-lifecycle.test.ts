import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import type { KmsLocal } from 'kms-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir, startKms, unreachableEndpoint } from './support.js';

const DAY_MS = 86_400_000;

describe.concurrent('kms-jwt keys disable, enable, schedule-deletion, cancel-deletion', () => {
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

  /** A new key in the shared kms-local (each test its own), in the given state, optionally behind an alias. */
  const createKey = async (options: { spec?: 'ECC_NIST_P256' | 'SYMMETRIC_DEFAULT'; alias?: string; state?: 'Disabled' | 'PendingDeletion' } = {}): Promise<KeyMetadata & { Arn: string; KeyId: string }> => {
    const spec = options.spec ?? 'ECC_NIST_P256';
    const created = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY' }));
    const { Arn = '', KeyId = '' } = created.KeyMetadata ?? {};
    if (options.alias !== undefined) await client.send(new CreateAliasCommand({ AliasName: options.alias, TargetKeyId: KeyId }));
    if (options.state === 'Disabled') await client.send(new DisableKeyCommand({ KeyId }));
    if (options.state === 'PendingDeletion') await client.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    return { ...created.KeyMetadata, Arn, KeyId };
  };
  const describeKey = async (keyId: string): Promise<KeyMetadata> => {
    const metadata = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    if (metadata === undefined) throw new Error(`DescribeKey ${keyId} answered no KeyMetadata`);
    return metadata;
  };

  describe('keys disable', () => {
    it('disables a key no alias points to, prints its ARN and new state, and KMS reports it Disabled', async () => {
      const key = await createKey();
      const result = await runKmsJwt(['keys', 'disable', key.Arn, ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`key: ${key.Arn}\nstate: Disabled\n`);
      expect(result.stderr).toBe(
        `disabling ${key.Arn} in ${kms.endpoint}...\n` +
          `disabled: KMS no longer signs with it, and verifiers following key state stop trusting it at their next refresh; kms-jwt keys enable ${key.Arn} undoes this\n`,
      );
      expect(await describeKey(key.Arn)).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    });

    it('takes a key id and prints JSON with the previous state for --json', async () => {
      const key = await createKey();
      const result = await runKmsJwt(['keys', 'disable', key.KeyId, '--json', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ keyArn: key.Arn, keyId: key.KeyId, keyState: 'Disabled', previousKeyState: 'Enabled' });
      expect((await describeKey(key.KeyId)).KeyState).toBe('Disabled');
    });

    it.each([['the alias'], ['the key ARN']])('refuses (exit 1) the key an alias points to, given by %s, and leaves it Enabled', async (given) => {
      const alias = `alias/disable-refused-${given === 'the alias' ? 'by-alias' : 'by-arn'}`;
      const key = await createKey({ alias });
      const result = await runKmsJwt(['keys', 'disable', given === 'the alias' ? alias : key.Arn, ...kmsArgs], dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `kms-jwt keys disable: refusing to disable ${key.Arn}: ${alias} points to it: issuers signing through that alias would fail at once and verifiers following it would reject the tokens already out; ` +
          `move the alias to another key first (kms-jwt keys rotate --alias ${alias}); or pass --force to go ahead anyway\n`,
      );
      expect(result.stdout).toBe('');
      expect((await describeKey(key.Arn)).KeyState).toBe('Enabled');
    });

    it('disables the key an alias points to with --force, warning what breaks', async () => {
      const key = await createKey({ alias: 'alias/disable-forced' });
      const result = await runKmsJwt(['keys', 'disable', 'alias/disable-forced', '--force', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/^warning: alias\/disable-forced points to it: issuers signing through that alias would fail at once .*; going ahead because of --force\n/);
      expect(result.stdout).toBe(`key: ${key.Arn}\nstate: Disabled\n`);
      expect((await describeKey(key.Arn)).KeyState).toBe('Disabled');
    });

    it('refuses a key that is not a signing key without --force, and disables it with --force', async () => {
      const key = await createKey({ spec: 'SYMMETRIC_DEFAULT' });
      const refused = await runKmsJwt(['keys', 'disable', key.Arn, ...kmsArgs], dir);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `kms-jwt keys disable: refusing to disable ${key.Arn}: it is a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT, not a signing key kms-jwt uses; pass --force to go ahead anyway\n`,
      );
      expect((await describeKey(key.Arn)).KeyState).toBe('Enabled');
      const forced = await runKmsJwt(['keys', 'disable', key.Arn, '--force', ...kmsArgs], dir);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toContain('warning: it is a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT, not a signing key kms-jwt uses; going ahead because of --force\n');
      expect((await describeKey(key.Arn)).KeyState).toBe('Disabled');
    });

    it('exits 0 and changes nothing for a key that is already disabled, even behind an alias', async () => {
      const key = await createKey({ alias: 'alias/already-disabled', state: 'Disabled' });
      const result = await runKmsJwt(['keys', 'disable', 'alias/already-disabled', '--json', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe(`${key.Arn} is already disabled; nothing to do\n`);
      expect(JSON.parse(result.stdout)).toEqual({ keyArn: key.Arn, keyId: key.KeyId, keyState: 'Disabled', previousKeyState: 'Disabled' });
    });

    it('refuses (exit 1) a key pending deletion, pointing to cancel-deletion', async () => {
      const key = await createKey({ state: 'PendingDeletion' });
      const result = await runKmsJwt(['keys', 'disable', key.Arn, ...kmsArgs], dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`^kms-jwt keys disable: ${key.Arn} is pending deletion \\(deletion date \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ, in (7d|6d 23h)\\), which already makes it unusable; to keep it, run kms-jwt keys cancel-deletion ${key.Arn} \\(it stays disabled\\)\\n$`),
      );
      expect((await describeKey(key.Arn)).KeyState).toBe('PendingDeletion');
    });
  });

  describe('keys enable', () => {
    it('enables a disabled key given by its alias, and KMS reports it Enabled', async () => {
      const key = await createKey({ alias: 'alias/enable-me', state: 'Disabled' });
      const result = await runKmsJwt(['keys', 'enable', 'alias/enable-me', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`key: ${key.Arn}\nstate: Enabled\n`);
      expect(result.stderr).toBe(`enabling ${key.Arn} in ${kms.endpoint}...\nenabled: KMS signs with it again, and verifiers following key state trust it again at their next re-check\n`);
      expect(await describeKey(key.Arn)).toMatchObject({ KeyState: 'Enabled', Enabled: true });
    });

    it('prints JSON for --json, and says so when the key is not a signing key', async () => {
      const key = await createKey({ spec: 'SYMMETRIC_DEFAULT', state: 'Disabled' });
      const result = await runKmsJwt(['keys', 'enable', key.KeyId, '--json', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ keyArn: key.Arn, keyId: key.KeyId, keyState: 'Enabled', previousKeyState: 'Disabled' });
      expect(result.stderr).toContain('enabled; note that it is a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT, not a signing key kms-jwt uses\n');
      expect((await describeKey(key.Arn)).KeyState).toBe('Enabled');
    });

    it('exits 0 and changes nothing for a key that is already enabled', async () => {
      const key = await createKey();
      const result = await runKmsJwt(['keys', 'enable', key.Arn, ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe(`${key.Arn} is already enabled; nothing to do\n`);
      expect(result.stdout).toBe(`key: ${key.Arn}\nstate: Enabled\n`);
    });

    it('refuses (exit 1) a key pending deletion, pointing to cancel-deletion, and leaves it pending', async () => {
      const key = await createKey({ state: 'PendingDeletion' });
      const result = await runKmsJwt(['keys', 'enable', key.Arn, ...kmsArgs], dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^kms-jwt keys enable: ${key.Arn} is pending deletion \\(deletion date .*\\): cancel that first with kms-jwt keys cancel-deletion ${key.Arn}, then enable it\\n$`));
      expect((await describeKey(key.Arn)).KeyState).toBe('PendingDeletion');
    });
  });

  describe('keys schedule-deletion', () => {
    it('schedules the deletion of a disabled key in 30 days by default, printing the deletion date', async () => {
      const key = await createKey({ state: 'Disabled' });
      const before = Date.now();
      const result = await runKmsJwt(['keys', 'schedule-deletion', key.Arn, ...kmsArgs], dir);
      const after = Date.now();
      expect(result.code, result.stderr).toBe(0);
      const metadata = await describeKey(key.Arn);
      // DescribeKey shows PendingDeletionWindowInDays only for PendingReplicaDeletion (as AWS does): the date tells the window.
      expect(metadata.KeyState).toBe('PendingDeletion');
      const deletion = metadata.DeletionDate?.getTime() ?? 0;
      expect(deletion).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 30 * DAY_MS);
      expect(deletion).toBeLessThanOrEqual(after + 30 * DAY_MS);
      const iso = new Date(Math.floor(deletion / 1000) * 1000).toISOString().replace('.000Z', 'Z');
      expect(result.stdout).toMatch(new RegExp(`^key: ${key.Arn}\\nstate: PendingDeletion\\ndeletion date: ${iso} \\(in (30d|29d 23h)\\)\\n$`));
      expect(result.stderr).toBe(
        `scheduling the deletion of ${key.Arn} in 30 days in ${kms.endpoint}...\n` +
          `KMS deletes it, with no way back, at the end of the waiting period; until then, kms-jwt keys cancel-deletion ${key.Arn} keeps it\n`,
      );
    });

    it('takes --days 7 and prints the deletion date KMS answered for --json', async () => {
      const key = await createKey({ state: 'Disabled' });
      const result = await runKmsJwt(['keys', 'schedule-deletion', key.KeyId, '--days', '7', '--json', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      const metadata = await describeKey(key.Arn);
      expect(metadata.KeyState).toBe('PendingDeletion');
      expect(Math.round(((metadata.DeletionDate?.getTime() ?? 0) - Date.now()) / DAY_MS)).toBe(7);
      expect(JSON.parse(result.stdout)).toEqual({
        keyArn: key.Arn,
        keyId: key.KeyId,
        keyState: 'PendingDeletion',
        previousKeyState: 'Disabled',
        deletionDate: metadata.DeletionDate?.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        pendingWindowInDays: 7,
      });
    });

    it('warns that an enabled key stops working now, not when it is deleted', async () => {
      const key = await createKey();
      const result = await runKmsJwt(['keys', 'schedule-deletion', key.Arn, '--days', '30', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`warning: ${key.Arn} is enabled: it stops signing and verifying now, not when it is deleted (disabling keys first shows what still uses them)\n`);
      expect((await describeKey(key.Arn)).KeyState).toBe('PendingDeletion');
    });

    it('refuses (exit 1) the key an alias points to, and schedules it with --force', async () => {
      const key = await createKey({ alias: 'alias/delete-refused', state: 'Disabled' });
      const refused = await runKmsJwt(['keys', 'schedule-deletion', 'alias/delete-refused', ...kmsArgs], dir);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`^kms-jwt keys schedule-deletion: refusing to schedule the deletion of ${key.Arn}: alias/delete-refused points to it: .*; or pass --force to go ahead anyway\\n$`));
      expect((await describeKey(key.Arn)).KeyState).toBe('Disabled');
      const forced = await runKmsJwt(['keys', 'schedule-deletion', 'alias/delete-refused', '--force', ...kmsArgs], dir);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toMatch(/^warning: alias\/delete-refused points to it: .*; going ahead because of --force\n/);
      expect((await describeKey(key.Arn)).KeyState).toBe('PendingDeletion');
    });

    it('refuses (exit 1) a key already pending deletion, keeping its date', async () => {
      const key = await createKey({ state: 'PendingDeletion' });
      const scheduled = (await describeKey(key.Arn)).DeletionDate;
      const result = await runKmsJwt(['keys', 'schedule-deletion', key.Arn, '--days', '30', ...kmsArgs], dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^kms-jwt keys schedule-deletion: ${key.Arn} is already pending deletion \\(deletion date .*\\); to change the date, run kms-jwt keys cancel-deletion ${key.Arn}, then schedule it again\\n$`));
      expect(await describeKey(key.Arn)).toMatchObject({ KeyState: 'PendingDeletion', DeletionDate: scheduled });
    });
  });

  describe('keys cancel-deletion', () => {
    it('cancels a scheduled deletion and says the key stays Disabled, as KMS leaves it', async () => {
      const key = await createKey({ state: 'PendingDeletion' });
      const result = await runKmsJwt(['keys', 'cancel-deletion', key.Arn, ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`key: ${key.Arn}\nstate: Disabled\n`);
      expect(result.stderr).toBe(
        `cancelling the deletion of ${key.Arn} in ${kms.endpoint}...\n` +
          `deletion cancelled; the key stays Disabled, as KMS leaves it: run kms-jwt keys enable ${key.Arn} to sign and verify with it again\n`,
      );
      const metadata = await describeKey(key.Arn);
      expect(metadata.KeyState).toBe('Disabled');
      expect(metadata.DeletionDate).toBeUndefined();
    });

    it('takes an alias and prints JSON for --json', async () => {
      const key = await createKey({ alias: 'alias/cancel-me', state: 'PendingDeletion' });
      const result = await runKmsJwt(['keys', 'cancel-deletion', 'alias/cancel-me', '--json', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ keyArn: key.Arn, keyId: key.KeyId, keyState: 'Disabled', previousKeyState: 'PendingDeletion' });
      expect((await describeKey('alias/cancel-me')).KeyState).toBe('Disabled');
    });

    it('refuses (exit 1) a key that is not pending deletion', async () => {
      const key = await createKey();
      const result = await runKmsJwt(['keys', 'cancel-deletion', key.Arn, ...kmsArgs], dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`kms-jwt keys cancel-deletion: ${key.Arn} is not pending deletion (it is Enabled); nothing to cancel\n`);
      expect((await describeKey(key.Arn)).KeyState).toBe('Enabled');
    });
  });

  const SUBCOMMANDS = ['disable', 'enable', 'schedule-deletion', 'cancel-deletion'] as const;

  it.each(SUBCOMMANDS.flatMap((subcommand) => [[subcommand, '0f4c6a5e-4b1f-4c39-9d57-1c1b2f3d4e5f'], [subcommand, 'alias/never-created']]))(
    'keys %s %s exits 1 naming the key that does not exist',
    async (subcommand, ref) => {
      const result = await runKmsJwt(['keys', subcommand, ref, ...kmsArgs], dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`kms-jwt keys ${subcommand}: ${ref} does not exist in ${kms.endpoint}: check the key id, key ARN or alias (kms-jwt keys list shows them)\n`);
      expect(result.stdout).toBe('');
    },
  );

  it.each(SUBCOMMANDS)('keys %s exits 3 when the endpoint is unreachable', async (subcommand) => {
    const endpoint = await unreachableEndpoint();
    const result = await runKmsJwt(['keys', subcommand, 'alias/x', '--endpoint', endpoint, '--region', 'us-east-1'], dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^kms-jwt keys ${subcommand}: cannot look up alias/x: KMS is unavailable at ${endpoint.replace(/\./g, '\\.')} \\(ECONNREFUSED: .*\\); retry later\\n$`));
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });

  // Each in its own kms-local: the fault hits every call of the operation.
  it.each([
    ['disable', 'DisableKey', 'Enabled'],
    ['enable', 'EnableKey', 'Disabled'],
    ['schedule-deletion', 'ScheduleKeyDeletion', 'Disabled'],
    ['cancel-deletion', 'CancelKeyDeletion', 'PendingDeletion'],
  ] as const)('keys %s exits 3 when KMS answers %s with 500, and the key stays %s', async (subcommand, operation, initial) => {
    const own = await startKms();
    const ownClient = new KMSClient(own.kms.clientConfig);
    try {
      const keyId = (await ownClient.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.KeyId ?? '';
      if (initial === 'Disabled') await ownClient.send(new DisableKeyCommand({ KeyId: keyId }));
      if (initial === 'PendingDeletion') await ownClient.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      own.kms.faults.inject({ type: 'unavailable', operations: [operation] });
      const result = await runKmsJwt(['keys', subcommand, keyId, ...own.kmsArgs], dir);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`kms-jwt keys ${subcommand}: cannot .*: KMS is unavailable at ${own.kms.endpoint.replace(/\./g, '\\.')} \\(KMSInternalException.*\\); retry later\\n$`));
      expect(result.stdout).toBe('');
      expect(own.kms.callCount(operation)).toBeGreaterThanOrEqual(1);
      expect((await ownClient.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe(initial);
    } finally {
      ownClient.destroy();
      await own.kms.close();
    }
  });
});
