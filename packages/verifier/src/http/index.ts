/**
 * kms-jwt-verifier/http: the framework-neutral HTTP layer of the kms-jwt adapters (Express, Koa,
 * Passport) — the RFC 6750 Bearer parser, the mapping of verifier errors to 400/401/403/503 answers
 * with `WWW-Authenticate` challenges, the scope and claim checks, and the JWKS route.
 */
export { authTokenOf, type AuthToken, type RawTokenSink } from './auth-token.js';
export { createBearerAuth, type AuthOutcome, type BearerAuth, type BearerAuthOptions } from './bearer-auth.js';
export { extractBearerToken, parseAuthorization, type AuthorizationCredentials, type BearerRequest, type KnownTokens, type TokenExtraction } from './bearer.js';
export { claimRequirement, scopeRequirement, scopesOf, type ClaimExpectation, type ClaimRequirements, type Requirement } from './authorization.js';
export type { Failure } from './challenge.js';
export { requestSlot, type RequestSlot } from './request-slot.js';
export { createJwksResponder, type JwksOptions, type JwksResponse, type JwksSource } from './jwks.js';
export {
  AdapterConfigError,
  HttpAuthError,
  RevocationCheckUnavailableError,
  type AuthResponse,
  type AuthResponseBody,
  type AuthResponseHeaders,
  type BearerErrorCode,
  type HttpAuthErrorCode,
  type HttpAuthErrorFamily,
  type HttpAuthErrorInit,
  type OAuthErrorName,
} from './errors.js';
