import { defineCommand, KMS_OPTIONS_USAGE } from '../../../lib/command.js';
import { KEY_ARGUMENT_USAGE, KEY_CHANGE_OPTIONS } from '../key-change.js';

export const enableOptions = KEY_CHANGE_OPTIONS;

export const keysEnable = defineCommand({
  name: 'keys enable',
  summary: 'enable a disabled key again',
  usage: `Usage: kms-jwt keys enable <key> [options]

Enables a disabled KMS key (EnableKey): KMS signs with it again, and verifiers that follow key state
trust it again at their next re-check. A key pending deletion must first get kms-jwt keys
cancel-deletion, which leaves it disabled.

${KEY_ARGUMENT_USAGE}

Options:
  --json                print {"keyArn","keyId","keyState","previousKeyState"}

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 enabled (or already enabled), 1 refused (no such key, pending deletion, KMS refused),
            2 usage error, 3 KMS unavailable.

Example:
  kms-jwt keys enable arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
`,
  options: enableOptions,
  maxPositionals: 1,
  load: () => import('./run.js'),
});
