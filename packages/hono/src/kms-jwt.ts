import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { JwtPayload } from 'kms-jwt-verifier';
import { AdapterConfigError, createBearerAuth, HttpAuthError, type BearerAuthOptions, type BearerRequest } from 'kms-jwt-verifier/http';
import { PACKAGE, reply, setState, type ContextAuth } from './state.js';

/** The context variables `kmsJwt` sets, for `new Hono<{ Variables: KmsJwtVariables & ... }>()`. */
export interface KmsJwtVariables {
  /** The verified token's claims; `undefined` without a token (`credentialsRequired: false`). Header, key ARN and raw token: `authToken(c)`. */
  auth: JwtPayload | undefined;
}

/** The Hono environment of an app behind `kmsJwt`: `new Hono<KmsJwtEnv>()` types `c.get('auth')`. */
export interface KmsJwtEnv {
  Variables: KmsJwtVariables;
}

/** Options of {@link kmsJwt}: the verifier, and how requests are read and answered. */
export interface KmsJwtOptions extends BearerAuthOptions<Context> {
  /** Name of a cookie that may carry the token; a token in both the cookie and the header is refused (400). Default: none. */
  readonly cookie?: string;
  /**
   * Return the answer to a failure — status, `WWW-Authenticate` or `Retry-After`, and a JSON
   * `{ error, error_description }` — instead of throwing it as an `HTTPException` carrying that
   * answer (as hono/jwt does). Default: `false`.
   */
  readonly respond?: boolean;
}

/**
 * Verifies the request's Bearer token (or cookie) and sets its claims as `c.get('auth')`; its
 * header, key ARN and raw token are read with `authToken(c)`. A failure is thrown as an
 * `HTTPException` whose response is the RFC 6750 answer and whose `cause` is the `HttpAuthError`
 * (or, with `respond: true`, returned). Throws at once for wrong options.
 */
export function kmsJwt(options: KmsJwtOptions): MiddlewareHandler<KmsJwtEnv> {
  const auth = createBearerAuth<Context>(options, PACKAGE);
  const { cookie } = options;
  if (cookie !== undefined && (typeof cookie !== 'string' || cookie === '')) throw new AdapterConfigError(PACKAGE, 'cookie must be a cookie name');
  const respond = options.respond === true;

  return async function kmsJwtMiddleware(c, next) {
    // The Fetch API joins repeated headers into one value, which the Bearer parser then refuses as malformed.
    const request: BearerRequest = { headers: { authorization: c.req.header('authorization') }, url: c.req.url, cookie: cookie === undefined ? undefined : getCookie(c, cookie) };
    // The shared flow records the raw token in the request's state, for authToken(c).
    const state: ContextAuth = { auth, respond, token: undefined, rawToken: undefined };
    try {
      // A token the verifier has cached is not awaited: each await is another turn of the event loop.
      const outcome = auth.authenticateNow(c, request, state);
      state.token = outcome instanceof Promise ? await outcome : outcome;
    } catch (error) {
      if (error instanceof HttpAuthError) return reply(c, error, respond);
      throw error;
    }
    setState(c, state);
    if (state.token !== undefined) c.set('auth', state.token.payload);
    await next();
  };
}
