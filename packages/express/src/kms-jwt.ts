import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { unless } from 'express-unless';
import type { JwtPayload, VerifiedToken } from 'kms-jwt-verifier';
import { AdapterConfigError, createBearerAuth, HttpAuthError, type AuthOutcome, type BearerAuthOptions } from 'kms-jwt-verifier/http';
import { PACKAGE, setState, type RequestAuth } from './state.js';
import { UnauthorizedError } from './unauthorized-error.js';

declare global {
  // Express types its Request through this global namespace.
  namespace Express {
    interface Request {
      /** The verified token's claims, set by kms-jwt-express's `kmsJwt()` (under the default `requestProperty`); its header, key ARN and raw token: `authToken(req)`. */
      auth?: JwtPayload;
    }
  }
}

/** Options of {@link kmsJwt}: the verifier, and how requests are read and answered. */
export interface KmsJwtOptions extends BearerAuthOptions<Request> {
  /** The `req` property the verified claims are put on. Default: `'auth'`. */
  readonly requestProperty?: string;
  /**
   * Answer failures here — status, `WWW-Authenticate` or `Retry-After`, and a JSON
   * `{ error, error_description }` — instead of passing them to `next(err)`. Default: `false`.
   */
  readonly respond?: boolean;
}

/** The middleware, with express-unless's `.unless({ path, method, ext, custom })` to skip requests. */
export type KmsJwtMiddleware = RequestHandler & { unless: typeof unless };

const forward: RequestAuth['deliver'] = (error, _res, next) => next(error.status === 503 ? error : new UnauthorizedError(error));
const answer: RequestAuth['deliver'] = (error, res) => {
  res.status(error.status).set(error.headers).json(error.body);
};

/**
 * Verifies the request's Bearer token and puts its claims on `req.auth` (`requestProperty`); its
 * header, key ARN and raw token are read with `authToken(req)`. A failure goes to `next(err)` as an
 * {@link UnauthorizedError} (or, with `respond: true`, is answered with RFC 6750 headers and a JSON
 * body). Throws at once for wrong options.
 */
export function kmsJwt(options: KmsJwtOptions): KmsJwtMiddleware {
  const auth = createBearerAuth(options, PACKAGE);
  const property = options.requestProperty ?? 'auth';
  if (typeof property !== 'string' || property === '') throw new AdapterConfigError(PACKAGE, 'requestProperty must be a non-empty string');
  const deliver = options.respond === true ? answer : forward;

  const succeed = (req: Request, next: NextFunction, state: RequestAuth, token: VerifiedToken | undefined): void => {
    state.token = token;
    setState(req, state);
    if (token !== undefined) (req as unknown as Record<string, unknown>)[property] = token.payload;
    // The route goes on in the event loop's check phase: requests that arrived together are all
    // verified before any of them is answered, which costs a loaded server less CPU per request
    // (bench/adapters › "Why Express and Passport go on at setImmediate").
    setImmediate(next);
  };
  const failed = (res: Response, next: NextFunction, error: unknown): void => (error instanceof HttpAuthError ? deliver(error, res, next) : next(error));

  // A token the verifier has cached is not awaited: a promise would cost a microtask turn per request.
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    // The request's state, created once: the shared flow records the raw token in it, for authToken(req).
    const state: RequestAuth = { auth, deliver, token: undefined, rawToken: undefined };
    let outcome: AuthOutcome;
    try {
      outcome = auth.authenticateNow(req, req, state);
    } catch (error) {
      return failed(res, next, error);
    }
    if (outcome instanceof Promise) outcome.then((token) => succeed(req, next, state, token), (error: unknown) => failed(res, next, error));
    else succeed(req, next, state, outcome);
  };
  return Object.assign(middleware, { unless });
}
