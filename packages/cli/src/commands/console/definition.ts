import { CLAIM_OPTIONS } from '../../lib/claim-rules.js';
import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../lib/command.js';
import { KEY_OPTIONS, keyOptionsUsage, REMOTE_JWKS_OPTIONS, REMOTE_JWKS_USAGE } from '../../lib/trusted-keys.js';

export const consoleOptions = {
  ...KEY_OPTIONS,
  ...REMOTE_JWKS_OPTIONS,
  ...CLAIM_OPTIONS,
  port: { type: 'string', default: '0' },
  host: { type: 'string', default: '127.0.0.1' },
  'alias-refresh': { type: 'string' },
  'redis-url': { type: 'string' },
  'key-prefix': { type: 'string' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const consoleCommand = defineCommand({
  name: 'console',
  summary: 'a local web page: verify a token, see the trusted keys, rotations and revocations',
  usage: `Usage: kms-jwt console (--key|--alias|--jwks|--pem --kid|--snapshot|--jwks-url) [options]

Starts a web page on 127.0.0.1 (a free port unless --port) and prints its URL. Paste a token there:
it is decoded in the page, every field marked UNVERIFIED, then verified against the trusted keys
below, as kms-jwt verify would, showing the outcome, its error code and the key ARN that verified it.
The page also shows the trusted keys (key spec, KMS key state, why each is trusted, last confirmed
by KMS), each alias with its current and retired targets and their grace windows on a timeline, and,
with --redis-url, the fleet's revocation list and its mirror's freshness.

Nothing leaves the machine: the page loads no external script, font or style (a strict
Content-Security-Policy), answers only requests for its own address and port, and the token is
sent in a request body, never stored (no URL, no browser storage, no log line). Runs until Ctrl+C
(SIGINT) or SIGTERM.

Trusted keys (at least one; they add up; the same flags as kms-jwt verify):
${keyOptionsUsage('tokens')}

Or a remote JWKS (alone; its allowed keys are listed with source jwks):
${REMOTE_JWKS_USAGE}

Claims (as kms-jwt verify, but iss and aud are accepted as any unless given):
  --issuer <iss>        accepted iss; repeatable          --any-issuer    accept any iss (default)
  --audience <aud>      accepted aud; repeatable          --any-audience  accept any aud (default)
  --subject <sub>       required sub
  --alg <alg>           accepted algorithms (default: each key's own); repeatable
  --clock-tolerance <time>  clock skew allowed for exp, nbf, iat: 30, 30s, 2m (default 0)
  --max-lifetime <time|none>  longest exp − iat accepted (default 24h)

Page:
  --port <n>            TCP port (default 0: a free port)
  --host <addr>         loopback address to listen on: 127.0.0.1 (default) or ::1; nothing else
  --alias-refresh <time>  how often the aliases are looked up again, so that a rotation shows:
                        10s, 1m (default 60s)

Fleet (optional):
  --redis-url <url>     the fleet's Redis (kms-jwt-fleet): show its revocation list and the
                        mirror's freshness; redis://host:port or rediss://
  --key-prefix <prefix> the list's Redis key prefix (default: kms-jwt:revoked)

KMS (for --key and --alias):
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 stopped by a signal; 2 usage error; 3 the keys or Redis could not be obtained at start.

Example:
  kms-jwt console --alias alias/token-issuer --issuer https://issuer.example
`,
  options: consoleOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
