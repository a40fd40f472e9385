import { createVerifier, type Verifier } from '../create-verifier.js';
import { KmsJwtError } from '../errors.js';
import type { VerifierOptions } from '../options.js';
import type { VerifiedToken } from '../types.js';
import type { RawTokenSink } from './auth-token.js';
import type { Requirement } from './authorization.js';
import { findBearerToken, type BearerRequest } from './bearer.js';
import { toHttpAuthError, verifierFailure, type ChallengeSettings, type Failure } from './challenge.js';
import { AdapterConfigError, RevocationCheckUnavailableError, type HttpAuthError } from './errors.js';
import { isPromise, KNOWN_TOKEN, VERIFY_NOW, type KnownToken, type VerifyNow } from '../verify-now.js';
import { VERIFIER_TELEMETRY, type VerifierTelemetry } from '../verifier-telemetry.js';

/** A verified token, `undefined` (no credentials, and none required), or a native Promise of either. */
export type AuthOutcome = VerifiedToken | undefined | Promise<VerifiedToken | undefined>;

/** Options every adapter shares; `C` is what its hooks receive (Express's `req`, Koa's `ctx`). */
export interface BearerAuthOptions<C> {
  /** A verifier from `createVerifier`, or the options to create one (`keys`, `issuer`, `audience`, ...). Required. */
  readonly verifier: Verifier | VerifierOptions;
  /** The `realm` of the `WWW-Authenticate` challenge. Default: `'api'`. */
  readonly realm?: string;
  /** Whether a request without credentials is refused (401); when `false` it goes on unauthenticated. Default: `true`. */
  readonly credentialsRequired?: boolean;
  /**
   * Reads the token yourself (a string, or `undefined`/`null` for none), replacing the default:
   * the `Authorization: Bearer` header, refusing a token sent in more than one place. Default: none.
   */
  readonly getToken?: (context: C) => string | null | undefined | Promise<string | null | undefined>;
  /** Called with every verified token; `true` rejects it (401 invalid_token, `ERR_TOKEN_REVOKED`). Default: none. */
  readonly isRevoked?: (context: C, token: VerifiedToken) => boolean | Promise<boolean>;
  /** The `Retry-After` of a 503 (key source unavailable), in seconds. Default: `5`. */
  readonly retryAfterSeconds?: number;
  /** Tell clients the verifier's detailed message (`error_description`) instead of a fixed text per error code. Default: `false`. */
  readonly debug?: boolean;
}

/** The request flow every adapter runs: extract, verify, check revocation, map failures. */
export interface BearerAuth<C> {
  /**
   * Resolves with the verified token, or `undefined` when no credentials were sent and they are not
   * required. Rejects with an {@link HttpAuthError} for a failed authentication, or with whatever
   * `getToken` or `isRevoked` threw.
   */
  authenticate(context: C, request: BearerRequest, sink?: RawTokenSink): Promise<VerifiedToken | undefined>;
  /**
   * {@link authenticate} without a needless promise: the outcome itself when it is known at once (a
   * token the verifier has cached, a missing or malformed credential), else a promise of it; a
   * failure known at once is thrown. Adapters use it so a cached token costs no extra event-loop turn.
   * A `sink` (the adapter's per-request state) gets the raw token it read, before verifying it.
   */
  authenticateNow(context: C, request: BearerRequest, sink?: RawTokenSink): AuthOutcome;
  /** Runs an authorization check (`scopeRequirement`, `claimRequirement`): the error to answer, or `undefined` to let the request through. */
  authorize(token: VerifiedToken | undefined, requirement: Requirement): HttpAuthError | undefined;
  /** A 401 invalid_token for a token the application refused (`ERR_TOKEN_REJECTED`), telling the client `description`. */
  reject(description: string): HttpAuthError;
}

function isVerifier(value: unknown): value is Verifier {
  return typeof (value as { verify?: unknown } | null)?.verify === 'function';
}

