import { defineCommand, KMS_OPTIONS_USAGE } from '../../../lib/command.js';
import { KEY_ARGUMENT_USAGE, KEY_CHANGE_OPTIONS } from '../key-change.js';

export const cancelDeletionOptions = KEY_CHANGE_OPTIONS;

export const keysCancelDeletion = defineCommand({
  name: 'keys cancel-deletion',
  summary: "cancel a key's scheduled deletion; the key stays disabled",
  usage: `Usage: kms-jwt keys cancel-deletion <key> [options]

Cancels the scheduled deletion of a KMS key (CancelKeyDeletion). As in KMS, the key is then Disabled,
not Enabled: run kms-jwt keys enable to sign and verify with it again.

${KEY_ARGUMENT_USAGE}

Options:
  --json                print {"keyArn","keyId","keyState","previousKeyState"}

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 cancelled (the key is Disabled), 1 refused (no such key, not pending deletion, KMS
            refused), 2 usage error, 3 KMS unavailable.

Example:
  kms-jwt keys cancel-deletion arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
`,
  options: cancelDeletionOptions,
  maxPositionals: 1,
  load: () => import('./run.js'),
});
