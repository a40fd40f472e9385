import type { VerifiedToken } from './types.js';

/**
 * The key of the verify that answers synchronously when it can: a cache hit, or a sync signature
 * check with a key the resolver has at hand. It returns the result or a promise of it, and throws
 * this package's errors synchronously. Verifiers from `createVerifier` have it; the HTTP layer uses
 * it so that a request whose token is known needs no extra turn of the event loop. Not public API.
 */
export const VERIFY_NOW: unique symbol = Symbol.for('kms-jwt-verifier/verify-now');

/** The method under {@link VERIFY_NOW}: the verifier's own options, no overrides. */
export type VerifyNow = (token: string) => VerifiedToken | Promise<VerifiedToken>;

/**
 * The key of a verifier's look-up of a token among the ones it verified lately (its cache's hot slots):
 * its own copy of such a token, which is a well-formed compact JWS (strict base64url segments and dots,
 * so RFC 6750 token68), else `undefined`. Whether the token is still valid is not its question: verifying
 * it answers that (and finds that copy at once: the same string). The HTTP layer uses it so a token sent
 * again skips the Bearer syntax scan. Not public API.
 */
export const KNOWN_TOKEN: unique symbol = Symbol.for('kms-jwt-verifier/known-token');

/** The method under {@link KNOWN_TOKEN}. */
export type KnownToken = (candidate: string) => string | undefined;

/** Whether `value` is a promise (a verified token never has a `then`). */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
