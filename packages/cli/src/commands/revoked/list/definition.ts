import { defineCommand } from '../../../lib/command.js';
import { REDIS_OPTIONS, REDIS_OPTIONS_USAGE } from '../../../lib/redis-connection.js';

export const revokedListOptions = {
  'key-prefix': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...REDIS_OPTIONS,
} as const;

export const revokedList = defineCommand({
  name: 'revoked list',
  summary: 'list the unexpired revocations of a kms-jwt-fleet (Redis)',
  usage: `Usage: kms-jwt revoked list [--json] [options]

Lists the unexpired entries of the revocation list a fleet of verifiers shares through Redis
(kms-jwt-fleet), loaded as a verifier loads it (SCAN), soonest exp first: their iss, jti and exp.

Options:
  --key-prefix <prefix> the list's Redis key prefix (default: kms-jwt:revoked, kms-jwt-fleet's default)
  --json                print [{"iss","jti","exp"}, ...]
${REDIS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 listed (even when empty), 1 refused (Redis holds more than 10,000,000 entries),
            2 usage error, 3 Redis unavailable.

Example:
  kms-jwt revoked list --json --redis-url redis://127.0.0.1:6379
`,
  options: revokedListOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
