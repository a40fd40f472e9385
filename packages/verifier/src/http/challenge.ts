import { JwtClaimsError, type KmsJwtError, type KmsJwtErrorCode } from '../errors.js';
import { HttpAuthError, type AuthResponseHeaders, type BearerErrorCode, type HttpAuthErrorFamily, type OAuthErrorName } from './errors.js';

/** What the client is told for each verifier error by default: fixed texts that reveal nothing about keys or expected values. */
const DESCRIPTIONS: Record<KmsJwtErrorCode, string> = {
  ERR_TOKEN_MALFORMED: 'the access token is malformed',
  ERR_TOKEN_TOO_LARGE: 'the access token is too large',
  ERR_JWS_HEADER_UNSUPPORTED: 'the access token header is not accepted',
  ERR_ALG_NOT_ALLOWED: 'the access token algorithm is not accepted',
  ERR_JWS_SIGNATURE_INVALID: 'the access token signature is invalid',
  ERR_JWS_SIGNATURE_HIGH_S: 'the access token signature is not in canonical form',
  ERR_KID_MISSING: 'the access token names no signing key',
  ERR_KID_UNTRUSTED: 'the access token was not signed by a trusted key',
  ERR_JWT_EXPIRED: 'the access token expired',
  ERR_JWT_NOT_YET_VALID: 'the access token is not valid yet',
  ERR_JWT_ISSUED_IN_FUTURE: 'the access token was issued in the future',
  ERR_JWT_TOO_OLD: 'the access token is too old',
  ERR_JWT_LIFETIME_TOO_LONG: 'the access token lifetime is too long',
  ERR_JWT_CLAIM_MISSING: 'the access token lacks a required claim',
  ERR_JWT_CLAIM_INVALID: 'the access token has an invalid claim',
  ERR_TOKEN_IS_MESSAGE: 'the access token is a signed message, not an access token',
  // The message-only codes never come from an access token's verification; texts for completeness.
  ERR_MESSAGE_TYPE_INVALID: 'the signed message is not of the message type',
  ERR_MESSAGE_REPLAYED: 'the signed message was seen before',
  ERR_KEY_SOURCE_UNAVAILABLE: 'the keys that verify access tokens are unavailable; retry later',
  ERR_REPLAY_CHECK_UNAVAILABLE: 'the replay check is unavailable; retry later',
  ERR_JWKS_INVALID: 'the keys that verify access tokens are unavailable; retry later',
  ERR_CONFIG_INVALID: 'the server cannot verify access tokens',
  ERR_ALG_UNSUPPORTED_BY_RUNTIME: 'the server cannot verify access tokens',
  ERR_SIGNATURE_CHECK_UNAVAILABLE: 'the server cannot verify access tokens',
};

/**
 * RFC 6750 §3: `error_description` may only hold %x20-21 / %x23-5B / %x5D-7E, so double quotes
 * become single quotes, backslashes slashes, and anything else outside printable ASCII `?`.
 */
export function descriptionText(text: string): string {
  return text.replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7e]/g, '?');
}

/** An RFC 9110 quoted-string. */
export function quotedString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The settings every answer is built with. */
export interface ChallengeSettings {
  readonly realm: string;
  readonly retryAfterSeconds: number;
  /** Tell the client the verifier's own message instead of the fixed description. */
  readonly debug: boolean;
}

/** One failure, before it becomes an {@link HttpAuthError}. */
export interface Failure {
  readonly status: 400 | 401 | 403 | 503;
  readonly error: OAuthErrorName;
  readonly code: KmsJwtErrorCode | BearerErrorCode;
  readonly family: HttpAuthErrorFamily;
  readonly description: string;
  readonly claim?: string | undefined;
  readonly requiredScopes?: readonly string[] | undefined;
  readonly cause?: unknown;
}

/**
 * Builds the answer: 401/400/403 with an RFC 6750 `WWW-Authenticate` challenge (a bare
 * `Bearer realm="..."` when no credentials were sent), 503 with `Retry-After` and no challenge.
 */
export function toHttpAuthError(failure: Failure, settings: ChallengeSettings): HttpAuthError {
  const description = descriptionText(failure.description);
  let headers: AuthResponseHeaders;
  if (failure.status === 503) {
    headers = { 'Retry-After': String(settings.retryAfterSeconds) };
  } else {
    let challenge = `Bearer realm=${quotedString(settings.realm)}`;
    if (failure.error !== 'unauthorized') challenge += `, error="${failure.error}", error_description="${description}"`;
    if (failure.requiredScopes !== undefined && failure.requiredScopes.length > 0) challenge += `, scope="${failure.requiredScopes.join(' ')}"`;
    headers = { 'WWW-Authenticate': challenge };
  }
  return new HttpAuthError({
    status: failure.status,
    headers,
    body: { error: failure.error, error_description: description },
    code: failure.code,
    family: failure.family,
    claim: failure.claim,
    requiredScopes: failure.requiredScopes,
    cause: failure.cause,
  });
}

/** The failure for a verifier error: 401 invalid_token, or 503 when the key source is unavailable. */
export function verifierFailure(error: KmsJwtError, debug: boolean): Failure {
  const claim = error instanceof JwtClaimsError ? error.claim : undefined;
  let description = DESCRIPTIONS[error.code];
  if (debug) description = error.message;
  else if (claim !== undefined) description += ` (${claim})`;
  const unavailable = error.status === 503;
  return {
    status: unavailable ? 503 : 401,
    error: unavailable ? 'temporarily_unavailable' : 'invalid_token',
    code: error.code,
    family: error.family,
    description,
    claim,
    cause: error,
  };
}
