import { DisableKeyCommand } from '@aws-sdk/client-kms';
import type { ParsedArgs } from '../../../lib/command.js';
import { CliError } from '../../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { createKmsClient } from '../../../lib/kms-client.js';
import { kmsCallFailed } from '../../../lib/kms-errors.js';
import { describeEndpoint } from '../../../lib/kms-flags.js';
import { deletionNote, guardRetirement, keyArgument, printKeyState } from '../key-change.js';
import { requireKey } from '../kms-keys.js';
import type { disableOptions } from './definition.js';

export async function run({ values, positionals }: ParsedArgs<typeof disableOptions>, io: CliIo): Promise<ExitCode> {
  const ref = keyArgument(positionals);
  const client = createKmsClient(values);
  const where = describeEndpoint(values);
  try {
    const key = await requireKey(client, ref, where);
    const result = { keyArn: key.Arn, keyId: key.KeyId, keyState: 'Disabled', previousKeyState: key.KeyState };
    if (key.KeyState === 'Disabled') {
      io.stderr.write(`${key.Arn} is already disabled; nothing to do\n`);
      printKeyState(io, values.json === true, result);
      return EXIT_CODES.success;
    }
    if (key.KeyState === 'PendingDeletion') {
      throw new CliError(`${key.Arn} is pending deletion${deletionNote(key)}, which already makes it unusable; to keep it, run kms-jwt keys cancel-deletion ${key.Arn} (it stays disabled)`, EXIT_CODES.failure);
    }
    await guardRetirement({ client, key, action: 'disable', force: values.force === true, where, io });
    io.stderr.write(`disabling ${key.Arn} in ${where}...\n`);
    try {
      await client.send(new DisableKeyCommand({ KeyId: key.Arn }));
    } catch (error) {
      throw kmsCallFailed(error, `disable ${key.Arn}`, where);
    }
    io.stderr.write(`disabled: KMS no longer signs with it, and verifiers following key state stop trusting it at their next refresh; kms-jwt keys enable ${key.Arn} undoes this\n`);
    printKeyState(io, values.json === true, result);
    return EXIT_CODES.success;
  } finally {
    client.destroy();
  }
}
