import type { NextFunction, Request, Response } from 'express';
import type { VerifiedToken } from 'kms-jwt-verifier';
import type { BearerAuth, HttpAuthError } from 'kms-jwt-verifier/http';

/** The package name that starts every configuration error. */
export const PACKAGE = 'kms-jwt-express';

/** What `kmsJwt` learned about one request, for `requireScopes` / `requireClaims` further down the route. */
export interface RequestAuth {
  readonly auth: BearerAuth<Request>;
  readonly token: VerifiedToken | undefined;
  /** Answers or forwards a failure as the `kmsJwt` that saw the request is configured to (`respond`). */
  readonly deliver: (error: HttpAuthError, res: Response, next: NextFunction) => void;
}

export const requests: WeakMap<Request, RequestAuth> = new WeakMap();
