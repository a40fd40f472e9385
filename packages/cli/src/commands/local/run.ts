import { kmsLocalEnvironment, startKmsLocal, type KmsLocal } from 'kms-local';
import type { ParsedArgs } from '../../lib/command.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import type { CliIo } from '../../lib/io.js';
import { checkKmsFlags } from '../../lib/kms-flags.js';
import type { localOptions } from './definition.js';

export async function run({ values }: ParsedArgs<typeof localOptions>, io: CliIo): Promise<ExitCode> {
  const port = /^\d+$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(Number.isInteger(port) && port <= 65535)) throw new UsageError(`--port must be a port number from 0 to 65535, not ${values.port}`);
  const accountId = values['account-id'];
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) throw new UsageError(`--account-id must be 12 digits, not ${accountId}`);
  checkKmsFlags({ region: values.region });
  // Listen for the stop signals before starting, so that one arriving while a seed's keys are still
  // being generated still ends in an orderly stop.
  let stop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    let kms: KmsLocal;
    try {
      kms = await startKmsLocal({
        port,
        host: values.host,
        ...(values.data === undefined ? {} : { dataFile: values.data }),
        ...(values.seed === undefined ? {} : { seed: values.seed }),
        ...(values.region === undefined ? {} : { region: values.region }),
        ...(accountId === undefined ? {} : { accountId }),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^kms-local: /, '') : String(error);
      // Wrong option values are usage errors; anything else (port in use, unreadable files) cannot start.
      if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(message, { cause: error });
      throw new CliError(`cannot start kms-local: ${message}`, EXIT_CODES.failure, { cause: error });
    }
    io.stdout.write(
      [
        `kms-local listening on ${kms.endpoint} (account ${kms.accountId}, region ${kms.region})`,
        '',
        'Point the AWS SDK, the AWS CLI and kms-jwt at it (kms-jwt also takes --endpoint and --region):',
        ...kmsLocalEnvironment(kms).map((line) => `  ${line}`),
        '',
        'Press Ctrl+C to stop.',
        '',
      ].join('\n'),
    );
    await stopRequested;
    await kms.close();
    io.stderr.write('kms-local stopped\n');
    return EXIT_CODES.success;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
