import { defineCommand, KMS_OPTIONS_USAGE } from '../../../lib/command.js';
import { FORCE_OPTION, KEY_ARGUMENT_USAGE, KEY_CHANGE_OPTIONS } from '../key-change.js';

export const disableOptions = { ...FORCE_OPTION, ...KEY_CHANGE_OPTIONS } as const;

export const keysDisable = defineCommand({
  name: 'keys disable',
  summary: 'disable a key: KMS stops signing with it (reversible, keys enable)',
  usage: `Usage: kms-jwt keys disable <key> [--force] [options]

Disables a KMS key (DisableKey). KMS refuses to sign with it from then on, and verifiers that follow
key state stop trusting it at their next refresh, so the tokens it signed stop verifying. kms-jwt keys
enable undoes it. Retire a rotated-out key this way once the longest-lived token it signed has expired.

${KEY_ARGUMENT_USAGE}

Refuses (exit 1) when an alias points to the key, since issuers signing through the alias would fail
at once (move the alias first: kms-jwt keys rotate), and when the key is not a signing key kms-jwt
uses (SIGN_VERIFY, a spec it signs with). --force goes ahead anyway, with a warning.

Options:
  --force               disable it even when an alias points to it or it is not a signing key
  --json                print {"keyArn","keyId","keyState","previousKeyState"}

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 disabled (or already disabled), 1 refused (no such key, an alias points to it, not a
            signing key, pending deletion, KMS refused), 2 usage error, 3 KMS unavailable.

Example:
  kms-jwt keys disable arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
`,
  options: disableOptions,
  maxPositionals: 1,
  load: () => import('./run.js'),
});
