import {
  KmsAccessDeniedError,
  KmsJwtSignerError,
  KmsKeyDisabledError,
  KmsKeyNotFoundError,
  KmsKeyPendingDeletionError,
  KmsKeyStateError,
  KmsKeyUsageError,
  KmsRequestError,
  KmsThrottledError,
  KmsUnavailableError,
} from './errors.js';

/** The KMS operations this package calls. */
export type KmsOperation = 'DescribeKey' | 'Sign' | 'GetPublicKey';

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'ExpiredTokenException',
  'ExpiredToken',
  'CredentialsProviderError',
]);
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
  'AbortError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** The fields of an SDK exception (or a network error) read here; nothing else of it is used. */
interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly attempts?: unknown };
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

/**
 * Maps an error from a KMS call to this package's error family, by the exception's `name`
 * (SDK exception classes are never part of the API). The message names the operation, the key,
 * the exception and the SDK's attempts; KMS's own message is kept (it never holds the message
 * signed). The original error stays reachable as `cause`.
 */
export function toSignerError(error: unknown, operation: KmsOperation, keyId: string): KmsJwtSignerError {
  if (error instanceof KmsJwtSignerError) return error;
  const { name, code, message, $metadata } = shape(error);
  const exception = typeof name === 'string' && name !== 'Error' ? name : typeof code === 'string' ? code : 'Error';
  const status = typeof $metadata?.httpStatusCode === 'number' ? $metadata.httpStatusCode : undefined;
  const attempts = typeof $metadata?.attempts === 'number' && $metadata.attempts > 1 ? `, after ${$metadata.attempts} attempts` : '';
  const detail = typeof message === 'string' && message.length > 0 ? `: ${message.slice(0, 300)}` : '';
  const describe = (what: string): string => `KMS ${operation} for ${keyId} ${what} (${exception}${attempts}${detail})`;
  const options = { cause: error, keyId };

  switch (exception) {
    case 'NotFoundException':
      return new KmsKeyNotFoundError(describe('failed: no such key or alias'), options);
    case 'DisabledException':
      return new KmsKeyDisabledError(describe('failed: the key is disabled'), options);
    case 'KMSInvalidStateException':
      return typeof message === 'string' && /pending\s*(replica\s*)?deletion/i.test(message)
        ? new KmsKeyPendingDeletionError(describe('failed: the key is pending deletion'), options)
        : new KmsKeyStateError(describe('failed: the key is not in a state that can sign'), options);
    case 'InvalidKeyUsageException':
      return new KmsKeyUsageError(describe('failed: the key cannot be used to sign with this algorithm'), options);
  }
  if (ACCESS_DENIED.has(exception)) return new KmsAccessDeniedError(describe('was denied: check the key policy, IAM permissions (kms:Sign, kms:DescribeKey) and credentials'), options);
  if (THROTTLED.has(exception)) return new KmsThrottledError(describe('was throttled: the request rate exceeds the KMS quota; lower maxRatePerSecond or raise the quota'), options);
  if (UNAVAILABLE.has(exception) || NETWORK_CODES.has(exception) || (status !== undefined && status >= 500) || (status === undefined && !(typeof name === 'string' && name.endsWith('Exception')))) {
    return new KmsUnavailableError(describe('failed: KMS is unavailable or unreachable; retry later'), options);
  }
  return new KmsRequestError(describe('was rejected'), options);
}
