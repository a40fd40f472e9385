import { HttpAuthError } from 'kms-jwt-verifier/http';

/**
 * What `kmsJwt` passes to `next(err)` for a 400, 401 or 403 (as express-jwt does), with `status`,
 * `code`, `headers` (the RFC 6750 challenge) and the JSON `body`. A 503 (key source unavailable) is
 * passed as a plain {@link HttpAuthError} instead, so handlers that answer every UnauthorizedError
 * with 401 do not turn an outage into rejected users.
 */
export class UnauthorizedError extends HttpAuthError {}
