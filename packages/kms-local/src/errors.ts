/**
 * The exception names kms-local answers with. Each is a name the real AWS KMS uses, so the
 * unmodified `@aws-sdk/client-kms` maps it to the same exception class it would for AWS.
 */
export type KmsErrorType =
  | 'AlreadyExistsException'
  | 'DependencyTimeoutException'
  | 'DisabledException'
  | 'DryRunOperationException'
  | 'InvalidAliasNameException'
  | 'InvalidArnException'
  | 'InvalidKeyUsageException'
  | 'InvalidMarkerException'
  | 'KMSInternalException'
  | 'KMSInvalidMacException'
  | 'KMSInvalidSignatureException'
  | 'KMSInvalidStateException'
  | 'KeyUnavailableException'
  | 'LimitExceededException'
  | 'MalformedPolicyDocumentException'
  | 'NotFoundException'
  | 'SerializationException'
  | 'TagException'
  | 'ThrottlingException'
  | 'UnsupportedOperationException'
  | 'ValidationException';

const STATUS: Partial<Record<KmsErrorType, number>> = {
  DependencyTimeoutException: 503,
  DryRunOperationException: 412,
  KMSInternalException: 500,
  KeyUnavailableException: 500,
};

/** An error answered to the client as `{"__type": type, "message": message}`. */
export class KmsError extends Error {
  override readonly name = 'KmsError';
  readonly type: KmsErrorType;
  readonly status: number;

  constructor(type: KmsErrorType, message: string, status?: number) {
    super(message);
    this.type = type;
    this.status = status ?? STATUS[type] ?? 400;
  }
}

/** Shorthand for `new KmsError(...)`, used where an operation rejects a request. */
export function kmsError(type: KmsErrorType, message: string): KmsError {
  return new KmsError(type, message);
}
