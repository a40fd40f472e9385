import { ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import type { ParsedArgs } from '../../../lib/command.js';
import { CliError, UsageError } from '../../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { createKmsClient } from '../../../lib/kms-client.js';
import { kmsCallFailed } from '../../../lib/kms-errors.js';
import { describeEndpoint } from '../../../lib/kms-flags.js';
import { deletionNote, guardRetirement, keyArgument, printKeyState } from '../key-change.js';
import { requireKey } from '../kms-keys.js';
import { DELETION_WINDOW_DAYS, type scheduleDeletionOptions } from './definition.js';

/** `--days`: a whole number of days within KMS's waiting period. */
function windowDays(text: string): number {
  const days = /^\d{1,3}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(days >= DELETION_WINDOW_DAYS.min && days <= DELETION_WINDOW_DAYS.max)) {
    throw new UsageError(`--days must be a whole number of days from ${DELETION_WINDOW_DAYS.min} to ${DELETION_WINDOW_DAYS.max} (KMS's waiting period), not ${text}`);
  }
  return days;
}

export async function run({ values, positionals }: ParsedArgs<typeof scheduleDeletionOptions>, io: CliIo): Promise<ExitCode> {
  const ref = keyArgument(positionals);
  const days = windowDays(values.days);
  const client = createKmsClient(values);
  const where = describeEndpoint(values);
  try {
    const key = await requireKey(client, ref, where);
    if (key.KeyState === 'PendingDeletion') {
      throw new CliError(`${key.Arn} is already pending deletion${deletionNote(key)}; to change the date, run kms-jwt keys cancel-deletion ${key.Arn}, then schedule it again`, EXIT_CODES.failure);
    }
    await guardRetirement({ client, key, action: 'schedule the deletion of', force: values.force === true, where, io });
    if (key.KeyState === 'Enabled') io.stderr.write(`warning: ${key.Arn} is enabled: it stops signing and verifying now, not when it is deleted (disabling keys first shows what still uses them)\n`);
    io.stderr.write(`scheduling the deletion of ${key.Arn} in ${days} days in ${where}...\n`);
    let answer;
    try {
      answer = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.Arn, PendingWindowInDays: days }));
    } catch (error) {
      throw kmsCallFailed(error, `schedule the deletion of ${key.Arn}`, where);
    }
    io.stderr.write(`KMS deletes it, with no way back, at the end of the waiting period; until then, kms-jwt keys cancel-deletion ${key.Arn} keeps it\n`);
    printKeyState(io, values.json === true, {
      keyArn: key.Arn,
      keyId: key.KeyId,
      keyState: answer.KeyState ?? 'PendingDeletion',
      previousKeyState: key.KeyState,
      deletionDate: answer.DeletionDate,
      pendingWindowInDays: answer.PendingWindowInDays ?? days,
    });
    return EXIT_CODES.success;
  } finally {
    client.destroy();
  }
}