const MISSING: Failure = { status: 401, error: 'unauthorized', code: 'ERR_CREDENTIALS_MISSING', family: 'request', description: 'an access token is required' };
const REVOKED: Failure = { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_REVOKED', family: 'token', description: 'the access token was revoked' };
const REVOCATION_UNAVAILABLE = 'whether the access token was revoked is unknown; retry later';

/** Validates the shared options (throwing {@link AdapterConfigError} naming `packageName`) and returns the flow. */
export function createBearerAuth<C>(options: BearerAuthOptions<C>, packageName: string): BearerAuth<C> {
  if (typeof options !== 'object' || options === null) throw new AdapterConfigError(packageName, 'needs an options object with a verifier');
  const check = (ok: boolean, message: string): void => {
    if (!ok) throw new AdapterConfigError(packageName, message);
  };
  const source = options.verifier;
  check(typeof source === 'object' && source !== null, 'verifier is required: a verifier from createVerifier, or its options');
  const verifier = isVerifier(source) ? source : createVerifier(source);
  // Verifiers from createVerifier answer a cached token synchronously; any other verifier is awaited.
  const verifyNowMethod = (verifier as { [VERIFY_NOW]?: VerifyNow })[VERIFY_NOW];
  const verifyNow: VerifyNow = typeof verifyNowMethod === 'function' ? verifyNowMethod.bind(verifier) : (token) => verifier.verify(token);
  // And they vouch for a token they verified lately, which then skips the Bearer parser's syntax scan.
  const knownMethod = (verifier as { [KNOWN_TOKEN]?: KnownToken })[KNOWN_TOKEN];
  const known: KnownToken | undefined = typeof knownMethod === 'function' ? knownMethod.bind(verifier) : undefined;
  const realm = options.realm ?? 'api';
  check(typeof realm === 'string' && /^[\x20-\x7e]+$/.test(realm), 'realm must be a non-empty string of printable ASCII');
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  check(Number.isInteger(retryAfterSeconds) && retryAfterSeconds >= 0, 'retryAfterSeconds must be an integer >= 0');
  const { getToken, isRevoked } = options;
  check(getToken === undefined || typeof getToken === 'function', 'getToken must be a function');
  check(isRevoked === undefined || typeof isRevoked === 'function', 'isRevoked must be a function');
  const credentialsRequired = options.credentialsRequired ?? true;
  const settings: ChallengeSettings = { realm, retryAfterSeconds, debug: options.debug === true };
  // The verifier's telemetry (its `telemetry` option) counts the requests this layer refuses, by code, status and adapter.
  const telemetry = (verifier as { [VERIFIER_TELEMETRY]?: VerifierTelemetry | undefined })[VERIFIER_TELEMETRY];
  const fail = (failure: Failure): HttpAuthError => {
    if (telemetry !== undefined) telemetry.requestRefused(failure.code, failure.status, packageName);
    return toHttpAuthError(failure, settings);
  };

  function rejectVerifierError(error: unknown): never {
    // A verifier configuration error (500) is the application's bug, not the client's: it propagates as is.
    if (error instanceof KmsJwtError && error.status !== 500) throw fail(verifierFailure(error, settings.debug));
    throw error;
  }

  /** A revocation store that cannot answer is a 503 (retry later), never a 401; any other error from `isRevoked` propagates as is. */
  function rejectRevocationError(error: unknown): never {
    if (error instanceof RevocationCheckUnavailableError) {
      throw fail({ status: 503, error: 'temporarily_unavailable', code: error.code, family: error.family, description: settings.debug ? error.message : REVOCATION_UNAVAILABLE, cause: error });
    }
    throw error;
  }

  /** The revocation check of a verified token, synchronous when `isRevoked` answers synchronously. */
  function unlessRevoked(context: C, result: VerifiedToken): VerifiedToken | Promise<VerifiedToken> {
    if (isRevoked === undefined) return result;
    let revoked: boolean | Promise<boolean>;
    try {
      revoked = isRevoked(context, result);
    } catch (error) {
      rejectRevocationError(error);
    }
    const decide = (answer: boolean): VerifiedToken => {
      if (answer === true) throw fail(REVOKED);
      return result;
    };
    return isPromise(revoked) ? Promise.resolve(revoked).then(decide, rejectRevocationError) : decide(revoked);
  }

  function verify(context: C, token: string | undefined, sink: RawTokenSink | undefined): AuthOutcome {
    if (token === undefined) {
      if (credentialsRequired) throw fail(MISSING);
      return undefined;
    }
    if (sink !== undefined) sink.rawToken = token;
    let verified: VerifiedToken | Promise<VerifiedToken>;
    try {
      verified = verifyNow(token);
    } catch (error) {
      rejectVerifierError(error);
    }
    // Promise.resolve: a native promise (adapters tell it by instanceof Promise), whatever thenable a custom verifier returns.
    return isPromise(verified) ? Promise.resolve(verified).then((result) => unlessRevoked(context, result), rejectVerifierError) : unlessRevoked(context, verified);
  }

  // Plain calls and promise chains rather than async functions: this runs on every request.
  function authenticateNow(context: C, request: BearerRequest, sink?: RawTokenSink): AuthOutcome {
    if (getToken !== undefined) {
      return Promise.resolve(context)
        .then(getToken)
        .then((token) => verify(context, typeof token === 'string' && token !== '' ? token : undefined, sink));
    }
    const found = findBearerToken(request, known);
    if (typeof found === 'string') return verify(context, found, sink);
    if (found.kind === 'invalid') throw fail({ status: 400, error: 'invalid_request', code: 'ERR_REQUEST_INVALID', family: 'request', description: found.description });
    return verify(context, undefined, sink);
  }

  return {
    authenticate(context, request, sink) {
      try {
        return Promise.resolve(authenticateNow(context, request, sink));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    authenticateNow,
    authorize(token, requirement) {
      if (token === undefined) return fail(MISSING);
      const failure = requirement(token.payload);
      return failure === undefined ? undefined : fail(failure);
    },
    reject(description) {
      return fail({ status: 401, error: 'invalid_token', code: 'ERR_TOKEN_REJECTED', family: 'token', description });
    },
  };
}
