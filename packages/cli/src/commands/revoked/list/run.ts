import { createRevocationList, RevocationListFullError } from 'kms-jwt-fleet';
import type { ParsedArgs } from '../../../lib/command.js';
import { CliError, UsageError } from '../../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { isoSeconds, prettyJson } from '../../../lib/output.js';
import { connectRedis, redisTarget, redisUnavailable } from '../../../lib/redis-connection.js';
import type { revokedListOptions } from './definition.js';

/** The most entries listed: far above any list a fleet should hold (kms-jwt-fleet's default maxEntries is 100,000). */
const MAX_LISTED = 10_000_000;

export async function run({ values }: ParsedArgs<typeof revokedListOptions>, io: CliIo): Promise<ExitCode> {
  if (values['key-prefix'] === '') throw new UsageError('--key-prefix must not be empty');
  const target = redisTarget(values);
  const client = await connectRedis(target);
  const list = createRevocationList({ client, maxEntries: MAX_LISTED, ...(values['key-prefix'] === undefined ? {} : { keyPrefix: values['key-prefix'] }) });
  let entries;
  try {
    await list.ready();
    entries = list.list().sort((a, b) => a.exp - b.exp || a.iss.localeCompare(b.iss) || a.jti.localeCompare(b.jti));
  } catch (error) {
    if (error instanceof RevocationListFullError) throw new CliError(`refused: ${error.message}`, EXIT_CODES.failure, { cause: error });
    throw redisUnavailable(error, 'load the revocation list', target.where);
  } finally {
    await list.close();
    client.destroy();
  }
  if (values.json === true) {
    io.stdout.write(prettyJson(entries.map(({ iss, jti, exp }) => ({ iss, jti, exp }))));
    return EXIT_CODES.success;
  }
  io.stderr.write(`${entries.length} unexpired revocation${entries.length === 1 ? '' : 's'} in ${target.where}\n`);
  for (const { iss, jti, exp } of entries) io.stdout.write(`${isoSeconds(new Date(exp * 1000))}  ${iss}  ${jti}\n`);
  return EXIT_CODES.success;
}
