import type { NextFunction, Request, Response } from 'express';
import type { VerifiedToken } from 'kms-jwt-verifier';
import { authTokenOf, type AuthToken, type BearerAuth, type HttpAuthError, type RawTokenSink } from 'kms-jwt-verifier/http';

/** The package name that starts every configuration error. */
export const PACKAGE = 'kms-jwt-express';

/** What `kmsJwt` learned about one request, for `requireScopes` / `requireClaims` and {@link authToken} further down the route. */
export interface RequestAuth extends RawTokenSink {
  readonly auth: BearerAuth<Request>;
  token: VerifiedToken | undefined;
  /** Answers or forwards a failure as the `kmsJwt` that saw the request is configured to (`respond`). */
  readonly deliver: (error: HttpAuthError, res: Response, next: NextFunction) => void;
}

/**
 * Where `kmsJwt()` keeps its {@link RequestAuth}: a WeakMap keyed by the request, not a property on it.
 * Express sets the prototype of every request (`Object.setPrototypeOf(req, app.request)`), and V8 gives
 * an object whose prototype was set that way a new hidden class for each property added to it, with
 * no transition cached for the next request: counted by callgrind, one more property on `req` cost
 * about 15,000 instructions a request, a WeakMap entry about 2,000 (bench/adapters › "Express: one
 * property fewer on `req`").
 */
const states = new WeakMap<Request, RequestAuth>();

/** The request's state, `undefined` when `kmsJwt()` did not let it through. */
export const stateOf = (req: Request): RequestAuth | undefined => states.get(req);
export const setState = (req: Request, state: RequestAuth): void => {
  states.set(req, state);
};

/**
 * The verified token of a request `kmsJwt()` let through: `{ header, payload, key, token }` — its
 * protected header, its claims (as on `req.auth`), the KMS key ARN that verified it and the raw token
 * it sent (a credential: keep it out of logs). `undefined` for a request without one (no credentials
 * under `credentialsRequired: false`, or not seen by `kmsJwt()`). A new frozen object on each call.
 */
export function authToken(req: Request): AuthToken | undefined {
  const state = stateOf(req);
  return authTokenOf(state?.token, state);
}
