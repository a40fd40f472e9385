export { createKmsJwtSigner, type KmsJwtSigner } from './create-kms-jwt-signer.js';
export { createKmsMessageSigner, type KmsMessageSigner, type SignedMessage } from './create-kms-message-signer.js';
export { MAX_RAW_MESSAGE_BYTES, type SigningKeyInfo } from './kms-signing.js';
export type { KmsJwtSignerOptions, SignOptions } from './options.js';
export { DEFAULT_MAX_MESSAGE_PAYLOAD_BYTES, type KmsMessageSignerOptions, type SignMessageOptions } from './message-options.js';
export type { BytesMessageContent, JsonMessageContent, MessageContent } from './message-content.js';
export { MESSAGE_TYPE } from 'kms-jwt-verifier';
export type { JwtClaims } from './claims.js';
export type { JwsAlgorithm, KmsSigningKeySpec } from 'kms-jwt-verifier';
export {
  AlgorithmNotSupportedError,
  ClaimsInvalidError,
  Ed25519InputTooLargeError,
  KmsAccessDeniedError,
  KmsJwtSignerError,
  KmsKeyDisabledError,
  KmsKeyNotFoundError,
  KmsKeyPendingDeletionError,
  KmsKeyStateError,
  KmsKeyUsageError,
  KmsRequestError,
  KmsSignatureInvalidError,
  KmsThrottledError,
  KmsUnavailableError,
  MessageInvalidError,
  MessageTooLargeError,
  SignerConfigError,
  SignerEndpointError,
  type KmsJwtSignerErrorCode,
  type KmsJwtSignerErrorOptions,
} from './errors.js';
export type { LimiterWaitEvent, SignerTelemetry, SigningCall } from './telemetry.js';
