import type { Context } from 'koa';
import type { VerifiedToken } from 'kms-jwt-verifier';
import { authTokenOf, requestSlot, type AuthToken, type BearerAuth, type HttpAuthError, type RawTokenSink } from 'kms-jwt-verifier/http';

/** The package name that starts every configuration error. */
export const PACKAGE = 'kms-jwt-koa';

/** What `kmsJwt` learned about one request, for `requireScopes` / `requireClaims`, {@link authFailure} and {@link authToken} downstream. */
export interface ContextAuth extends RawTokenSink {
  readonly auth: BearerAuth<Context>;
  readonly respond: boolean;
  token: VerifiedToken | undefined;
  /** Why authentication failed, when `passthrough` let the request go on. */
  failure: HttpAuthError | undefined;
}

/** Where `kmsJwt()` keeps its {@link ContextAuth} on the context (kms-jwt-verifier/http's symbol slot). */
const slot = requestSlot<Context, ContextAuth>('kms-jwt-koa.state');

/** The context's state, `undefined` when `kmsJwt()` did not see it. */
export const stateOf: (ctx: Context) => ContextAuth | undefined = slot.get;
export const setState: (ctx: Context, state: ContextAuth) => void = slot.set;

/** Answers a failure with its status, `WWW-Authenticate` or `Retry-After`, and its JSON body; else throws it to upstream error handling. */
export function reply(ctx: Context, error: HttpAuthError, respond: boolean): void {
  if (!respond) throw error;
  ctx.status = error.status;
  ctx.set({ ...error.headers });
  ctx.body = error.body;
}

/** Why `kmsJwt` with `passthrough` let this request through unauthenticated: its token failed. `undefined` when no token failed (none was sent, or it verified). */
export function authFailure(ctx: Context): HttpAuthError | undefined {
  return stateOf(ctx)?.failure;
}

/**
 * The verified token of a request `kmsJwt()` let through: `{ header, payload, key, token }` — its
 * protected header, its claims (as on `ctx.state.user`), the KMS key ARN that verified it and the
 * raw token it sent (a credential: keep it out of logs). `undefined` for a request without one
 * (`passthrough` let it on unauthenticated, or not seen by `kmsJwt()`). A new frozen object on each call.
 */
export function authToken(ctx: Context): AuthToken | undefined {
  const state = stateOf(ctx);
  return authTokenOf(state?.token, state);
}
