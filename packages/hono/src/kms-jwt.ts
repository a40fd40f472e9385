import type { Context, MiddlewareHandler, Next } from 'hono';
import { getCookie } from 'hono/cookie';
import type { JwtPayload } from 'kms-jwt-verifier';
import { AdapterConfigError, createBearerAuth, HttpAuthError, type AuthOutcome, type BearerAuthOptions, type BearerRequest } from 'kms-jwt-verifier/http';
import { PACKAGE, reply, setState, type ContextAuth } from './state.js';

/** The context variables `kmsJwt` sets, for `new Hono<{ Variables: KmsJwtVariables & ... }>()`. */
export interface KmsJwtVariables {
  /** The verified token's claims; `undefined` without a token (`credentialsRequired: false`). Header, key ARN and raw token: `authToken(c)`. */
  auth: JwtPayload | undefined;
}

/** The Hono environment of an app behind `kmsJwt`: `new Hono<KmsJwtEnv>()` types `c.get('auth')`. */
export interface KmsJwtEnv { Variables: KmsJwtVariables }

/** Options of {@link kmsJwt}: the verifier, and how requests are read and answered. */
export interface KmsJwtOptions extends BearerAuthOptions<Context> {
  /** Name of a cookie that may carry the token; a token in both the cookie and the header is refused (400). Default: none. */
  readonly cookie?: string;
  /** Return the answer to a failure (status, `WWW-Authenticate` or `Retry-After`, JSON `{ error, error_description }`) instead of throwing it as an `HTTPException` carrying that answer (as hono/jwt does). Default: `false`. */
  readonly respond?: boolean;
}

/**
 * On Node, the header lines as Node received them (`c.env.incoming`: @hono/node-server's `HttpBindings`), as every Node
 * adapter reads them (two Authorization lines refused), with no `Headers` built; elsewhere the Fetch API's headers, which
 * join repeated lines into one value that the Bearer parser refuses as malformed.
 */
function bearerRequest(c: Context, cookie: string | undefined): BearerRequest {
  const incoming = (c.env as { incoming?: { rawHeaders?: unknown; url?: unknown } } | undefined)?.incoming;
  const value = cookie === undefined ? undefined : getCookie(c, cookie);
  // The request target as Node received it has the same query as `c.req.url`, without building Hono's request object.
  if (Array.isArray(incoming?.rawHeaders) && typeof incoming.url === 'string') return { rawHeaders: incoming.rawHeaders as string[], url: incoming.url, cookie: value };
  return { headers: { authorization: c.req.header('authorization') }, url: c.req.url, cookie: value };
}

/**
 * Verifies the request's Bearer token (or cookie) and sets its claims as `c.get('auth')`; its header, key ARN and raw token
 * are read with `authToken(c)`. A failure is thrown as an `HTTPException` whose response is the RFC 6750 answer and whose
 * `cause` is the `HttpAuthError` (or, with `respond: true`, returned). Throws at once for wrong options.
 */
export function kmsJwt(options: KmsJwtOptions): MiddlewareHandler<KmsJwtEnv> {
  const auth = createBearerAuth<Context>(options, PACKAGE);
  const { cookie } = options;
  if (cookie !== undefined && (typeof cookie !== 'string' || cookie === '')) throw new AdapterConfigError(PACKAGE, 'cookie must be a cookie name');
  const respond = options.respond === true;
  const nothing = (): void => undefined;
  /** Lets the request through; a promise of nothing, as an async middleware's after `await next()`. */
  const accept = (c: Context<KmsJwtEnv>, state: ContextAuth, token: ContextAuth['token'], next: Next): Promise<void> => {
    state.token = token;
    setState(c, state);
    if (token !== undefined) c.set('auth', token.payload);
    return next().then(nothing);
  };
  /** The failure as an async middleware ends with it: the returned (`respond`) or thrown answer to an HttpAuthError, or the error itself. */
  const refuse = (c: Context, error: unknown): Promise<Response> => (error instanceof HttpAuthError ? new Promise((resolve) => resolve(reply(c, error, respond))) : Promise.reject(error));

  // Not an async function: a token the verifier has cached is accepted at once, with no await (each is another turn of the event loop).
  return function kmsJwtMiddleware(c, next) {
    // The shared flow records the raw token in the request's state, for authToken(c).
    const state: ContextAuth = { auth, respond, token: undefined, rawToken: undefined };
    let outcome: AuthOutcome;
    try {
      outcome = auth.authenticateNow(c, bearerRequest(c, cookie), state);
    } catch (error) {
      return refuse(c, error);
    }
    if (!(outcome instanceof Promise)) return accept(c, state, outcome, next);
    return outcome.then((token) => accept(c, state, token, next), (error: unknown) => refuse(c, error));
  };
}
