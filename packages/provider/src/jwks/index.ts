/**
 * kms-pubkey-provider/jwks: the remote-JWKS provider alone, without the KMS provider's modules
 * (a lighter import for cold starts). The same bindings as the package's main entry.
 */
export { createJwksKeyProvider, type JwksKeyProvider } from '../create-jwks-key-provider.js';
export type { JwksKeyProviderOptions } from '../jwks-options.js';
export type { JwksTrustRule } from '../jwks-allowlist.js';
export type {
  JwksFetchedEvent,
  JwksFetchFailedEvent,
  JwksFetchFailureReason,
  JwksKeyIgnoredEvent,
  JwksKeyIgnoredReason,
  JwksKeyProviderHooks,
  JwksWithdrawnKey,
} from '../jwks-events.js';
export { JwksInvalidError, type JwksProblem } from '../jwks-errors.js';
export { KeyProviderConfigError } from '../errors.js';
export type { ProviderTimers } from '../timers.js';
export type { KeyProviderTallies, KeyProviderTelemetry, KeyResolutionOutcome, KeyResolutionSource, PenaltyBoxEvent } from '../telemetry.js';
