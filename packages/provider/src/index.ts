export { createKmsKeyProvider, type KmsKeyProvider } from './create-kms-key-provider.js';
export type { KmsKeyProviderOptions } from './options.js';
export type { KmsKeyConfig } from './key-config.js';
export { spkiSha256 } from './spki-thumbprint.js';
export type { OfflineKey } from './offline-keys.js';
export type { KmsKeySnapshot, KmsKeySnapshotAlias, KmsKeySnapshotKey } from './snapshot.js';
export type { ProviderTimers } from './timers.js';
export type { KeyFetchedEvent, KeyFetchFailedEvent, KeyProviderHooks, KeyUntrustedEvent, KeyUntrustedReason, RotationEvent } from './events.js';
export type { KeyMismatchEvent, KeySourceName } from './events.js';
export { KeyProviderConfigError } from './errors.js';
export type { KeyProviderReady } from './create-kms-key-provider.js';
export { KeyProviderEndpointError } from './errors.js';
export { createJwksKeyProvider, type JwksKeyProvider } from './create-jwks-key-provider.js';
export type { JwksKeyProviderOptions } from './jwks-options.js';
export type { JwksTrustRule } from './jwks-allowlist.js';
export type {
  JwksFetchedEvent,
  JwksFetchFailedEvent,
  JwksFetchFailureReason,
  JwksKeyIgnoredEvent,
  JwksKeyIgnoredReason,
  JwksKeyProviderHooks,
  JwksWithdrawnKey,
} from './jwks-events.js';
export { JwksInvalidError, type JwksProblem } from './jwks-errors.js';
export { KeyPinMismatchError, SnapshotRejectedError, type SnapshotRejectedReason } from './errors.js';
export type { KeyProviderTallies, KeyProviderTelemetry, KeyResolutionOutcome, KeyResolutionSource, PenaltyBoxEvent } from './telemetry.js';
