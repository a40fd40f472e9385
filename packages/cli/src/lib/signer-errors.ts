import { KmsJwtSignerError } from 'kms-jwt-signer';
import { CliError, UsageError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { findSetupProblem } from './kms-errors.js';

/**
 * Maps the signer's errors for `sign` and `sign-message`: the input (claims, message, options) is a
 * usage error (exit 2), a KMS outage exits 3, anything KMS refused exits 1. `where` is the endpoint.
 */
export function signFailed(error: unknown, where: string): unknown {
  if (!(error instanceof KmsJwtSignerError)) return error;
  const setup = findSetupProblem(error);
  if (setup !== undefined) return setup;
  const message = `${error.message.replace(/^kms-jwt-signer: /, '')} [${error.code}]`;
  switch (error.code) {
    case 'ERR_CONFIG_INVALID':
    case 'ERR_CLAIMS_INVALID':
    case 'ERR_MESSAGE_INVALID':
    case 'ERR_MESSAGE_TOO_LARGE':
      return new UsageError(message, { cause: error });
    case 'ERR_KMS_UNAVAILABLE':
    case 'ERR_KMS_THROTTLED':
      return new CliError(`${message} (endpoint: ${where})`, EXIT_CODES.unavailable, { cause: error });
    default:
      return new CliError(message, EXIT_CODES.failure, { cause: error });
  }
}
