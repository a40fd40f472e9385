import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../../lib/command.js';

export const createOptions = {
  spec: { type: 'string', default: 'ECC_NIST_P256' },
  alias: { type: 'string' },
  description: { type: 'string' },
  json: { type: 'boolean' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const keysCreate = defineCommand({
  name: 'keys create',
  summary: 'create an asymmetric KMS signing key, optionally behind an alias',
  usage: `Usage: kms-jwt keys create [--spec <spec>] [--alias <name>] [options]

Creates an asymmetric KMS key for signing JWTs (KeyUsage SIGN_VERIFY) and, with --alias, an alias
pointing to it. Prints the key ARN (the kid of the tokens it signs) to stdout; progress goes to stderr.

Options:
  --spec <spec>         ECC_NIST_P256 (default, ES256), ECC_NIST_P384 (ES384), ECC_NIST_P521 (ES512),
                        ECC_SECG_P256K1 (ES256K), RSA_2048, RSA_3072, RSA_4096 (RS256/PS256...),
                        ECC_NIST_EDWARDS25519 (EdDSA)
  --alias <name>        create this alias for the key (alias/ is added when missing); it must not exist
  --description <text>  the key's description (default: "kms-jwt signing key")
  --json                print {"keyArn","keyId","keySpec","alias"} instead of the ARN

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 created, 1 KMS refused (the alias exists, access denied, quota), 2 usage error,
            3 KMS unavailable.

Example:
  kms-jwt keys create --alias alias/token-issuer
`,
  options: createOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
