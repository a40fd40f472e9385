import type { KmsJwtErrorCode } from './errors.js';
import type { HttpAuthErrorCode } from './http/errors.js';

/**
 * What a verifier reports to an instrumentation, such as kms-jwt-opentelemetry's
 * `createKmsJwtTelemetry().verifier`: plain callbacks, each called synchronously on the verifying
 * call's path and expected to return at once without throwing (count, and export later). They are
 * given error codes and names of this package only, never a token, a claim or key material.
 */
export interface VerifierTelemetry {
  /** A token verified (from the verified-token cache or not). */
  verified(): void;
  /** A verification was refused (rejected or thrown) with this error's `code`. */
  refused(code: KmsJwtErrorCode): void;
  /** A verification was answered from the verified-token cache (claims and `validate` are still checked on a hit). */
  cacheHit(): void;
  /** A verification without overrides found no usable entry in the verified-token cache and verified the token in full. */
  cacheMiss(): void;
  /**
   * kms-jwt-verifier/http (every adapter) answered a request with a failure: any of the verifier's
   * codes, or one of the HTTP layer's own (`ERR_CREDENTIALS_MISSING`, `ERR_REQUEST_INVALID`,
   * `ERR_TOKEN_REVOKED`, `ERR_SCOPE_INSUFFICIENT`, ...), with the answer's status and the
   * adapter's package name (`'kms-jwt-express'`, ...).
   */
  requestRefused(code: HttpAuthErrorCode, status: 400 | 401 | 403 | 503, adapter: string): void;
}

/**
 * The key under which a verifier from `createVerifier` holds the telemetry it was given, so that
 * the HTTP layer counts its refusals through the same telemetry. Not public API.
 */
export const VERIFIER_TELEMETRY: unique symbol = Symbol.for('kms-jwt-verifier/telemetry');
