import type { JwsAlgorithm } from './algorithms.js';

/** Registered JWT claims (RFC 7519 §4.1) and any others. */
export interface JwtPayload {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly [claim: string]: unknown;
}

/** The protected header of a verified token. */
export interface JwsHeader {
  readonly alg: JwsAlgorithm;
  readonly kid: string;
  readonly typ?: string;
  readonly [parameter: string]: unknown;
}

/**
 * What `verify` resolves to. Frozen: results may be shared between calls through the cache.
 * `P` describes your own claims (a type alias or an interface); the registered claims of
 * {@link JwtPayload} are always there too.
 */
export interface VerifiedToken<P extends object = JwtPayload> {
  readonly header: JwsHeader;
  readonly payload: P & JwtPayload;
  /** The trusted key that verified the signature: its KMS key ARN (or static key's kid). */
  readonly key: string;
}
