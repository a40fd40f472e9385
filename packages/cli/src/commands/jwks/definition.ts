import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../lib/command.js';

export const jwksOptions = {
  key: { type: 'string', multiple: true },
  alias: { type: 'string', multiple: true },
  format: { type: 'string', default: 'jwks' },
  out: { type: 'string' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const jwks = defineCommand({
  name: 'jwks',
  summary: 'export the public keys of KMS keys as a JWKS, a PEM or a snapshot',
  usage: `Usage: kms-jwt jwks (--key <arn|id> | --alias <name>)... [--format jwks|pem|snapshot] [--out <file>] [options]

Fetches the public keys of KMS signing keys (GetPublicKey) and writes them for offline verifiers.
Each key is named by its key ARN, the kid of the tokens it signs. Only public keys are exported.

Keys (at least one):
  --key <arn|id>        a KMS key; repeatable
  --alias <name>        a KMS alias (alias/... or alias ARN): the key it points to; repeatable

Output:
  --format <format>     jwks (default): a JSON Web Key Set, kid = key ARN, for kms-jwt verify --jwks,
                        jose, aws-jwt-verify, /.well-known/jwks.json;
                        pem: the SPKI PEM of exactly one key (verify with --pem <file> --kid <arn>);
                        snapshot: a kms-pubkey-provider snapshot (keys and alias targets), for
                        kms-jwt verify --snapshot and createKmsKeyProvider({ snapshot })
  --out <file>          write to this file instead of stdout

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 exported, 1 KMS refused a key (not found, disabled, not a signing key, access denied),
            2 usage error (or --out cannot be written), 3 KMS unavailable.

Example:
  kms-jwt jwks --alias alias/token-issuer --out jwks.json
`,
  options: jwksOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
