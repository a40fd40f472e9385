import { createVerifier, KmsJwtError, type Verifier } from 'kms-jwt-verifier';
import type { ParsedArgs } from '../../lib/command.js';
import { claimRulesFrom } from '../../lib/claim-rules.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import { failureReport } from '../../lib/failure-report.js';
import type { CliIo } from '../../lib/io.js';
import { checkKmsFlags } from '../../lib/kms-flags.js';
import { keySourcesFrom } from '../../lib/key-sources.js';
import { readToken } from '../../lib/token-input.js';
import { keysUnavailable, openTrustedKeys, unavailableReport, type TrustedKeys } from '../../lib/trusted-keys.js';
import type { verifyOptions } from './definition.js';
import { describeValid } from './report.js';

export async function run({ values, positionals }: ParsedArgs<typeof verifyOptions>, io: CliIo): Promise<ExitCode> {
  const rules = claimRulesFrom(values, true);
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
