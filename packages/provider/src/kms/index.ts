/**
 * kms-pubkey-provider/kms: the KMS key provider alone, without the remote-JWKS provider's modules
 * (a lighter import for cold starts). The same bindings as the package's main entry.
 */
export { createKmsKeyProvider, type KeyProviderReady, type KmsKeyProvider } from '../create-kms-key-provider.js';
export type { KmsKeyProviderOptions } from '../options.js';
export type { KmsKeyConfig } from '../key-config.js';
export { spkiSha256 } from '../spki-thumbprint.js';
export type { OfflineKey } from '../offline-keys.js';
export type { KmsKeySnapshot, KmsKeySnapshotAlias, KmsKeySnapshotKey } from '../snapshot.js';
export type { ProviderTimers } from '../timers.js';
export type { KeyFetchedEvent, KeyFetchFailedEvent, KeyMismatchEvent, KeyProviderHooks, KeySourceName, KeyUntrustedEvent, KeyUntrustedReason, RotationEvent } from '../events.js';
export { KeyPinMismatchError, KeyProviderConfigError, KeyProviderEndpointError, SnapshotRejectedError, type SnapshotRejectedReason } from '../errors.js';
export type { KeyProviderTallies, KeyProviderTelemetry, KeyResolutionOutcome, KeyResolutionSource, PenaltyBoxEvent } from '../telemetry.js';
