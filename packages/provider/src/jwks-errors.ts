import { KmsJwtError } from 'kms-jwt-verifier';

/** What is wrong with a remote JWKS document as a whole. */
export type JwksProblem =
  /** The body is longer than `maxResponseBytes`. */
  | 'too-large'
  /** More keys than `maxKeys`. */
  | 'too-many-keys'
  /** Not UTF-8 JSON, or not an object with a `keys` array. */
  | 'malformed';

/**
 * The remote JWKS answered, but with a document that cannot be used: larger than
 * `maxResponseBytes`, more keys than `maxKeys`, or not a JWKS at all. `ready()` rejects with it and
 * `onJwksFetchFailed` reports it; `resolve` throws a `KeySourceUnavailableError` (503) caused by it
 * when nothing usable is cached. Its message names the URL (without query) and never the body.
 */
export class JwksInvalidError extends KmsJwtError {
  readonly code = 'ERR_JWKS_INVALID' as const;
  readonly family = 'infrastructure' as const;
  readonly status = 503 as const;
  readonly problem: JwksProblem;
  /** The JWKS URL, without query or fragment. */
  readonly url: string;

  constructor(problem: JwksProblem, url: string, message: string) {
    super(`kms-pubkey-provider: the JWKS at ${url} ${message}`);
    this.problem = problem;
    this.url = url;
  }
}
