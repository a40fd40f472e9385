import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../../lib/command.js';

export const rotateOptions = {
  alias: { type: 'string' },
  description: { type: 'string' },
  json: { type: 'boolean' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const keysRotate = defineCommand({
  name: 'keys rotate',
  summary: "create a new key of the alias's spec and move the alias to it",
  usage: `Usage: kms-jwt keys rotate --alias <name> [options]

Rotates the key behind an alias: creates a new signing key of the alias's current key spec, moves the
alias to it (UpdateAlias) and prints the old and the new key ARN. New tokens signed through the alias
carry the new ARN as kid. The old key is left enabled, so tokens it signed keep verifying: verifiers
trusting the alias keep it for their grace window; disable it once your longest token has expired.

Options:
  --alias <name>        the alias to rotate (alias/ is added when missing; required)
  --description <text>  the new key's description (default: "kms-jwt signing key, rotated from <old ARN>")
  --json                print {"alias","oldKeyArn","newKeyArn","keySpec"}

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 rotated, 1 KMS refused (no such alias, not a signing key, access denied),
            2 usage error, 3 KMS unavailable.

Example:
  kms-jwt keys rotate --alias alias/token-issuer
`,
  options: rotateOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
