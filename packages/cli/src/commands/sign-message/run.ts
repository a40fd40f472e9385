import { createKmsMessageSigner, type KmsMessageSignerOptions } from 'kms-jwt-signer';
import type { ParsedArgs } from '../../lib/command.js';
import { parseDurationSeconds } from '../../lib/duration.js';
import { UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import { readInputBytes } from '../../lib/file-input.js';
import { parseAlgorithm } from '../../lib/flag-values.js';
import type { CliIo } from '../../lib/io.js';
import { createKmsClient, trustedEndpointOf } from '../../lib/kms-client.js';
import { checkKmsFlags, describeEndpoint } from '../../lib/kms-flags.js';
import { signFailed } from '../../lib/signer-errors.js';
import type { signMessageOptions } from './definition.js';

export async function run({ values, positionals }: ParsedArgs<typeof signMessageOptions>, io: CliIo): Promise<ExitCode> {
  const keyId = values['key-id'];
  if (keyId === undefined || keyId.trim().length === 0) throw new UsageError('--key-id is required: a key id, key ARN, alias name (alias/...) or alias ARN');
  const algorithm = parseAlgorithm(values.alg);
  let expiresInSeconds: number | undefined;
  if (values['expires-in'] !== undefined) {
    expiresInSeconds = parseDurationSeconds(values['expires-in']);
    if (expiresInSeconds === undefined || expiresInSeconds < 1) throw new UsageError(`--expires-in must be a duration such as 900, 90s, 15m, 1h or 7d, not ${values['expires-in']}`);
  }
  const messageId = values['message-id'];
  if (messageId !== undefined && messageId.length === 0) throw new UsageError('--message-id must not be empty');
  const contentType = values['content-type'] ?? 'application/json';
  checkKmsFlags(values);
  const bytes = await readInputBytes(positionals[0], io, 'message');

  const client = createKmsClient(values);
  try {
    const options: KmsMessageSignerOptions = {
      keyId: keyId.trim(),
      client,
      ...trustedEndpointOf(values),
      ...(algorithm === undefined ? {} : { algorithm }),
      ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
    };
    const signed = await createKmsMessageSigner(options).sign({ bytes, contentType }, messageId === undefined ? undefined : { messageId });
    io.stdout.write(`${values.detached === true ? signed.detachedJws : signed.jws}\n`);
    return EXIT_CODES.success;
  } catch (error) {
    throw signFailed(error, describeEndpoint(values));
  } finally {
    client.destroy();
  }
}
