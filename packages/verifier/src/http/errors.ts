import type { KmsJwtErrorCode, KmsJwtErrorFamily } from '../errors.js';

/** Codes of the outcomes the HTTP layer adds to the verifier's own. */
export type BearerErrorCode =
  | 'ERR_CREDENTIALS_MISSING'
  | 'ERR_REQUEST_INVALID'
  | 'ERR_TOKEN_REVOKED'
  | 'ERR_TOKEN_REJECTED'
  | 'ERR_SCOPE_INSUFFICIENT'
  | 'ERR_CLAIM_MISMATCH'
  | 'ERR_REVOCATION_CHECK_UNAVAILABLE';

/** Every code an {@link HttpAuthError} carries: the verifier's (`ERR_JWT_EXPIRED`, ...) or the HTTP layer's. */
export type HttpAuthErrorCode = KmsJwtErrorCode | BearerErrorCode;

/** The verifier's families, plus `request` (no or unusable credentials) and `authorization` (a valid token that may not do this). */
export type HttpAuthErrorFamily = KmsJwtErrorFamily | 'request' | 'authorization';

/**
 * The `error` member of the JSON body: RFC 6750 §3.1 codes, `unauthorized` for a request without
 * credentials (RFC 6750 gives that case no code) and `temporarily_unavailable` (RFC 6749) for 503.
 */
export type OAuthErrorName = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'unauthorized' | 'temporarily_unavailable';

/** Headers of an authentication failure. */
export interface AuthResponseHeaders {
  /** The RFC 6750 challenge; on every 400, 401 and 403, never on 503. */
  readonly 'WWW-Authenticate'?: string;
  /** Seconds to wait before retrying; on 503 only. */
  readonly 'Retry-After'?: string;
}

/** The JSON body of an authentication failure. It never contains the token. */
export interface AuthResponseBody {
  readonly error: OAuthErrorName;
  readonly error_description: string;
}

/** A framework-neutral answer to a request that failed authentication or authorization. */
export interface AuthResponse {
  readonly status: 400 | 401 | 403 | 503;
  readonly headers: AuthResponseHeaders;
  readonly body: AuthResponseBody;
}

/** What an {@link HttpAuthError} is made of. */
export interface HttpAuthErrorInit extends AuthResponse {
  readonly code: HttpAuthErrorCode;
  readonly family: HttpAuthErrorFamily;
  readonly claim?: string | undefined;
  readonly requiredScopes?: readonly string[] | undefined;
  readonly cause?: unknown;
}

/**
 * A request that failed authentication (400, 401, 503) or authorization (403), with the answer to
 * send: `status`, `headers` and `body`. `message` is the `error_description` the client is told
 * (safe to expose: `expose` is true, as Koa and http-errors expect); the verifier's detailed error,
 * when there is one, is the `cause`.
 */
export class HttpAuthError extends Error implements AuthResponse {
  readonly status: AuthResponse['status'];
  /** Same as `status`, for handlers that read `statusCode`. */
  readonly statusCode: AuthResponse['status'];
  readonly code: HttpAuthErrorCode;
  readonly family: HttpAuthErrorFamily;
  readonly headers: AuthResponseHeaders;
  readonly body: AuthResponseBody;
  /** The message is meant for the client (Koa's and Express's default error handlers show it). */
  readonly expose = true;
  /** The claim that failed, for claim errors and `requireClaims`. */
  readonly claim?: string;
  /** The scopes the resource requires, for `ERR_SCOPE_INSUFFICIENT`. */
  readonly requiredScopes?: readonly string[];

  constructor(init: HttpAuthErrorInit) {
    super(init.body.error_description, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.statusCode = init.status;
    this.code = init.code;
    this.family = init.family;
    this.headers = init.headers;
    this.body = init.body;
    if (init.claim !== undefined) this.claim = init.claim;
    if (init.requiredScopes !== undefined) this.requiredScopes = init.requiredScopes;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** A configuration mistake in an adapter's options, thrown at construction; the message starts with the package name. */
export class AdapterConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID' as const;

  constructor(packageName: string, message: string) {
    super(`${packageName}: ${message}`);
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * Thrown (or rejected with) by an `isRevoked` hook whose revocation store cannot answer (it is down,
 * or its copy is too stale to trust): the adapters answer 503 `temporarily_unavailable` with
 * `Retry-After`, never 401. Revocation stores (kms-jwt-fleet) subclass it; the `cause` says why.
 */
export class RevocationCheckUnavailableError extends Error {
  readonly code = 'ERR_REVOCATION_CHECK_UNAVAILABLE' as const;
  readonly family = 'infrastructure' as const;
  readonly status = 503 as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  override get name(): string {
    return this.constructor.name;
  }
}
