import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../lib/command.js';

export const signOptions = {
  'key-id': { type: 'string' },
  sub: { type: 'string' },
  iss: { type: 'string' },
  aud: { type: 'string', multiple: true },
  'expires-in': { type: 'string' },
  'not-before': { type: 'string' },
  claim: { type: 'string', multiple: true },
  'claim-json': { type: 'string', multiple: true },
  claims: { type: 'string' },
  alg: { type: 'string' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const sign = defineCommand({
  name: 'sign',
  summary: 'sign a JWT with a KMS key; prints only the token',
  usage: `Usage: kms-jwt sign --key-id <key> [claims] [options]

Signs a JWT with a KMS key (KMS Sign) and prints the token, and nothing else, to stdout.
Its kid is the ARN of the key that signed; alg follows the key spec (ES256 for ECC_NIST_P256).

Key:
  --key-id <key>        key id, key ARN, alias name (alias/...) or alias ARN (required)
  --alg <alg>           JWS algorithm, for RSA keys: RS256 (default), RS384, RS512, PS256, PS384, PS512

Claims (flags win over --claims):
  --sub <subject>       the sub claim
  --iss <issuer>        the iss claim
  --aud <audience>      the aud claim; repeat for several audiences
  --expires-in <time>   lifetime: 900, 90s, 15m, 1h, 7d (default 15m; exp from --claims if it has one)
  --not-before <time>   nbf relative to now; negative with '=': --not-before=-30s (default: no nbf)
  --claim <k=v>         a string claim; repeatable
  --claim-json <k=json> a claim of any JSON type: --claim-json admin=true --claim-json n=5; repeatable
  --claims <file|->     a JSON object of claims, from a file or '-' for stdin
  iat is now and jti a random UUID unless the claims carry them.

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 signed, 1 KMS refused (key not found, disabled, access denied),
            2 usage error or invalid claims, 3 KMS unavailable.

Example:
  kms-jwt sign --key-id alias/token-issuer --iss https://issuer.example --aud orders-api --sub user-1 > token.jwt
`,
  options: signOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
