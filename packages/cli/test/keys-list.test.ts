import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand, type KeySpec, type KeyUsageType } from '@aws-sdk/client-kms';
import type { KmsLocal } from 'kms-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir, startKms, unreachableEndpoint } from './support.js';

interface ListedKey {
  keyArn: string;
  keyId: string;
  keySpec: string | null;
  keyUsage: string | null;
  keyState: string | null;
  signing: boolean;
  description: string;
  creationDate: string | null;
  deletionDate: string | null;
  aliases: string[];
}

const iso = (date: Date | undefined): string | null => (date === undefined ? null : date.toISOString().replace(/\.\d{3}Z$/, 'Z'));

describe.concurrent('kms-jwt keys list', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
  }, 180_000);

  afterAll(() => remove());

  /** Runs `test` against its own kms-local (the list is the whole account) and an SDK client on it. */
  async function withKms(test: (kms: KmsLocal, kmsArgs: readonly string[], client: KMSClient) => Promise<void>): Promise<void> {
    const { kms, kmsArgs } = await startKms();
    const client = new KMSClient(kms.clientConfig);
    try {
      await test(kms, kmsArgs, client);
    } finally {
      client.destroy();
      await kms.close();
    }
  }

  async function createKey(client: KMSClient, spec: KeySpec, usage: KeyUsageType, description: string): Promise<string> {
    return (await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage, Description: description }))).KeyMetadata?.KeyId ?? '';
  }

  it('prints a table of every key with its spec, usage, state (and deletion date) and aliases, as DescribeKey and ListAliases answer', async () => {
    await withKms(async (kms, kmsArgs, client) => {
      const issuer = await createKey(client, 'ECC_NIST_P256', 'SIGN_VERIFY', 'issuer');
      const rsa = await createKey(client, 'RSA_2048', 'SIGN_VERIFY', 'rsa issuer');
      const retired = await createKey(client, 'ECC_NIST_P384', 'SIGN_VERIFY', 'retired');
      const doomed = await createKey(client, 'ECC_NIST_P256', 'SIGN_VERIFY', 'doomed');
      const secrets = await createKey(client, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'not for tokens');
      await client.send(new CreateAliasCommand({ AliasName: 'alias/token-issuer', TargetKeyId: issuer }));
      await client.send(new CreateAliasCommand({ AliasName: 'alias/a-second-name', TargetKeyId: issuer }));
      await client.send(new CreateAliasCommand({ AliasName: 'alias/secrets', TargetKeyId: secrets }));
      await client.send(new DisableKeyCommand({ KeyId: retired }));
      const deletion = (await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }))).DeletionDate?.toISOString().slice(0, 10) ?? '';

      const result = await runKmsJwt(['keys', 'list', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      const state = (text: string) => text.padEnd(`PendingDeletion (deleted ${deletion})`.length);
      expect(result.stdout).toBe(
        [
          `KEY ID                                KEY SPEC           USAGE            ${state('STATE')}  ALIASES`,
          `${issuer}  ECC_NIST_P256      SIGN_VERIFY      ${state('Enabled')}  alias/a-second-name, alias/token-issuer`,
          `${rsa}  RSA_2048           SIGN_VERIFY      ${state('Enabled')}  -`,
          `${retired}  ECC_NIST_P384      SIGN_VERIFY      ${state('Disabled')}  -`,
          `${doomed}  ECC_NIST_P256      SIGN_VERIFY      PendingDeletion (deleted ${deletion})  -`,
          `${secrets}  SYMMETRIC_DEFAULT  ENCRYPT_DECRYPT  ${state('Enabled')}  alias/secrets`,
          '',
        ].join('\n'),
      );
      expect(result.stderr).toBe(`5 keys in ${kms.endpoint}\n`);
    });
  });

  it('prints {"keys":[...]} for --json, each key as DescribeKey describes it, and --signing leaves out the keys kms-jwt does not sign with', async () => {
    await withKms(async (kms, kmsArgs, client) => {
      const signing = await createKey(client, 'ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', 'eddsa issuer');
      const encryption = await createKey(client, 'RSA_2048', 'ENCRYPT_DECRYPT', 'rsa for encryption');
      await client.send(new CreateAliasCommand({ AliasName: 'alias/eddsa', TargetKeyId: signing }));
      await client.send(new ScheduleKeyDeletionCommand({ KeyId: signing, PendingWindowInDays: 30 }));
      const expected = async (keyId: string, aliases: string[]): Promise<ListedKey> => {
        const metadata = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
        if (metadata === undefined) throw new Error(`DescribeKey ${keyId} answered no KeyMetadata`);
        return {
          keyArn: metadata.Arn ?? '',
          keyId,
          keySpec: metadata.KeySpec ?? null,
          keyUsage: metadata.KeyUsage ?? null,
          keyState: metadata.KeyState ?? null,
          signing: metadata.KeyUsage === 'SIGN_VERIFY',
          description: metadata.Description ?? '',
          creationDate: iso(metadata.CreationDate),
          deletionDate: iso(metadata.DeletionDate),
          aliases,
        };
      };
      const signingKey = await expected(signing, ['alias/eddsa']);
      expect(signingKey).toMatchObject({ keySpec: 'ECC_NIST_EDWARDS25519', keyState: 'PendingDeletion', signing: true, deletionDate: expect.stringMatching(/Z$/) });

      const all = await runKmsJwt(['keys', 'list', '--json', ...kmsArgs], dir);
      expect(all.code, all.stderr).toBe(0);
      expect(JSON.parse(all.stdout)).toEqual({ keys: [signingKey, await expected(encryption, [])] });

      const onlySigning = await runKmsJwt(['keys', 'list', '--signing', '--json', ...kmsArgs], dir);
      expect(onlySigning.code, onlySigning.stderr).toBe(0);
      expect(JSON.parse(onlySigning.stdout)).toEqual({ keys: [signingKey] });
      expect(onlySigning.stderr).toBe(`1 signing key in ${kms.endpoint} (and 1 that kms-jwt does not sign with: run without --signing to see it)\n`);

      const table = await runKmsJwt(['keys', 'list', '--signing', ...kmsArgs], dir);
      expect(table.stdout.split('\n').slice(1)).toEqual([expect.stringMatching(new RegExp(`^${signing}  ECC_NIST_EDWARDS25519  SIGN_VERIFY  PendingDeletion \\(deleted \\d{4}-\\d\\d-\\d\\d\\)  alias/eddsa$`)), '']);
    });
  });

  it('follows ListKeys and ListAliases through every page and describes each key once', async () => {
    await withKms(async (kms, kmsArgs, client) => {
      // kms-local pages ListKeys by 100 and ListAliases by 50, as KMS does by default.
      const keyIds: string[] = [];
      for (let index = 0; index < 105; index++) keyIds.push(await createKey(client, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', `key ${index}`));
      for (let index = 0; index < 55; index++) {
        await client.send(new CreateAliasCommand({ AliasName: `alias/paged-${String(index).padStart(2, '0')}`, TargetKeyId: keyIds[index] ?? '' }));
      }
      kms.resetCallCounts();
      const result = await runKmsJwt(['keys', 'list', '--json', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      const { keys } = JSON.parse(result.stdout) as { keys: ListedKey[] };
      expect(keys.map((key) => key.keyId)).toEqual(keyIds);
      expect(keys.map((key) => key.aliases)).toEqual(keyIds.map((_, index) => (index < 55 ? [`alias/paged-${String(index).padStart(2, '0')}`] : [])));
      expect([kms.callCount('ListKeys'), kms.callCount('ListAliases'), kms.callCount('DescribeKey')]).toEqual([2, 2, 105]);
      expect(result.stderr).toBe(`105 keys in ${kms.endpoint}\n`);
    });
  });

  it('prints nothing on stdout and says so on stderr when there are no keys', async () => {
    await withKms(async (kms, kmsArgs) => {
      const result = await runKmsJwt(['keys', 'list', ...kmsArgs], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`no keys in ${kms.endpoint}\n`);
      const json = await runKmsJwt(['keys', 'list', '--json', ...kmsArgs], dir);
      expect(json.stdout).toBe('{"keys":[]}\n');
    });
  });

  it('exits 3 when the endpoint is unreachable', async () => {
    const endpoint = await unreachableEndpoint();
    const result = await runKmsJwt(['keys', 'list', '--endpoint', endpoint, '--region', 'us-east-1'], dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^kms-jwt keys list: cannot list the keys: KMS is unavailable at ${endpoint.replace(/\./g, '\\.')} \\(ECONNREFUSED: .*\\); retry later\\n$`));
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });

  it.each([
    ['ListKeys', 'throttle', 'cannot list the keys', 'ThrottlingException'],
    ['ListAliases', 'unavailable', 'cannot list the aliases', 'KMSInternalException'],
    ['DescribeKey', 'unavailable', 'cannot look up ', 'KMSInternalException'],
  ] as const)('exits 3 with nothing on stdout when KMS fails %s (%s)', async (operation, type, what, exception) => {
    await withKms(async (kms, kmsArgs, client) => {
      await createKey(client, 'ECC_NIST_P256', 'SIGN_VERIFY', 'listed');
      kms.faults.inject({ type, operations: [operation] });
      const result = await runKmsJwt(['keys', 'list', ...kmsArgs], dir);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`^kms-jwt keys list: ${what}.*: KMS is unavailable at ${kms.endpoint.replace(/\./g, '\\.')} \\(${exception}.*\\); retry later\\n$`));
      expect(result.stdout).toBe('');
    });
  });
});
