#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { kmsLocalEnvironment, startKmsLocal } from './start-kms-local.js';

const USAGE = `Usage: kms-local [options]

Starts a local AWS KMS endpoint that @aws-sdk/client-kms and the AWS CLI talk to.

Options:
  --port <n>         TCP port (default 4599; 0 picks a free port)
  --host <addr>      address to listen on (default 127.0.0.1)
  --data <file>      persist keys and aliases to this JSON file (atomic writes)
  --seed <file>      preload keys and aliases from this JSON seed file (idempotent)
  --region <name>    default Region: of the printed environment, the seed and unsigned
                     requests; signed requests use their own Region (default us-east-1)
  --account-id <id>  12-digit account id in key ARNs (default 111122223333)
  -h, --help         show this help
`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '4599' },
        host: { type: 'string', default: '127.0.0.1' },
        data: { type: 'string' },
        seed: { type: 'string' },
        region: { type: 'string' },
        'account-id': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`kms-local: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = /^\d+$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(Number.isInteger(port) && port <= 65535)) {
    process.stderr.write(`kms-local: --port must be a port number from 0 to 65535, not ${values.port}\n`);
    return 2;
  }
  // Listen for the stop signals before starting, so that one arriving while keys are still being
  // generated for a seed still ends in an orderly stop and exit code 0.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const kms = await startKmsLocal({
    port,
    host: values.host,
    ...(values.data === undefined ? {} : { dataFile: values.data }),
    ...(values.seed === undefined ? {} : { seed: values.seed }),
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(values['account-id'] === undefined ? {} : { accountId: values['account-id'] }),
  });
  process.stdout.write(
    [
      `kms-local listening on ${kms.endpoint} (account ${kms.accountId}, region ${kms.region})`,
      '',
      'Point the AWS SDK and CLI at it:',
      ...kmsLocalEnvironment(kms).map((line) => `  ${line}`),
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  await stopRequested;
  await kms.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message.startsWith('kms-local') ? message : `kms-local: cannot start: ${message}`}\n`);
    process.exit(1);
  },
);
