import { UpdateAliasCommand } from '@aws-sdk/client-kms';
import type { ParsedArgs } from '../../../lib/command.js';
import { CliError, UsageError } from '../../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { aliasName } from '../../../lib/key-refs.js';
import { createKmsClient } from '../../../lib/kms-client.js';
import { describeEndpoint } from '../../../lib/kms-flags.js';
import { kmsCallFailed } from '../../../lib/kms-errors.js';
import { createSigningKey, describeKey } from '../kms-keys.js';
import type { rotateOptions } from './definition.js';

export async function run({ values }: ParsedArgs<typeof rotateOptions>, io: CliIo): Promise<ExitCode> {
  if (values.alias === undefined) throw new UsageError('--alias is required: the alias whose key to rotate');
  const alias = aliasName(values.alias);
  if (alias.startsWith('arn:')) throw new UsageError('--alias takes an alias name (alias/...), not an alias ARN');
  const client = createKmsClient(values);
  const where = describeEndpoint(values);
  try {
    const current = await describeKey(client, alias, where);
    if (current === undefined) throw new CliError(`${alias} does not exist in ${where}; create it with kms-jwt keys create --alias ${alias}`, EXIT_CODES.failure);
    const { Arn: oldKeyArn, KeySpec: keySpec, KeyUsage: keyUsage } = current;
    if (oldKeyArn === undefined || keySpec === undefined) throw new CliError(`DescribeKey for ${alias} answered without the key ARN or key spec`, EXIT_CODES.failure);
    if (keyUsage !== 'SIGN_VERIFY') throw new CliError(`${alias} points to ${oldKeyArn}, a ${keyUsage ?? 'non-signing'} key, not a signing key (SIGN_VERIFY); refusing to rotate it`, EXIT_CODES.failure);

    io.stderr.write(`rotating ${alias}: creating a new ${keySpec} key in ${where}...\n`);
    const key = await createSigningKey(client, keySpec, values.description ?? `kms-jwt signing key, rotated from ${oldKeyArn}`, where);
    io.stderr.write(`created ${key.Arn}\n`);
    try {
      await client.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    } catch (error) {
      const failed = kmsCallFailed(error, `move ${alias}`, where);
      throw new CliError(`${failed.message}; ${alias} still points to ${oldKeyArn}, and the new key ${key.Arn} is unused`, failed.exitCode, { cause: error });
    }
    io.stderr.write(`moved ${alias} to the new key; the old key stays enabled so that tokens it signed keep verifying\n`);
    io.stdout.write(values.json === true ? `${JSON.stringify({ alias, oldKeyArn, newKeyArn: key.Arn, keySpec })}\n` : `old: ${oldKeyArn}\nnew: ${key.Arn}\n`);
    return EXIT_CODES.success;
  } finally {
    client.destroy();
  }
}
