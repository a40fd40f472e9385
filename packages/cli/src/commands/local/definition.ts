import { defineCommand, HELP_OPTION } from '../../lib/command.js';

export const localOptions = {
  port: { type: 'string', default: '4599' },
  host: { type: 'string', default: '127.0.0.1' },
  data: { type: 'string' },
  seed: { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
  ...HELP_OPTION,
} as const;

export const local = defineCommand({
  name: 'local',
  summary: 'start kms-local, a KMS endpoint on loopback for development and tests',
  usage: `Usage: kms-jwt local [options]

Starts kms-local, a local AWS KMS endpoint that @aws-sdk/client-kms, the AWS CLI and the other
kms-jwt commands talk to, and prints its endpoint and the environment to point them at it. Runs until
Ctrl+C (SIGINT) or SIGTERM. Its keys live in memory (or --data): never put production keys in it.

Options:
  --port <n>         TCP port (default 4599; 0 picks a free port)
  --host <addr>      address to listen on (default 127.0.0.1)
  --data <file>      persist keys and aliases to this JSON file (atomic writes)
  --seed <file>      preload keys and aliases from this JSON seed file (idempotent)
  --region <name>    default Region: of the printed environment, the seed and unsigned
                     requests; signed requests use their own Region (default us-east-1)
  --account-id <id>  12-digit account id in key ARNs (default 111122223333)
  -h, --help         show this help

Exit codes: 0 stopped by a signal, 1 cannot start (port in use, unreadable data or seed file),
            2 usage error.
`,
  options: localOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
