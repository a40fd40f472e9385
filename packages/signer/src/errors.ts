/** Every error code this package throws; `switch (error.code)` on it. */
export type KmsJwtSignerErrorCode =
  | 'ERR_CONFIG_INVALID'
  | 'ERR_CLAIMS_INVALID'
  | 'ERR_MESSAGE_INVALID'
  | 'ERR_MESSAGE_TOO_LARGE'
  | 'ERR_KMS_KEY_NOT_FOUND'
  | 'ERR_KMS_KEY_DISABLED'
  | 'ERR_KMS_KEY_PENDING_DELETION'
  | 'ERR_KMS_KEY_STATE_INVALID'
  | 'ERR_KMS_KEY_USAGE_INVALID'
  | 'ERR_ALG_NOT_SUPPORTED_BY_KEY'
  | 'ERR_KMS_ACCESS_DENIED'
  | 'ERR_KMS_THROTTLED'
  | 'ERR_KMS_UNAVAILABLE'
  | 'ERR_KMS_REQUEST_FAILED'
  | 'ERR_INPUT_TOO_LARGE_FOR_ED25519'
  | 'ERR_KMS_SIGNATURE_INVALID';

/** What an error may carry besides its message. */
export interface KmsJwtSignerErrorOptions {
  /** The underlying error (an SDK exception, a network error). */
  readonly cause?: unknown;
  /** The KMS key concerned: its ARN once resolved, else the configured `keyId`. */
  readonly keyId?: string;
}

/**
 * Base class of every error this package throws. Messages name the KMS key (its ARN once known)
 * and say what to fix; they never contain the claims, the signing input, a token or a signature.
 */
export abstract class KmsJwtSignerError extends Error {
  abstract readonly code: KmsJwtSignerErrorCode;
  /** `true` when the same call may succeed later unchanged (throttling, KMS unavailable). */
  abstract readonly retryable: boolean;
  /** The KMS key concerned: its ARN once resolved, else the configured `keyId`; absent for claims and configuration errors. */
  readonly keyId: string | undefined;

  constructor(message: string, options: KmsJwtSignerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.keyId = options.keyId;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * The signer's options are wrong; thrown by `createKmsJwtSigner` and `createKmsMessageSigner`,
 * except for what only the client tells at the first call (`hydrate()` or `sign`): its KMS endpoint
 * ({@link SignerEndpointError}) or a Region and endpoint settings that resolve to no endpoint.
 */
export class SignerConfigError extends KmsJwtSignerError {
  readonly code = 'ERR_CONFIG_INVALID' as const;
  readonly retryable = false as const;

  constructor(message: string, options?: KmsJwtSignerErrorOptions) {
    super(`kms-jwt-signer: ${message}`, options);
  }
}

/**
 * The KMS endpoint the client calls is refused: plain HTTP outside loopback (127.0.0.0/8, `[::1]`,
 * `localhost`), where anyone on the network path could answer Sign or DescribeKey. Thrown (code
 * `ERR_CONFIG_INVALID`) by `hydrate()` and the first `sign` of a token or message signer, before any
 * connection.
 */
export class SignerEndpointError extends SignerConfigError {
  /** The endpoint refused, e.g. `http://192.0.2.1:4599`. */
  readonly endpoint: string;

  constructor(message: string, endpoint: string) {
    super(message);
    this.endpoint = endpoint;
  }
}

/** The claims, header parameters or per-call options given to `sign` are wrong; `claim` names which. */
export class ClaimsInvalidError extends KmsJwtSignerError {
  readonly code = 'ERR_CLAIMS_INVALID' as const;
  readonly retryable = false as const;
  /** The claim, header parameter (`header.<name>`) or sign option at fault. */
  readonly claim: string;

  constructor(message: string, claim: string, options?: KmsJwtSignerErrorOptions) {
    super(message, options);
    this.claim = claim;
  }
}

/**
 * The content or the per-call options given to a message signer's `sign` are wrong (a value that
 * is not JSON, bytes that do not match their JSON content type, an empty payload, a media type that
 * is not one, a reserved header parameter); `field` names which. The message never holds the payload.
 */
export class MessageInvalidError extends KmsJwtSignerError {
  readonly code = 'ERR_MESSAGE_INVALID' as const;
  readonly retryable = false as const;
  /** The input at fault: `json`, `bytes`, `contentType`, `messageId`, `expiresInSeconds`, `header.<name>`, `header` or `content`. */
  readonly field: string;

  constructor(message: string, field: string, options?: KmsJwtSignerErrorOptions) {
    super(message, options);
    this.field = field;
  }
}

/**
 * The payload is larger than the message signer's `maxPayloadBytes` (256 KiB by default, the SQS
 * limit): send it another way (e.g. store it in S3 and sign a message that points to it).
 */
export class MessageTooLargeError extends KmsJwtSignerError {
  readonly code = 'ERR_MESSAGE_TOO_LARGE' as const;
  readonly retryable = false as const;
}

/** KMS has no such key or alias (`NotFoundException`), or the key was deleted. */
export class KmsKeyNotFoundError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_KEY_NOT_FOUND' as const;
  readonly retryable = false as const;
}

/** The key is disabled (`DisabledException`, or DescribeKey reports `Disabled`). */
export class KmsKeyDisabledError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_KEY_DISABLED' as const;
  readonly retryable = false as const;
}

