import type { Context } from 'koa';
import type { VerifiedToken } from 'kms-jwt-verifier';
import type { BearerAuth, HttpAuthError } from 'kms-jwt-verifier/http';

/** The package name that starts every configuration error. */
export const PACKAGE = 'kms-jwt-koa';

/** What `kmsJwt` learned about one request, for `requireScopes` / `requireClaims` downstream. */
export interface ContextAuth {
  readonly auth: BearerAuth<Context>;
  readonly respond: boolean;
  readonly token?: VerifiedToken | undefined;
  /** Why authentication failed, when `passthrough` let the request go on. */
  readonly failure?: HttpAuthError | undefined;
}

export const contexts: WeakMap<Context, ContextAuth> = new WeakMap();

/** Answers a failure with its status, `WWW-Authenticate` or `Retry-After`, and its JSON body; else throws it to upstream error handling. */
export function reply(ctx: Context, error: HttpAuthError, respond: boolean): void {
  if (!respond) throw error;
  ctx.status = error.status;
  ctx.set({ ...error.headers });
  ctx.body = error.body;
}

/** Why `kmsJwt` with `passthrough` let this request through unauthenticated: its token failed. `undefined` when no token failed (none was sent, or it verified). */
export function authFailure(ctx: Context): HttpAuthError | undefined {
  return contexts.get(ctx)?.failure;
}
