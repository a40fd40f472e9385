import { defineCommand } from '../../../lib/command.js';
import { REDIS_OPTIONS, REDIS_OPTIONS_USAGE } from '../../../lib/redis-connection.js';

export const recheckOptions = {
  disabled: { type: 'boolean' },
  channel: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...REDIS_OPTIONS,
} as const;

export const keysRecheck = defineCommand({
  name: 'keys recheck',
  summary: 'make every verifier of a kms-jwt-fleet re-check a key with KMS now (Redis)',
  usage: `Usage: kms-jwt keys recheck <key-arn> [--disabled] [options]

Publishes a key event on the fleet's Redis (kms-jwt-fleet's createKeySignal): every verifier whose
provider listens re-checks the key with KMS at once (rate limited per key), instead of at its next
refresh. Run it after kms-jwt keys disable so the fleet stops trusting the key now. The event only
triggers a re-check: trust still comes from KMS.

Arguments:
  <key-arn>             the key's ARN, as the verifiers trust it

Options:
  --disabled            announce the event as 'disabled' (default: 'recheck'); either way KMS decides
  --channel <name>      the pub/sub channel (default: kms-jwt:key-events, kms-jwt-fleet's default)
  --json                print {"keyArn","event","receivers"}
${REDIS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 published (receivers: how many subscriptions got it, 0 included), 2 usage error
            (no key ARN), 3 Redis unavailable.

Example:
  kms-jwt keys recheck arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab --disabled
`,
  options: recheckOptions,
  maxPositionals: 1,
  load: () => import('./run.js'),
});
