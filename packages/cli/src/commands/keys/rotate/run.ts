import { UpdateAliasCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { ParsedArgs } from '../../../lib/command.js';
import { CliError, UsageError } from '../../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { aliasName, keyIdOrArn } from '../../../lib/key-refs.js';
import { createKmsClient } from '../../../lib/kms-client.js';
import { describeEndpoint } from '../../../lib/kms-flags.js';
import { kmsCallFailed } from '../../../lib/kms-errors.js';
import { createSigningKey, describeKey, describeKind, isSigningKey, requireKey } from '../kms-keys.js';
import type { rotateOptions } from './definition.js';

/** The existing key `--to-key` names, checked: an enabled signing key that the alias does not point to yet. */
async function existingTarget(client: KMSClient, ref: string, alias: string, oldKeyArn: string, where: string): Promise<{ Arn: string; KeyId: string; KeySpec: string }> {
  const key = await requireKey(client, ref, where);
  if (key.Arn === oldKeyArn) throw new CliError(`${alias} already points to ${key.Arn}; nothing to move`, EXIT_CODES.failure);
  if (!isSigningKey(key) || key.KeySpec === undefined) throw new CliError(`--to-key ${key.Arn} is ${describeKind(key)}, not a signing key kms-jwt uses; refusing to move ${alias} to it`, EXIT_CODES.failure);
  if (key.KeyState !== 'Enabled') {
    throw new CliError(`--to-key ${key.Arn} is ${key.KeyState}: issuers signing through ${alias} would fail; enable it first (kms-jwt keys enable ${key.Arn})`, EXIT_CODES.failure);
  }
  return { Arn: key.Arn, KeyId: key.KeyId, KeySpec: key.KeySpec };
}

export async function run({ values }: ParsedArgs<typeof rotateOptions>, io: CliIo): Promise<ExitCode> {
  if (values.alias === undefined) throw new UsageError('--alias is required: the alias whose key to rotate');
  const alias = aliasName(values.alias);
  if (alias.startsWith('arn:')) throw new UsageError('--alias takes an alias name (alias/...), not an alias ARN');
  const toKey = values['to-key'] === undefined ? undefined : keyIdOrArn(values['to-key'], '--to-key');
  if (toKey !== undefined && values.description !== undefined) throw new UsageError('--description describes the key rotate creates, and with --to-key it creates none');
  const client = createKmsClient(values);
  const where = describeEndpoint(values);
  try {
    const current = await describeKey(client, alias, where);
    if (current === undefined) throw new CliError(`${alias} does not exist in ${where}; create it with kms-jwt keys create --alias ${alias}`, EXIT_CODES.failure);
    const { Arn: oldKeyArn, KeySpec: keySpec, KeyUsage: keyUsage } = current;
    if (oldKeyArn === undefined || keySpec === undefined) throw new CliError(`DescribeKey for ${alias} answered without the key ARN or key spec`, EXIT_CODES.failure);
    if (keyUsage !== 'SIGN_VERIFY') throw new CliError(`${alias} points to ${oldKeyArn}, a ${keyUsage ?? 'non-signing'} key, not a signing key (SIGN_VERIFY); refusing to rotate it`, EXIT_CODES.failure);

    let key: { Arn: string; KeyId: string; KeySpec?: string | undefined };
    if (toKey === undefined) {
      io.stderr.write(`rotating ${alias}: creating a new ${keySpec} key in ${where}...\n`);
      key = await createSigningKey(client, keySpec, values.description ?? `kms-jwt signing key, rotated from ${oldKeyArn}`, where);
      io.stderr.write(`created ${key.Arn}\n`);
    } else {
      key = await existingTarget(client, toKey, alias, oldKeyArn, where);
      io.stderr.write(`rotating ${alias}: moving it from ${oldKeyArn} to ${key.Arn} in ${where}...\n`);
      if (key.KeySpec !== keySpec) io.stderr.write(`note: the new key is ${key.KeySpec ?? '?'}, the old one ${keySpec}: tokens signed through ${alias} change algorithm\n`);
    }
    try {
      await client.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    } catch (error) {
      const failed = kmsCallFailed(error, `move ${alias}`, where);
      const unused = toKey === undefined ? `, and the new key ${key.Arn} is unused` : '';
      throw new CliError(`${failed.message}; ${alias} still points to ${oldKeyArn}${unused}`, failed.exitCode, { cause: error });
    }
    io.stderr.write(`moved ${alias} to the new key; the old key stays enabled so that tokens it signed keep verifying\n`);
    io.stdout.write(values.json === true ? `${JSON.stringify({ alias, oldKeyArn, newKeyArn: key.Arn, keySpec: key.KeySpec ?? keySpec })}\n` : `old: ${oldKeyArn}\nnew: ${key.Arn}\n`);
    return EXIT_CODES.success;
  } finally {
    client.destroy();
  }
}
