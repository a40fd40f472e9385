import type { VerifiedToken } from '../types.js';

/**
 * A request's verified token as the Express and Koa adapters expose it (`authToken(req)`,
 * `authToken(ctx)`): the verified token's `header`, `payload` and `key` (the KMS key ARN that
 * verified it), the names of passport-kms-jwt's `req.authInfo`, and the raw compact `token` the
 * request sent. The raw token is a credential: keep it out of logs.
 */
export interface AuthToken extends VerifiedToken {
  /** The compact JWS (`header.payload.signature`) the request sent, as it was verified. */
  readonly token: string;
}

/** Where `authenticateNow` records the raw token it read, before verifying it (an adapter's per-request state). */
export interface RawTokenSink {
  /** The token the request sent (the `Authorization: Bearer` value, the cookie, or what `getToken` returned); `undefined` until one is read. */
  rawToken: string | undefined;
}

/** The {@link AuthToken} of a request whose token verified (a new frozen object); `undefined` for one without. */
export function authTokenOf(verified: VerifiedToken | undefined, sink: RawTokenSink | undefined): AuthToken | undefined {
  const token = sink?.rawToken;
  if (verified === undefined || token === undefined) return undefined;
  return Object.freeze({ header: verified.header, payload: verified.payload, key: verified.key, token });
}
