import type { KMSClient } from '@aws-sdk/client-kms';
import { createVerifier, JWS_ALGORITHMS, KmsJwtError, type JwsAlgorithm, type Verifier, type VerifierOptions } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KmsKeyProvider } from 'kms-pubkey-provider';
import type { ParsedArgs } from '../../lib/command.js';
import { parseDurationSeconds } from '../../lib/duration.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import type { CliIo } from '../../lib/io.js';
import { createKmsClient } from '../../lib/kms-client.js';
import { checkKmsFlags, describeEndpoint } from '../../lib/kms-flags.js';
import { findSetupProblem } from '../../lib/kms-errors.js';
import { readToken } from '../../lib/token-input.js';
import type { verifyOptions } from './definition.js';
import { keySourcesFrom } from './key-sources.js';
import { describeValid, failureReport } from './report.js';

type Values = ParsedArgs<typeof verifyOptions>['values'];

function claimRule(values: readonly string[] | undefined, any: boolean | undefined, name: 'issuer' | 'audience'): readonly string[] | null {
  const given = values ?? [];
  if (any === true && given.length > 0) throw new UsageError(`give --${name} or --any-${name}, not both`);
  if (any === true) return null;
  if (given.length === 0) throw new UsageError(`--${name} is required: the accepted ${name === 'issuer' ? 'iss' : 'aud'} value(s), or --any-${name} to accept any`);
  return given;
}

function claimOptions(values: Values): Omit<VerifierOptions, 'keys'> {
  const algorithms = values.alg ?? [];
  const unknown = algorithms.filter((alg) => !(JWS_ALGORITHMS as readonly string[]).includes(alg));
  if (unknown.length > 0) throw new UsageError(`--alg must be one of ${JWS_ALGORITHMS.join(', ')}, not ${unknown.join(', ')}`);
  let clockToleranceSeconds: number | undefined;
  if (values['clock-tolerance'] !== undefined) {
    clockToleranceSeconds = parseDurationSeconds(values['clock-tolerance']);
    if (clockToleranceSeconds === undefined) throw new UsageError(`--clock-tolerance must be a duration such as 30, 30s or 2m, not ${values['clock-tolerance']}`);
  }
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
    ...(algorithms.length === 0 ? {} : { algorithms: algorithms as JwsAlgorithm[] }),
    ...(clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds }),
    ...(maxTokenLifetimeSeconds === undefined ? {} : { maxTokenLifetimeSeconds }),
    cache: false,
  };
}

/** A key source that cannot be used: no verdict on the token (exit 3). */
function keysUnavailable(error: unknown, where: string): CliError {
  const setup = findSetupProblem(error);
  if (setup !== undefined) return setup;
  const message = error instanceof Error ? error.message.replace(/^kms-pubkey-provider: /, '') : String(error);
  const code = error instanceof KmsJwtError ? ` [${error.code}]` : '';
  return new CliError(`cannot obtain the keys to verify with (${where}): ${message}${code}`, EXIT_CODES.unavailable, { cause: error });
}

export async function run({ values, positionals }: ParsedArgs<typeof verifyOptions>, io: CliIo): Promise<ExitCode> {
  const rules = claimOptions(values);
  const sources = await keySourcesFrom(values);
  checkKmsFlags(values);
  const token = await readToken(positionals[0], io);
  const where = sources.usesKms ? describeEndpoint(values) : 'offline keys';

  let client: KMSClient | undefined;
  let provider: KmsKeyProvider | undefined;
  try {
    if (sources.usesKms) client = createKmsClient(values);
    try {
      provider = createKmsKeyProvider({ ...sources.options, ...(client === undefined ? {} : { client }) });
      await provider.ready();
    } catch (error) {
      const failure = keysUnavailable(error, where);
      if (values.json === true && failure.exitCode === EXIT_CODES.unavailable) {
        const [code, family] = error instanceof KmsJwtError ? [error.code, error.family] : ['ERR_KEY_SOURCE_UNAVAILABLE', 'infrastructure'];
        io.stdout.write(`${JSON.stringify({ valid: false, error: { code, family, message: failure.message } })}\n`);
      }
      throw failure;
    }
    let verifier: Verifier;
    try {
      verifier = createVerifier({ keys: provider, ...rules });
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
      if (unavailable) throw keysUnavailable(error, where);
      io.stderr.write(`kms-jwt verify: invalid token: ${error.code}: ${error.message}\n`);
      return EXIT_CODES.failure;
    }
  } finally {
    provider?.close();
    client?.destroy();
  }
}
