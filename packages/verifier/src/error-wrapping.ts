import { JwtMalformedError, KeySourceUnavailableError, KmsJwtError } from './errors.js';

/** Only this package's errors leave `verify`; anything else (a bug, a misbehaving resolver) is wrapped. */
export function ownError(error: unknown, noun = 'token'): KmsJwtError {
  return error instanceof KmsJwtError ? error : new JwtMalformedError(`the ${noun} could not be processed`, { cause: error });
}

/** A key resolver that threw or rejected: the key source is unavailable (503), unless it threw one of this package's errors. */
export function unavailable(error: unknown): KmsJwtError {
  if (error instanceof KmsJwtError) return error;
  return new KeySourceUnavailableError('the key source failed and has no usable key for this kid; retry later', { cause: error });
}
