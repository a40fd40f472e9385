import type { KmsJwtError } from 'kms-jwt-verifier';

/** A verification failure as `--json` prints it: the code and reason, never the token's claim values. */
export interface FailureReport {
  readonly code: string;
  readonly family: string;
  readonly message: string;
  readonly claim?: string;
  readonly expected?: unknown;
}

export function failureReport(error: KmsJwtError): FailureReport {
  const claim = (error as { claim?: unknown }).claim;
  const expected = (error as { expected?: unknown }).expected;
  return {
    code: error.code,
    family: error.family,
    message: error.message,
    ...(typeof claim === 'string' ? { claim } : {}),
    ...(expected === undefined ? {} : { expected }),
  };
}
