import { CreateAliasCommand } from '@aws-sdk/client-kms';
import type { ParsedArgs } from '../../../lib/command.js';
import { CliError, UsageError } from '../../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { aliasName } from '../../../lib/key-refs.js';
import { createKmsClient } from '../../../lib/kms-client.js';
import { describeEndpoint } from '../../../lib/kms-flags.js';
import { kmsCallFailed } from '../../../lib/kms-errors.js';
import { createSigningKey, describeKey, isSigningKeySpec, SIGNING_KEY_SPECS } from '../kms-keys.js';
import type { createOptions } from './definition.js';

export async function run({ values }: ParsedArgs<typeof createOptions>, io: CliIo): Promise<ExitCode> {
  const spec = values.spec.toUpperCase();
  if (!isSigningKeySpec(spec)) throw new UsageError(`--spec must be one of ${SIGNING_KEY_SPECS.join(', ')}, not ${values.spec}`);
  const alias = values.alias === undefined ? undefined : aliasName(values.alias);
  if (alias?.startsWith('arn:')) throw new UsageError('--alias takes an alias name (alias/...), not an alias ARN, when creating');
  const client = createKmsClient(values);
  const where = describeEndpoint(values);
  try {
    if (alias !== undefined) {
      const existing = await describeKey(client, alias, where);
      if (existing !== undefined) {
        throw new CliError(`${alias} already exists (it points to ${existing.Arn ?? 'a key'}); to move it to a new key, run kms-jwt keys rotate --alias ${alias}`, EXIT_CODES.failure);
      }
    }
    io.stderr.write(`creating an ${spec} signing key in ${where}...\n`);
    const key = await createSigningKey(client, spec, values.description ?? 'kms-jwt signing key', where);
    io.stderr.write(`created ${key.Arn}\n`);
    if (alias !== undefined) {
      try {
        await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
      } catch (error) {
        const failed = kmsCallFailed(error, `create ${alias}`, where);
        throw new CliError(`${failed.message}; the key ${key.Arn} was created without it`, failed.exitCode, { cause: error });
      }
      io.stderr.write(`${alias} -> ${key.Arn}\n`);
    }
    io.stdout.write(values.json === true ? `${JSON.stringify({ keyArn: key.Arn, keyId: key.KeyId, keySpec: spec, alias: alias ?? null })}\n` : `${key.Arn}\n`);
    return EXIT_CODES.success;
  } finally {
    client.destroy();
  }
}
