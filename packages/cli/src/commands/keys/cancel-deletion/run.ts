import { CancelKeyDeletionCommand } from '@aws-sdk/client-kms';
import type { ParsedArgs } from '../../../lib/command.js';
import { CliError } from '../../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { createKmsClient } from '../../../lib/kms-client.js';
import { kmsCallFailed } from '../../../lib/kms-errors.js';
import { describeEndpoint } from '../../../lib/kms-flags.js';
import { keyArgument, printKeyState } from '../key-change.js';
import { requireKey } from '../kms-keys.js';
import type { cancelDeletionOptions } from './definition.js';

export async function run({ values, positionals }: ParsedArgs<typeof cancelDeletionOptions>, io: CliIo): Promise<ExitCode> {
  const ref = keyArgument(positionals);
  const client = createKmsClient(values);
  const where = describeEndpoint(values);
  try {
    const key = await requireKey(client, ref, where);
    if (key.KeyState !== 'PendingDeletion') throw new CliError(`${key.Arn} is not pending deletion (it is ${key.KeyState}); nothing to cancel`, EXIT_CODES.failure);
    io.stderr.write(`cancelling the deletion of ${key.Arn} in ${where}...\n`);
    try {
      await client.send(new CancelKeyDeletionCommand({ KeyId: key.Arn }));
    } catch (error) {
      throw kmsCallFailed(error, `cancel the deletion of ${key.Arn}`, where);
    }
    io.stderr.write(`deletion cancelled; the key stays Disabled, as KMS leaves it: run kms-jwt keys enable ${key.Arn} to sign and verify with it again\n`);
    printKeyState(io, values.json === true, { keyArn: key.Arn, keyId: key.KeyId, keyState: 'Disabled', previousKeyState: key.KeyState });
    return EXIT_CODES.success;
  } finally {
    client.destroy();
  }
}
