import { createRevocationList, RevocationInvalidError, RevocationListFullError } from 'kms-jwt-fleet';
import type { ParsedArgs } from '../../lib/command.js';
import { parseDurationSeconds } from '../../lib/duration.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import type { CliIo } from '../../lib/io.js';
import { isoSeconds, prettyJson } from '../../lib/output.js';
import { connectRedis, redisTarget, redisUnavailable } from '../../lib/redis-connection.js';
import type { revokeOptions } from './definition.js';

/** kms-jwt-fleet's default `clockToleranceSeconds`: an entry outlives the token's exp by this much. */
const TOLERANCE_SECONDS = 60;

/** `--exp`: epoch seconds when it has 10 digits or more, else a duration from `nowSeconds`. */
export function parseExp(value: string | undefined, nowSeconds: number): number {
  if (value === undefined) throw new UsageError('--exp is required: the token exp as epoch seconds, or a duration from now such as 15m');
  const text = value.trim();
  if (/^\d{10,15}$/.test(text)) return Number(text);
  const seconds = parseDurationSeconds(text);
  if (seconds === undefined) throw new UsageError('--exp must be epoch seconds (10 digits or more) or a duration such as 900, 90s, 15m, 1h or 7d');
  return nowSeconds + seconds;
}

function requiredClaim(name: 'iss' | 'jti', value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required: the ${name} claim of the token to revoke`);
  if (value.length > 1024) throw new UsageError(`--${name} is longer than 1024 characters`);
  return value;
}

export async function run({ values }: ParsedArgs<typeof revokeOptions>, io: CliIo): Promise<ExitCode> {
  const iss = requiredClaim('iss', values.iss);
  const jti = requiredClaim('jti', values.jti);
  const nowSeconds = Math.floor(Date.now() / 1000);
  const exp = parseExp(values.exp, nowSeconds);
  if (values['key-prefix'] === '') throw new UsageError('--key-prefix must not be empty');
  const target = redisTarget(values);
  const json = values.json === true;
  if (exp + TOLERANCE_SECONDS <= nowSeconds) {
    io.stderr.write(`that token expired at ${isoSeconds(new Date(exp * 1000))}, over ${TOLERANCE_SECONDS} s ago: no verifier accepts it any more; nothing to revoke\n`);
    if (json) io.stdout.write(prettyJson({ iss, jti, exp, revoked: false }));
    return EXIT_CODES.success;
  }
  const client = await connectRedis(target);
  const list = createRevocationList({ client, ...(values['key-prefix'] === undefined ? {} : { keyPrefix: values['key-prefix'] }) });
  try {
    await list.revoke({ iss, jti, exp });
  } catch (error) {
    if (error instanceof RevocationListFullError) throw new CliError(`refused: ${error.message}`, EXIT_CODES.failure, { cause: error });
    if (error instanceof RevocationInvalidError) throw new CliError(`refused: ${error.message}`, EXIT_CODES.failure, { cause: error });
    throw redisUnavailable(error, 'revoke', target.where);
  } finally {
    await list.close();
    client.destroy();
  }
  io.stderr.write(`revoked in ${target.where} until ${isoSeconds(new Date((exp + TOLERANCE_SECONDS) * 1000))}: every verifier of the fleet refuses it within its maxStalenessMs\n`);
  if (json) io.stdout.write(prettyJson({ iss, jti, exp, revoked: true }));
  return EXIT_CODES.success;
}
