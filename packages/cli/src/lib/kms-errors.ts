import { SignerEndpointError } from 'kms-jwt-signer';
import { KeyProviderEndpointError } from 'kms-pubkey-provider';
import { CliError, UsageError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';

const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded']);
const UNAVAILABLE = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** The fields of an SDK exception (or a network error) read here. */
interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** The SDK exception's name (or a network error's code). */
export function exceptionName(error: unknown): string {
  const { name, code } = typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
  if (typeof name === 'string' && name !== 'Error') return name;
  return typeof code === 'string' ? code : 'Error';
}

/** The hint for a missing region, missing credentials or a refused KMS endpoint, the usual setup mistakes; else undefined. */
export function setupProblem(error: unknown): CliError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof KeyProviderEndpointError || error instanceof SignerEndpointError) {
    // The libraries' fix is their trustedEndpoint option; the command's is to name the endpoint on the command line.
    return new UsageError(message.replace(/pass trustedEndpoint: '([^']*)'/, 'pass it as --endpoint $1'), { cause: error });
  }
  if (/region is missing/i.test(message)) {
    return new UsageError('no AWS region: pass --region or set AWS_REGION (kms-local uses us-east-1)', { cause: error });
  }
  if (exceptionName(error) === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new CliError(
      'no AWS credentials found (environment, profile, SSO or instance role); kms-local accepts any: export AWS_ACCESS_KEY_ID=kms-local AWS_SECRET_ACCESS_KEY=kms-local',
      EXIT_CODES.failure,
      { cause: error },
    );
  }
  return undefined;
}

/** The first missing-region or missing-credentials problem in an error or its causes (AggregateError included). */
export function findSetupProblem(error: unknown): CliError | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined || next === null || seen.has(next)) continue;
    seen.add(next);
    const found = setupProblem(next);
    if (found !== undefined) return found;
    if (next instanceof AggregateError) queue.push(...(next.errors as unknown[]));
    if (next instanceof Error) queue.push(next.cause);
  }
  return undefined;
}

/** Whether a KMS failure may pass with time: throttling, 5xx, timeouts, network errors. */
export function isUnavailable(error: unknown): boolean {
  const name = exceptionName(error);
  const status = (error as ErrorShape | null | undefined)?.$metadata?.httpStatusCode;
  return THROTTLED.has(name) || UNAVAILABLE.has(name) || NETWORK_CODES.has(name) || (typeof status === 'number' && status >= 500);
}

/**
 * Turns an error from a KMS call into a one-line {@link CliError}: exit 3 when KMS is unavailable
 * (throttled, failing, unreachable), exit 2 for a missing region, exit 1 when KMS refused.
 */
export function kmsCallFailed(error: unknown, what: string, where: string): CliError {
  const setup = setupProblem(error);
  if (setup !== undefined) return setup;
  const name = exceptionName(error);
  const message = error instanceof Error && error.message.length > 0 && error.message !== name ? `: ${error.message.slice(0, 300)}` : '';
  if (isUnavailable(error)) {
    return new CliError(`cannot ${what}: KMS is unavailable at ${where} (${name}${message}); retry later`, EXIT_CODES.unavailable, { cause: error });
  }
  return new CliError(`cannot ${what}: KMS refused (${name}${message})`, EXIT_CODES.failure, { cause: error });
}
