import type { HttpAuthError } from 'kms-jwt-verifier/http';

const failures = new WeakMap<object, HttpAuthError>();

/** Remembers why the strategy failed a request. */
export function recordFailure(req: object, error: HttpAuthError): void {
  failures.set(req, error);
}

/**
 * Why `KmsJwtStrategy` failed this request: an `HttpAuthError` with `status`, `code`, `headers` and
 * the JSON `body` to send (passport itself only passes on the challenge and the status). `undefined`
 * when the strategy did not fail it.
 */
export function authFailure(req: object): HttpAuthError | undefined {
  return failures.get(req);
}
