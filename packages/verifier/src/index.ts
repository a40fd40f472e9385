export { createVerifier, type Verifier } from './create-verifier.js';
export { createMessageVerifier, type MessageVerifier } from './create-message-verifier.js';
export { DEFAULT_MAX_MESSAGE_PAYLOAD_BYTES, type MessageVerifierOptions } from './message-options.js';
export type { DetachedSignedMessage, MessageHeader, ReplayHook, ReplayHookInput, SignedMessageInput, VerifiedMessage } from './message-types.js';
export { MESSAGE_TYPE } from './message-type.js';
export type { VerifierTelemetry } from './verifier-telemetry.js';
export type { ClaimOptions, ValidateHook, VerifiedTokenCacheOptions, VerifierOptions, VerifyOverrides } from './options.js';
export type { KeyResolver, TrustedKey } from './key-resolver.js';
export type { TrustedPublicKey, WebCryptoPublicKey } from './public-key.js';
export { createStaticKeyResolver, keysFromJwks, type JsonWebKeySet, type StaticKey } from './static-keys.js';
export { ALGORITHMS_BY_KEY_SPEC, JWS_ALGORITHMS, algorithmsForKey, type JwsAlgorithm, type KmsSigningKeySpec } from './algorithms.js';
export type { JwsHeader, JwtPayload, VerifiedToken } from './types.js';
export { derToJose } from './der.js';
export { toLowS } from './ecdsa-low-s.js';
export {
  AlgNotAllowedError,
  AlgUnsupportedByRuntimeError,
  JwsHeaderUnsupportedError,
  JwtClaimInvalidError,
  JwtClaimMissingError,
  JwtClaimsError,
  JwtExpiredError,
  JwtIssuedInFutureError,
  JwtLifetimeTooLongError,
  JwtMalformedError,
  JwtNotYetValidError,
  JwtTokenError,
  JwtTooLargeError,
  JwtTooOldError,
  KeySourceUnavailableError,
  KeyTrustError,
  KidMissingError,
  KidUntrustedError,
  KmsJwtError,
  MessageReplayedError,
  MessageTypeInvalidError,
  ReplayCheckUnavailableError,
  SignatureCheckUnavailableError,
  SignatureHighSError,
  SignatureInvalidError,
  TokenIsMessageError,
  VerifierConfigError,
  type KmsJwtErrorCode,
  type KmsJwtErrorFamily,
} from './errors.js';
export type { KmsCall, KmsCallOperation, TraceKmsCall } from './kms-call-telemetry.js';
