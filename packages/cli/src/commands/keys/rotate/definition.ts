import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../../lib/command.js';

export const rotateOptions = {
  alias: { type: 'string' },
  'to-key': { type: 'string' },
  description: { type: 'string' },
  json: { type: 'boolean' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const keysRotate = defineCommand({
  name: 'keys rotate',
  summary: "move an alias to a new key of its spec (or to --to-key)",
  usage: `Usage: kms-jwt keys rotate --alias <name> [--to-key <arn|id>] [options]

Rotates the key behind an alias: creates a new signing key of the alias's current key spec, moves the
alias to it (UpdateAlias) and prints the old and the new key ARN. With --to-key, moves the alias to
that existing key instead (it must be an enabled signing key): the two-step rotation, where verifiers
are told to trust the new key before anything signs with it. New tokens signed through the alias
carry the new ARN as kid. The old key is left enabled, so tokens it signed keep verifying: verifiers
trusting the alias keep it for their grace window; disable it once your longest token has expired.

Options:
  --alias <name>        the alias to rotate (alias/ is added when missing; required)
  --to-key <arn|id>     move the alias to this existing key instead of creating one (default: create one)
  --description <text>  the new key's description (default: "kms-jwt signing key, rotated from <old ARN>");
                        not with --to-key
  --json                print {"alias","oldKeyArn","newKeyArn","keySpec"}

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 rotated, 1 refused (no such alias or --to-key, not a signing key, --to-key disabled or
            already the alias's key, access denied), 2 usage error, 3 KMS unavailable.

Examples:
  kms-jwt keys rotate --alias alias/token-issuer
  kms-jwt keys rotate --alias alias/token-issuer --to-key "$KEY_B"
`,
  options: rotateOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
