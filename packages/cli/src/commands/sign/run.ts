import { createKmsJwtSigner, type KmsJwtSignerOptions } from 'kms-jwt-signer';
import type { ParsedArgs } from '../../lib/command.js';
import { UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import { parseDurationSeconds } from '../../lib/duration.js';
import { parseAlgorithm } from '../../lib/flag-values.js';
import type { CliIo } from '../../lib/io.js';
import { createKmsClient, trustedEndpointOf } from '../../lib/kms-client.js';
import { describeEndpoint } from '../../lib/kms-flags.js';
import { signFailed } from '../../lib/signer-errors.js';
import { collectClaims } from './claims.js';
import type { signOptions } from './definition.js';

const DEFAULT_EXPIRES_IN_SECONDS = 900;

export async function run({ values }: ParsedArgs<typeof signOptions>, io: CliIo): Promise<ExitCode> {
  const keyId = values['key-id'];
  if (keyId === undefined || keyId.trim().length === 0) throw new UsageError('--key-id is required: a key id, key ARN, alias name (alias/...) or alias ARN');
  const algorithm = parseAlgorithm(values.alg);
  let expiresInSeconds = DEFAULT_EXPIRES_IN_SECONDS;
  if (values['expires-in'] !== undefined) {
    const parsed = parseDurationSeconds(values['expires-in']);
    if (parsed === undefined || parsed < 1) throw new UsageError(`--expires-in must be a duration such as 900, 90s, 15m, 1h or 7d, not ${values['expires-in']}`);
    expiresInSeconds = parsed;
  }
  let notBeforeSeconds: number | undefined;
  if (values['not-before'] !== undefined) {
    notBeforeSeconds = parseDurationSeconds(values['not-before'], true);
    if (notBeforeSeconds === undefined) throw new UsageError(`--not-before must be a duration such as 0, 30s or (with '=') -30s, not ${values['not-before']}`);
  }

  const claims = await collectClaims(values, io);
  if (claims.exp !== undefined && values['expires-in'] !== undefined) throw new UsageError('give exp either in --claims or as --expires-in, not both');
  if (claims.nbf !== undefined && notBeforeSeconds !== undefined) throw new UsageError('give nbf either in --claims or as --not-before, not both');

  const client = createKmsClient(values);
  try {
    const options: KmsJwtSignerOptions = {
      keyId: keyId.trim(),
      client,
      ...trustedEndpointOf(values),
      expiresInSeconds,
      ...(algorithm === undefined ? {} : { algorithm }),
      ...(notBeforeSeconds === undefined ? {} : { notBeforeSeconds }),
    };
    const token = await createKmsJwtSigner(options).sign(claims);
    io.stdout.write(`${token}\n`);
    return EXIT_CODES.success;
  } catch (error) {
    throw signFailed(error, describeEndpoint(values));
  } finally {
    client.destroy();
  }
}
