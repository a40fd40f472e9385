import type { Request } from 'express';
import type { JwtPayload, VerifiedToken } from 'kms-jwt-verifier';
import { AdapterConfigError, createBearerAuth, HttpAuthError, scopeRequirement, type AuthOutcome, type BearerAuth, type BearerAuthOptions, type Requirement } from 'kms-jwt-verifier/http';
import { Strategy } from 'passport-strategy';
import { recordFailure } from './failures.js';

const PACKAGE = 'passport-kms-jwt';
const NO_OPTIONS: KmsJwtAuthenticateOptions = Object.freeze({});

/** What `verify` calls back: an error, or the user (`false` to refuse the token) and optional info. */
export type VerifiedCallback = (error: unknown, user?: unknown, info?: unknown) => void;
/** Maps verified claims to a user. Default (no `verify`): the user is the claims. */
export type VerifyFunction = (payload: JwtPayload, done: VerifiedCallback) => void;
/** {@link VerifyFunction} that also receives the request (`passReqToCallback: true`). */
export type VerifyFunctionWithRequest = (req: Request, payload: JwtPayload, done: VerifiedCallback) => void;

/** Options of {@link KmsJwtStrategy}: the verifier, and how requests are read and answered. */
export interface KmsJwtStrategyOptions extends Omit<BearerAuthOptions<Request>, 'credentialsRequired'> {
  /** Call `verify(req, payload, done)` instead of `verify(payload, done)`. Default: `false`. */
  readonly passReqToCallback?: boolean;
}

/** Per-route options of `passport.authenticate('kms-jwt', options)` this strategy reads. */
export interface KmsJwtAuthenticateOptions {
  /** Scopes the token must grant (space-separated, or an array); otherwise the request fails with 403 insufficient_scope. Default: none. */
  readonly scope?: string | readonly string[] | undefined;
}

function reason(info: unknown): string {
  if (typeof info === 'string' && info !== '') return info;
  const message = (info as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : 'the access token does not identify an authorized user';
}

/**
 * Passport strategy `kms-jwt`: verifies the request's Bearer token. A bad token, a missing one or
 * a refused user ends in `fail(challenge, status)` with the RFC 6750 challenge (the full reason in
 * {@link authFailure}); an unavailable key source (503) or a thrown error ends in `error(err)`.
 */
export class KmsJwtStrategy extends Strategy {
  // Plain (not #private) members: passport runs authenticate() on Object.create(strategy), which inherits them.
  readonly name = 'kms-jwt';
  private readonly auth: BearerAuth<Request>;
  private readonly verifyUser: ((req: Request, payload: JwtPayload, done: VerifiedCallback) => void) | undefined;
  private readonly scopes = new WeakMap<object, Requirement | undefined>();

  constructor(options: KmsJwtStrategyOptions & { readonly passReqToCallback: true }, verify: VerifyFunctionWithRequest);
  constructor(options: KmsJwtStrategyOptions, verify?: VerifyFunction);
  constructor(options: KmsJwtStrategyOptions, verify?: VerifyFunction | VerifyFunctionWithRequest) {
    super();
    this.auth = createBearerAuth<Request>({ ...options, credentialsRequired: true }, PACKAGE);
    if (verify !== undefined && typeof verify !== 'function') throw new AdapterConfigError(PACKAGE, 'verify must be a function (payload, done) or, with passReqToCallback, (req, payload, done)');
    if (verify === undefined) this.verifyUser = undefined;
    else if (options.passReqToCallback === true) this.verifyUser = verify as VerifyFunctionWithRequest;
    else this.verifyUser = (_req, payload, done) => (verify as VerifyFunction)(payload, done);
  }

  override authenticate(req: Request, options: KmsJwtAuthenticateOptions = NO_OPTIONS): void {
    const requirement = this.requirement(options);
    const authenticated = (token: VerifiedToken | undefined): void => {
      const failure = requirement && this.auth.authorize(token, requirement);
      if (failure) this.failed(req, failure);
      else this.verified(req, token as VerifiedToken);
    };
    // A token the verifier has cached is not awaited: a promise would cost a microtask turn per request.
    let outcome: AuthOutcome;
    try {
      outcome = this.auth.authenticateNow(req, req);
    } catch (error) {
      return this.failed(req, error);
    }
    // Either way the request goes on in the event loop's check phase: requests that arrived together
    // are all verified before any of them is answered, which costs a loaded server less CPU per request.
    if (outcome instanceof Promise) outcome.then((token) => setImmediate(authenticated, token), (error: unknown) => this.failed(req, error));
    else setImmediate(authenticated, outcome);
  }

  private requirement(options: KmsJwtAuthenticateOptions): Requirement | undefined {
    if (!this.scopes.has(options)) {
      const scope = options.scope;
      const scopes = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : scope;
      this.scopes.set(options, scopes === undefined ? undefined : scopeRequirement(scopes, PACKAGE));
    }
    return this.scopes.get(options);
  }

  private verified(req: Request, token: VerifiedToken): void {
    if (this.verifyUser === undefined) return this.success(token.payload, token);
    const done: VerifiedCallback = (error, user, info) => {
      if (error !== null && error !== undefined) this.failed(req, error);
      else if (!user) this.failed(req, this.auth.reject(reason(info)));
      else this.success(user, info ?? token);
    };
    try {
      this.verifyUser(req, token.payload, done);
    } catch (error) {
      this.failed(req, error);
    }
  }

  /** Token and claim failures → fail() with the challenge; 503 and everything else → error(). */
  private failed(req: Request, error: unknown): void {
    if (!(error instanceof HttpAuthError) || error.status === 503) return this.error(error instanceof Error ? error : new Error(String(error)));
    recordFailure(req, error);
    this.fail(error.headers['WWW-Authenticate'], error.status);
  }
}
