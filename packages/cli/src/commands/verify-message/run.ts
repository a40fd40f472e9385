import { createMessageVerifier, KmsJwtError, type MessageVerifier, type MessageVerifierOptions, type SignedMessageInput, type VerifiedMessage } from 'kms-jwt-verifier';
import type { ParsedArgs } from '../../lib/command.js';
import { parseDurationSeconds } from '../../lib/duration.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import { failureReport } from '../../lib/failure-report.js';
import { readInputBytes } from '../../lib/file-input.js';
import { parseAlgorithms, parseClockTolerance } from '../../lib/flag-values.js';
import type { CliIo } from '../../lib/io.js';
import { checkKmsFlags } from '../../lib/kms-flags.js';
import { keySourcesFrom } from '../../lib/key-sources.js';
import { describeTime } from '../../lib/output.js';
import { keysUnavailable, openTrustedKeys, unavailableReport, type TrustedKeys } from '../../lib/trusted-keys.js';
import type { verifyMessageOptions } from './definition.js';

type Values = ParsedArgs<typeof verifyMessageOptions>['values'];

function checkOptions(values: Values): Omit<MessageVerifierOptions, 'keys'> {
  const maxAge = values['max-age'];
  if (maxAge === undefined) throw new UsageError('--max-age is required: the oldest message to accept (5m, 1h, 7d), or none to accept messages of any age');
  const maxMessageAgeSeconds = maxAge === 'none' ? null : parseDurationSeconds(maxAge);
  if (maxMessageAgeSeconds === undefined || maxMessageAgeSeconds === 0) throw new UsageError(`--max-age must be a duration such as 5m, 1h or 7d, or none, not ${maxAge}`);
  const algorithms = parseAlgorithms(values.alg);
  const clockToleranceSeconds = parseClockTolerance(values['clock-tolerance']);
  return {
    maxMessageAgeSeconds,
    ...(algorithms.length === 0 ? {} : { algorithms }),
    ...(clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds }),
  };
}

/** The message to check: the compact JWS from the input, or the detached JWS from its file and the message from the input. */
async function readMessage(values: Values, path: string | undefined, io: CliIo): Promise<SignedMessageInput> {
  const detached = values.detached;
  if (detached === undefined) {
    const jws = (await readInputBytes(path, io, 'signed message')).toString('utf8').trim();
    if (jws.length === 0) throw new UsageError('the signed message is empty: pass a file holding the JWS, or pipe it on stdin');
    return jws;
  }
  if (detached === '-' && (path === undefined || path === '-')) throw new UsageError('--detached - and the message cannot both come from stdin: give the message as a file');
  const jws = (await readInputBytes(detached, io, 'detached JWS')).toString('utf8').trim();
  if (jws.length === 0) throw new UsageError(`the detached JWS file ${detached} is empty`);
  return { jws, payload: await readInputBytes(path, io, 'message') };
}

/** The VALID line for stderr: key, algorithm, message id, content type, times. */
function describeValid(verified: VerifiedMessage<unknown>, nowMs: number): string {
  const { header } = verified;
  const parts = [`VALID: signed by ${verified.key} (${header.alg})`, `message ${verified.messageId}`, verified.contentType];
  const issued = describeTime(header.iat, nowMs);
  if (issued !== undefined) parts.push(`signed ${issued}`);
  const expires = describeTime(header.exp, nowMs);
  if (expires !== undefined) parts.push(`expires ${expires}`);
  return `${parts.join(', ')}\n`;
}

export async function run({ values, positionals }: ParsedArgs<typeof verifyMessageOptions>, io: CliIo): Promise<ExitCode> {
  const options = checkOptions(values);
  const sources = await keySourcesFrom(values);
  checkKmsFlags(values);
  const message = await readMessage(values, positionals[0], io);

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
    let verifier: MessageVerifier;
    try {
      verifier = createMessageVerifier({ keys: keys.provider, ...options });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message.replace(/^kms-jwt-verifier: /, '') : String(error), { cause: error });
    }
    const bytes = values.bytes === true;
    try {
      const verified: VerifiedMessage<unknown> = bytes ? await verifier.verifyBytes(message) : await verifier.verify(message);
      if (values.json === true) {
        const payload = bytes ? { payloadBase64: (verified.payload as Buffer).toString('base64') } : { payload: verified.payload };
        const { messageId, key, contentType, header } = verified;
        io.stdout.write(`${JSON.stringify({ valid: true, messageId, key, contentType, header, ...payload })}\n`);
      } else {
        // The message exactly as signed: the decoded compact payload, or the detached input itself.
        const signedBytes = typeof message === 'string' ? Buffer.from(message.split('.')[1] ?? '', 'base64url') : (message.payload as Buffer);
        io.stdout.write(signedBytes);
        io.stderr.write(describeValid(verified, Date.now()));
      }
      return EXIT_CODES.success;
    } catch (error) {
      if (!(error instanceof KmsJwtError)) throw error;
      if (values.json === true) io.stdout.write(`${JSON.stringify({ valid: false, error: failureReport(error) })}\n`);
      if (error.code === 'ERR_KEY_SOURCE_UNAVAILABLE') throw keysUnavailable(error, keys.where);
      const hint = error.code === 'ERR_JWT_CLAIM_INVALID' && (error as { claim?: unknown }).claim === 'cty' ? ' (pass --bytes to accept a message that is not JSON)' : '';
      io.stderr.write(`kms-jwt verify-message: invalid message: ${error.code}: ${error.message}${hint}\n`);
      return EXIT_CODES.failure;
    }
  } finally {
    keys.close();
  }
}
