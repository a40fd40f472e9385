import type { KeyUntrustedReason } from './events.js';

/** What a failed KMS call means for trust. */
export type KmsFailure =
  /** KMS answered about the key itself: it cannot be trusted (until a later check says otherwise). */
  | { readonly kind: 'untrusted'; readonly reason: Exclude<KeyUntrustedReason, 'grace-ended'> }
  /** The key source is unavailable (or refuses us): the key's trust is unknown, so keep what is cached. */
  | { readonly kind: 'unavailable' };

const UNTRUSTED: Readonly<Record<string, Exclude<KeyUntrustedReason, 'grace-ended'>>> = {
  NotFoundException: 'not-found',
  InvalidArnException: 'not-found',
  DisabledException: 'disabled',
  KMSInvalidStateException: 'invalid-state',
  InvalidKeyUsageException: 'unusable',
  UnsupportedOperationException: 'unusable',
};

/** The `name` of an SDK exception (or any error), without depending on SDK types. */
export function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name.length > 0 ? name : 'Error';
}

/**
 * Maps an SDK exception by name. Answers about the key (not found, disabled, pending deletion,
 * wrong usage) make it untrusted; everything else — throttling, 5xx, timeouts, network errors,
 * AccessDeniedException, unknown errors — means the key source is unavailable.
 */
export function classifyKmsError(error: unknown): KmsFailure {
  const name = errorName(error);
  // Own names only: an exception named after an Object.prototype member ("toString") is no answer about the key.
  const reason = Object.hasOwn(UNTRUSTED, name) ? UNTRUSTED[name] : undefined;
  return reason === undefined ? { kind: 'unavailable' } : { kind: 'untrusted', reason };
}

/** `error` as an Error (SDK exceptions already are). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** A one-line description of a failure for messages: name and message, never key material. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = errorName(error);
  return message && message !== name ? `${name}: ${message}` : name;
}

/**
 * A KMS call cut off at `requestTimeoutMs`: KMS did not answer in time. Named `TimeoutError` (as a
 * timeout signal's reason is); the SDK's own rejection of the aborted call (an `AbortError`, "Request
 * aborted") is its `cause`. Classified unavailable, like any failure that may pass.
 */
export class KmsTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly operation: 'GetPublicKey' | 'DescribeKey';
  readonly timeoutMs: number;

  constructor(operation: 'GetPublicKey' | 'DescribeKey', timeoutMs: number, cause: unknown) {
    super(`KMS did not answer ${operation} within requestTimeoutMs (${timeoutMs} ms)`, { cause });
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}
