import type { JwtPayload } from 'kms-jwt-verifier';
import type { Context, Middleware } from 'koa';
import { AdapterConfigError, createBearerAuth, HttpAuthError, type BearerAuthOptions } from 'kms-jwt-verifier/http';
import { PACKAGE, reply, setState, type ContextAuth } from './state.js';

/** Options of {@link kmsJwt}: the verifier, and how requests are read and answered. */
export interface KmsJwtOptions extends Omit<BearerAuthOptions<Context>, 'credentialsRequired'> {
  /** The `ctx.state` property the verified claims are put on. Default: `'user'`. */
  readonly key?: string;
  /**
   * Let requests without a valid token go on unauthenticated (no `ctx.state[key]`); the reason is
   * kept for {@link authFailure} and answered by `requireScopes` / `requireClaims`. Default: `false`.
   */
  readonly passthrough?: boolean;
  /** The `ctx.state` property the raw token of a verified request is put on (koa-jwt's `tokenKey`); see also `authToken(ctx)`. Default: none. */
  readonly tokenKey?: string;
  /** Name of a cookie that may carry the token; a token in both the cookie and the header is refused (400). Default: none. */
  readonly cookie?: string;
  /**
   * Answer failures here — status, `WWW-Authenticate` or `Retry-After`, and a JSON
   * `{ error, error_description }` — instead of throwing them (as koa-jwt does). Default: `false`.
   */
  readonly respond?: boolean;
}

/**
 * The `ctx.state` that `kmsJwt` fills, to type a context with: `ParameterizedContext<KmsJwtState>`
 * (claims on `user`), or `KmsJwtState<'auth', 'token'>` for `{ key: 'auth', tokenKey: 'token' }`.
 * Both are set only on a request whose token verified.
 */
export type KmsJwtState<Key extends string = 'user', TokenKey extends string = never> = { [K in Key]?: JwtPayload } & { [K in TokenKey]?: string };

/**
 * Verifies the request's Bearer token (or cookie) and puts its claims on `ctx.state.user` (`key`);
 * its header, key ARN and raw token are read with `authToken(ctx)` (the raw token also on `tokenKey`).
 * A failure is thrown as an `HttpAuthError` with `status`, `expose` and `headers`, which Koa's
 * default error handler answers (or, with `respond: true`, answered with a JSON body). Throws at
 * once for wrong options.
 */
export function kmsJwt(options: KmsJwtOptions): Middleware {
  const passthrough = options.passthrough === true;
  const auth = createBearerAuth<Context>({ ...options, credentialsRequired: !passthrough }, PACKAGE);
  const { key = 'user', tokenKey, cookie } = options;
  if (typeof key !== 'string' || key === '') throw new AdapterConfigError(PACKAGE, 'key must be a non-empty string');
  if (tokenKey !== undefined && (typeof tokenKey !== 'string' || tokenKey === '' || tokenKey === key)) throw new AdapterConfigError(PACKAGE, 'tokenKey must be a non-empty string other than key');
  if (cookie !== undefined && (typeof cookie !== 'string' || cookie === '')) throw new AdapterConfigError(PACKAGE, 'cookie must be a cookie name');
  const respond = options.respond === true;

  return async function kmsJwtMiddleware(ctx, next) {
    const request = {
      rawHeaders: ctx.req.rawHeaders,
      url: ctx.url,
      body: (ctx.request as { body?: unknown }).body,
      cookie: cookie === undefined ? undefined : ctx.cookies.get(cookie),
    };
    // The shared flow records the raw token in the request's state, for authToken(ctx) and tokenKey.
    const state: ContextAuth = { auth, respond, token: undefined, failure: undefined, rawToken: undefined };
    try {
      // A token the verifier has cached is not awaited: each await is another turn of the event loop.
      const outcome = auth.authenticateNow(ctx, request, state);
      state.token = outcome instanceof Promise ? await outcome : outcome;
    } catch (error) {
      if (!(error instanceof HttpAuthError)) throw error;
      state.failure = error;
    }
    setState(ctx, state);
    if (state.failure !== undefined && !passthrough) return reply(ctx, state.failure, respond);
    if (state.token !== undefined) {
      ctx.state[key] = state.token.payload;
      if (tokenKey !== undefined) ctx.state[tokenKey] = state.rawToken;
    }
    await next();
  };
}
