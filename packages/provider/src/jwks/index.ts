/**
 * kms-pubkey-provider/jwks: the remote-JWKS provider's bindings alone. The same bindings as the
 * package's main entry; the published build re-exports the main entry's module (the KMS provider's
 * code, which the main entry's module imports, is loaded too: scripts/bundle-packages.mjs).
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
