import { defineCommand, KMS_OPTIONS_USAGE } from '../../../lib/command.js';
import { FORCE_OPTION, KEY_ARGUMENT_USAGE, KEY_CHANGE_OPTIONS } from '../key-change.js';

/** KMS's waiting period before it deletes a key, in days. */
export const DELETION_WINDOW_DAYS = { min: 7, max: 30, default: 30 } as const;

export const scheduleDeletionOptions = { days: { type: 'string', default: String(DELETION_WINDOW_DAYS.default) }, ...FORCE_OPTION, ...KEY_CHANGE_OPTIONS } as const;

export const keysScheduleDeletion = defineCommand({
  name: 'keys schedule-deletion',
  summary: "schedule a key's deletion after 7–30 days (cancellable)",
  usage: `Usage: kms-jwt keys schedule-deletion <key> [--days <n>] [--force] [options]

Schedules the deletion of a KMS key (ScheduleKeyDeletion). The key is unusable at once (state
PendingDeletion) and KMS deletes it, for good, when the waiting period ends; until then kms-jwt keys
cancel-deletion keeps it (disabled). Tokens it signed can never be verified after that. Disable the
key first (kms-jwt keys disable) and schedule its deletion once nothing broke.

${KEY_ARGUMENT_USAGE}

Refuses (exit 1) when an alias points to the key (move the alias first: kms-jwt keys rotate), and
when the key is not a signing key kms-jwt uses. --force goes ahead anyway, with a warning.

Options:
  --days <n>            waiting period in days, ${DELETION_WINDOW_DAYS.min} to ${DELETION_WINDOW_DAYS.max} (default: ${DELETION_WINDOW_DAYS.default}, as KMS)
  --force               schedule it even when an alias points to it or it is not a signing key
  --json                print {"keyArn","keyId","keyState","previousKeyState","deletionDate",
                        "pendingWindowInDays"}

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 scheduled, 1 refused (no such key, already pending deletion, an alias points to it, not
            a signing key, KMS refused), 2 usage error, 3 KMS unavailable.

Example:
  kms-jwt keys schedule-deletion arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab --days 30
`,
  options: scheduleDeletionOptions,
  maxPositionals: 1,
  load: () => import('./run.js'),
});
