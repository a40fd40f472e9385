import { createVerifier, KmsJwtError, type Verifier, type VerifierOptions } from 'kms-jwt-verifier';
import type { ParsedArgs } from '../../lib/command.js';
import { parseDurationSeconds } from '../../lib/duration.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import { failureReport } from '../../lib/failure-report.js';
import type { CliIo } from '../../lib/io.js';
import { checkKmsFlags } from '../../lib/kms-flags.js';
import { keySourcesFrom } from '../../lib/key-sources.js';
import { readToken } from '../../lib/token-input.js';
import { keysUnavailable, openTrustedKeys, unavailableReport, type TrustedKeys } from '../../lib/trusted-keys.js';
import { parseAlgorithms, parseClockTolerance } from '../../lib/flag-values.js';
import type { verifyOptions } from './definition.js';
import { describeValid } from './report.js';

type Values = ParsedArgs<typeof verifyOptions>['values'];

function claimRule(values: readonly string[] | undefined, any: boolean | undefined, name: 'issuer' | 'audience'): readonly string[] | null {
  const given = values ?? [];
  if (any === true && given.length > 0) throw new UsageError(`give --${name} or --any-${name}, not both`);
  if (any === true) return null;
  if (given.length === 0) throw new UsageError(`--${name} is required: the accepted ${name === 'issuer' ? 'iss' : 'aud'} value(s), or --any-${name} to accept any`);
  return given;
}

function claimOptions(values: Values): Omit<VerifierOptions, 'keys'> {
  const algorithms = parseAlgorithms(values.alg);
  const clockToleranceSeconds = parseClockTolerance(values['clock-tolerance']);
  let maxTokenLifetimeSeconds: number | null | undefined;
  if (values['max-lifetime'] !== undefined) {
    maxTokenLifetimeSeconds = values['max-lifetime'] === 'none' ? null : parseDurationSeconds(values['max-lifetime']);
    if (maxTokenLifetimeSeconds === undefined || maxTokenLifetimeSeconds === 0) throw new UsageError(`--max-lifetime must be a duration such as 1h or 7d, or none, not ${values['max-lifetime']}`);
  }
  if (values.subject !== undefined && values.subject.length === 0) throw new UsageError('--subject must not be empty');
  return {
    issuer: claimRule(values.issuer, values['any-issuer'], 'issuer'),
    audience: claimRule(values.audience, values['any-audience'], 'audience'),
    ...(values.subject === undefined ? {} : { subject: values.subject }),
    ...(algorithms.length === 0 ? {} : { algorithms }),
    ...(clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds }),
    ...(maxTokenLifetimeSeconds === undefined ? {} : { maxTokenLifetimeSeconds }),
    cache: false,
  };
}

export async function run({ values, positionals }: ParsedArgs<typeof verifyOptions>, io: CliIo): Promise<ExitCode> {
  const rules = claimOptions(values);
  const sources = await keySourcesFrom(values);
  checkKmsFlags(values);
  const token = await readToken(positionals[0], io);

  let keys: TrustedKeys;
  try {
    keys = await openTrustedKeys(sources, values);
  } catch (failure) {
    if (values.json === true && failure instanceof CliError && failure.exitCode === EXIT_CODES.unavailable) {
      io.stdout.write(`${JSON.stringify({ valid: false, error: unavailableReport(failure) })}\n`);
    }
    throw failure;
  }
  try {
    let verifier: Verifier;
    try {
      verifier = createVerifier({ keys: keys.provider, ...rules });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message.replace(/^kms-jwt-verifier: /, '') : String(error), { cause: error });
    }
    try {
      const verified = await verifier.verify(token);
      io.stdout.write(values.json === true ? `${JSON.stringify({ valid: true, header: verified.header, payload: verified.payload, key: verified.key })}\n` : describeValid(verified, Date.now()));
      return EXIT_CODES.success;
    } catch (error) {
      if (!(error instanceof KmsJwtError)) throw error;
      const unavailable = error.code === 'ERR_KEY_SOURCE_UNAVAILABLE';
      if (values.json === true) io.stdout.write(`${JSON.stringify({ valid: false, error: failureReport(error) })}\n`);
      if (unavailable) throw keysUnavailable(error, keys.where);
      io.stderr.write(`kms-jwt verify: invalid token: ${error.code}: ${error.message}\n`);
      return EXIT_CODES.failure;
    }
  } finally {
    keys.close();
  }
}
