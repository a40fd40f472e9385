import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { VerifiedToken } from 'kms-jwt-verifier';
import { authTokenOf, requestSlot, type AuthToken, type BearerAuth, type HttpAuthError, type RawTokenSink } from 'kms-jwt-verifier/http';

/** The package name that starts every configuration error. */
export const PACKAGE = 'kms-jwt-hono';

/** What `kmsJwt` learned about one request, for `requireScopes` / `requireClaims` and {@link authToken} downstream. */
export interface ContextAuth extends RawTokenSink {
  readonly auth: BearerAuth<Context>;
  readonly respond: boolean;
  token: VerifiedToken | undefined;
}

/** Where `kmsJwt()` keeps its {@link ContextAuth} on the context (kms-jwt-verifier/http's symbol slot: out of `c.var` and JSON). */
const slot = requestSlot<Context, ContextAuth>('kms-jwt-hono.state');
export const stateOf: (c: Context) => ContextAuth | undefined = slot.get;
export const setState: (c: Context, state: ContextAuth) => void = slot.set;

/**
 * The answer to a failure (its status, `WWW-Authenticate` or `Retry-After`, and its JSON body) returned with `respond`, else thrown as Hono's
 * `HTTPException` carrying it (as hono/jwt does): Hono's default error handler sends it, `app.onError` sees it (its `cause` is the `HttpAuthError`).
 */
export function reply(c: Context, error: HttpAuthError, respond: boolean): Response {
  const res = c.json(error.body, error.status, { ...error.headers });
  if (respond) return res;
  throw new HTTPException(error.status, { res, message: error.message, cause: error });
}

/**
 * The verified token of a request `kmsJwt()` let through: `{ header, payload, key, token }` — its protected header, its claims
 * (as `c.get('auth')`), the KMS key ARN that verified it and the raw token it sent (a credential: keep it out of logs). `undefined`
 * for a request without one (no credentials under `credentialsRequired: false`, or not seen by `kmsJwt()`). A new frozen object on each call.
 */
export function authToken(c: Context): AuthToken | undefined {
  const state = stateOf(c);
  return authTokenOf(state?.token, state);
}
