import { EnableKeyCommand } from '@aws-sdk/client-kms';
import type { ParsedArgs } from '../../../lib/command.js';
import { CliError } from '../../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { createKmsClient } from '../../../lib/kms-client.js';
import { kmsCallFailed } from '../../../lib/kms-errors.js';
import { describeEndpoint } from '../../../lib/kms-flags.js';
import { deletionNote, keyArgument, printKeyState } from '../key-change.js';
import { describeKind, isSigningKey, requireKey } from '../kms-keys.js';
import type { enableOptions } from './definition.js';

export async function run({ values, positionals }: ParsedArgs<typeof enableOptions>, io: CliIo): Promise<ExitCode> {
  const ref = keyArgument(positionals);
  const client = createKmsClient(values);
  const where = describeEndpoint(values);
  try {
    const key = await requireKey(client, ref, where);
    const result = { keyArn: key.Arn, keyId: key.KeyId, keyState: 'Enabled', previousKeyState: key.KeyState };
    if (key.KeyState === 'Enabled') {
      io.stderr.write(`${key.Arn} is already enabled; nothing to do\n`);
      printKeyState(io, values.json === true, result);
      return EXIT_CODES.success;
    }
    if (key.KeyState === 'PendingDeletion') {
      throw new CliError(`${key.Arn} is pending deletion${deletionNote(key)}: cancel that first with kms-jwt keys cancel-deletion ${key.Arn}, then enable it`, EXIT_CODES.failure);
    }
    io.stderr.write(`enabling ${key.Arn} in ${where}...\n`);
    try {
      await client.send(new EnableKeyCommand({ KeyId: key.Arn }));
    } catch (error) {
      throw kmsCallFailed(error, `enable ${key.Arn}`, where);
    }
    io.stderr.write(
      isSigningKey(key)
        ? 'enabled: KMS signs with it again, and verifiers following key state trust it again at their next re-check\n'
        : `enabled; note that it is ${describeKind(key)}, not a signing key kms-jwt uses\n`,
    );
    printKeyState(io, values.json === true, result);
    return EXIT_CODES.success;
  } finally {
    client.destroy();
  }
}