/** The key is scheduled for deletion (KeyState `PendingDeletion` or `PendingReplicaDeletion`). */
export class KmsKeyPendingDeletionError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_KEY_PENDING_DELETION' as const;
  readonly retryable = false as const;
}

/** The key is in another state that cannot sign (`PendingImport`, `Creating`, `Updating`, `Unavailable`). */
export class KmsKeyStateError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_KEY_STATE_INVALID' as const;
  readonly retryable = false as const;
}

/** The key is not a signing key (KeyUsage other than `SIGN_VERIFY`, or `InvalidKeyUsageException`). */
export class KmsKeyUsageError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_KEY_USAGE_INVALID' as const;
  readonly retryable = false as const;
}

/** The key cannot make the requested JWS algorithm (or its key spec makes none, e.g. SM2 or ML-DSA). */
export class AlgorithmNotSupportedError extends KmsJwtSignerError {
  readonly code = 'ERR_ALG_NOT_SUPPORTED_BY_KEY' as const;
  readonly retryable = false as const;
}

/** The caller's credentials may not use the key (`AccessDeniedException`, invalid or expired credentials). */
export class KmsAccessDeniedError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_ACCESS_DENIED' as const;
  readonly retryable = false as const;
}

/** KMS still throttled the call after the SDK's own retries (`ThrottlingException`). */
export class KmsThrottledError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_THROTTLED' as const;
  readonly retryable = true as const;
}

/** KMS could not be reached or failed on its side (5xx, `KMSInternalException`, `DependencyTimeoutException`, network errors). */
export class KmsUnavailableError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_UNAVAILABLE' as const;
  readonly retryable = true as const;
}

/** KMS rejected the request for another reason (a `ValidationException`, an unexpected exception). */
export class KmsRequestError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_REQUEST_FAILED' as const;
  readonly retryable = false as const;
}

/**
 * The signing input is longer than the 4096 bytes KMS signs directly, and the key is Ed25519:
 * EdDSA (RFC 8037) signs the whole message, so it cannot be sent as a digest.
 */
export class Ed25519InputTooLargeError extends KmsJwtSignerError {
  readonly code = 'ERR_INPUT_TOO_LARGE_FOR_ED25519' as const;
  readonly retryable = false as const;
}

/**
 * KMS answered with a signature this package will not emit: not strict DER, the wrong length,
 * signed by a different key than asked for, or (with `selfVerify`) not verifying against the key.
 */
export class KmsSignatureInvalidError extends KmsJwtSignerError {
  readonly code = 'ERR_KMS_SIGNATURE_INVALID' as const;
  readonly retryable = false as const;
}
