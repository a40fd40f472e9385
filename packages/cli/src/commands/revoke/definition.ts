import { defineCommand } from '../../lib/command.js';
import { REDIS_OPTIONS, REDIS_OPTIONS_USAGE } from '../../lib/redis-connection.js';

export const revokeOptions = {
  iss: { type: 'string' },
  jti: { type: 'string' },
  exp: { type: 'string' },
  'key-prefix': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...REDIS_OPTIONS,
} as const;

export const revoke = defineCommand({
  name: 'revoke',
  summary: 'revoke a token by its iss and jti across a kms-jwt-fleet (Redis)',
  usage: `Usage: kms-jwt revoke --iss <iss> --jti <jti> --exp <epoch|duration> [options]

Revokes a token in the revocation list a fleet of verifiers shares through Redis (kms-jwt-fleet):
every verifier whose isRevoked is that list refuses the token, and its malleated twins (the same
claims under another signature), within their maxStalenessMs. The entry is keyed by iss and jti,
never by the token, and Redis drops it on its own after exp plus 60 seconds (the list's default
clockToleranceSeconds).

Options:
  --iss <iss>           the token's iss claim (required)
  --jti <jti>           the token's jti claim (required; at most 1024 characters)
  --exp <time>          until when: the token's exp as epoch seconds (10 digits or more), or a
                        duration from now: 900, 90s, 15m, 1h, 7d (required)
  --key-prefix <prefix> the list's Redis key prefix (default: kms-jwt:revoked, kms-jwt-fleet's default)
  --json                print {"iss","jti","exp","revoked"}
${REDIS_OPTIONS_USAGE}
  -h, --help            show this help

An exp already more than 60 seconds past is nothing to revoke: the command says so and exits 0.

Exit codes: 0 revoked (or already expired), 1 refused (the list is full), 2 usage error,
            3 Redis unavailable.

Example:
  kms-jwt revoke --iss https://issuer.example --jti order-session-42 --exp 15m --redis-url redis://127.0.0.1:6379
`,
  options: revokeOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
