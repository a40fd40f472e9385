import type { KeyMetadata, KMSClient } from '@aws-sdk/client-kms';
import type { ParsedArgs } from '../../../lib/command.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { createKmsClient } from '../../../lib/kms-client.js';
import { describeEndpoint } from '../../../lib/kms-flags.js';
import { isoSeconds } from '../../../lib/output.js';
import { describeKey, isSigningKey, listAliases, listKeys } from '../kms-keys.js';
import type { listOptions } from './definition.js';

/** How many DescribeKey calls are in flight at once. */
const DESCRIBE_CONCURRENCY = 4;

/** One key as `--json` prints it: what DescribeKey and ListAliases answered, nothing inferred. */
interface ListedKey {
  readonly keyArn: string;
  readonly keyId: string;
  readonly keySpec: string | null;
  readonly keyUsage: string | null;
  readonly keyState: string | null;
  /** kms-jwt signs with it: SIGN_VERIFY and a key spec it has a JWS algorithm for. */
  readonly signing: boolean;
  readonly description: string;
  readonly creationDate: string | null;
  readonly deletionDate: string | null;
  readonly aliases: readonly string[];
}

/** DescribeKey of each key, a few at a time, in the order given; a key deleted meanwhile is left out. */
async function describeAll(client: KMSClient, keyIds: readonly string[], where: string): Promise<KeyMetadata[]> {
  const found: (KeyMetadata | undefined)[] = new Array<KeyMetadata | undefined>(keyIds.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keyIds.length) {
      const index = next++;
      found[index] = await describeKey(client, keyIds[index] ?? '', where);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DESCRIBE_CONCURRENCY, keyIds.length) }, worker));
  return found.filter((metadata): metadata is KeyMetadata => metadata !== undefined);
}

function stateCell(key: ListedKey): string {
  const state = key.keyState ?? '?';
  return key.deletionDate === null ? state : `${state} (deleted ${key.deletionDate.slice(0, 10)})`;
}

/** The table: one row per key, columns padded to their widest cell. */
function table(keys: readonly ListedKey[]): string {
  const rows = [
    ['KEY ID', 'KEY SPEC', 'USAGE', 'STATE', 'ALIASES'],
    ...keys.map((key) => [key.keyId, key.keySpec ?? '?', key.keyUsage ?? '?', stateCell(key), key.aliases.length === 0 ? '-' : key.aliases.join(', ')]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n') + '\n';
}

export async function run({ values }: ParsedArgs<typeof listOptions>, io: CliIo): Promise<ExitCode> {
  const client = createKmsClient(values);
  const where = describeEndpoint(values);
  try {
    const keyIds: string[] = [];
    for await (const entry of listKeys(client, where)) {
      const id = entry.KeyArn ?? entry.KeyId;
      if (id !== undefined) keyIds.push(id);
    }
    const aliasesByKeyId = new Map<string, string[]>();
    for await (const alias of listAliases(client, where)) {
      if (alias.TargetKeyId === undefined || alias.AliasName === undefined) continue;
      aliasesByKeyId.set(alias.TargetKeyId, [...(aliasesByKeyId.get(alias.TargetKeyId) ?? []), alias.AliasName]);
    }
    const all: ListedKey[] = (await describeAll(client, keyIds, where)).flatMap((metadata) => {
      const { Arn, KeyId } = metadata;
      if (Arn === undefined || KeyId === undefined) return [];
      return [
        {
          keyArn: Arn,
          keyId: KeyId,
          keySpec: metadata.KeySpec ?? null,
          keyUsage: metadata.KeyUsage ?? null,
          keyState: metadata.KeyState ?? null,
          signing: isSigningKey(metadata),
          description: metadata.Description ?? '',
          creationDate: metadata.CreationDate === undefined ? null : isoSeconds(metadata.CreationDate),
          deletionDate: metadata.DeletionDate === undefined ? null : isoSeconds(metadata.DeletionDate),
          aliases: [...(aliasesByKeyId.get(KeyId) ?? [])].sort(),
        },
      ];
    });
    const keys = values.signing === true ? all.filter((key) => key.signing) : all;
    if (values.json === true) io.stdout.write(`${JSON.stringify({ keys })}\n`);
    else if (keys.length > 0) io.stdout.write(table(keys));
    const others = all.length - keys.length;
    const kind = values.signing === true ? 'signing key' : 'key';
    io.stderr.write(
      `${keys.length === 0 ? 'no' : keys.length} ${kind}${keys.length === 1 ? '' : 's'} in ${where}${others > 0 ? ` (and ${others} that kms-jwt does not sign with: run without --signing to see ${others === 1 ? 'it' : 'them'})` : ''}\n`,
    );
    return EXIT_CODES.success;
  } finally {
    client.destroy();
  }
}
