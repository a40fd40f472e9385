import { CLAIM_OPTIONS } from '../../lib/claim-rules.js';
import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../lib/command.js';
import { KEY_OPTIONS, keyOptionsUsage, REMOTE_JWKS_OPTIONS, REMOTE_JWKS_USAGE } from '../../lib/trusted-keys.js';

export const verifyOptions = {
  ...KEY_OPTIONS,
  ...REMOTE_JWKS_OPTIONS,
  ...CLAIM_OPTIONS,
  json: { type: 'boolean' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const verify = defineCommand({
  name: 'verify',
  summary: 'verify a JWT against KMS keys, a JWKS or PEM file, a snapshot, or a JWKS URL',
  usage: `Usage: kms-jwt verify [token|-] (--key|--alias|--jwks|--pem --kid|--snapshot|--jwks-url) (--issuer|--any-issuer) (--audience|--any-audience) [options]

Verifies a JWT: its kid must name a trusted key, its alg must be one that key makes, its signature
must verify, and its claims must hold (exp required, iss and aud as given). The token comes from the
argument or, when left out or '-', from stdin (keeps it out of the shell history).

Trusted keys (at least one; they add up):
${keyOptionsUsage('tokens')}

Or a remote JWKS (alone):
${REMOTE_JWKS_USAGE}

Claims (required: say which issuer and audience to accept, or opt out explicitly):
  --issuer <iss>        accepted iss; repeatable          --any-issuer    accept any iss
  --audience <aud>      accepted aud; repeatable          --any-audience  accept any aud
  --subject <sub>       required sub
  --alg <alg>           accepted algorithms (default: each key's own); repeatable
  --clock-tolerance <time>  clock skew allowed for exp, nbf, iat: 30, 30s, 2m (default 0)
  --max-lifetime <time|none>  longest exp − iat accepted (exp − now without iat): 1h, 7d, or none
                        for no cap (default 24h, the verifier's default)

Output:
  --json                print {"valid":true,"header","payload","key"} or {"valid":false,"error"} to stdout

KMS (for --key and --alias):
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 valid; 1 invalid, with the error code and reason on stderr; 2 usage error;
            3 no verdict: the keys could not be obtained (KMS unavailable, a --key KMS will not
            provide, a key file that cannot be loaded, a --jwks-url that does not answer).

Examples:
  kms-jwt verify --alias alias/token-issuer --issuer https://issuer.example --audience orders-api < token.jwt
  kms-jwt verify --jwks jwks.json --issuer https://issuer.example --any-audience --json < token.jwt
  kms-jwt verify --jwks-url https://issuer.example/.well-known/jwks.json --jwks-trust 111122223333:us-east-1 \\
    --issuer https://issuer.example --audience orders-api < token.jwt
`,
  options: verifyOptions,
  maxPositionals: 1,
  load: () => import('./run.js'),
});
