export { createKmsJwtSigner, MAX_RAW_MESSAGE_BYTES, type KmsJwtSigner, type SigningKeyInfo } from './create-kms-jwt-signer.js';
export type { KmsJwtSignerOptions, SignOptions } from './options.js';
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
  SignerConfigError,
  type KmsJwtSignerErrorCode,
  type KmsJwtSignerErrorOptions,
} from './errors.js';
