import { KmsJwtError, type VerifiedToken } from 'kms-jwt-verifier';
import { describeTime, prettyJson } from '../../lib/output.js';

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

/** The human report of a valid token, for stdout. */
export function describeValid(verified: VerifiedToken, nowMs: number): string {
  const lines = [`VALID: signature verified with ${verified.key} (${verified.header.alg}), claims hold`, `header: ${JSON.stringify(verified.header)}`, `payload: ${prettyJson(verified.payload).trimEnd()}`];
  const expires = describeTime(verified.payload.exp, nowMs);
  if (expires !== undefined) lines.push(`expires: ${expires}`);
  return `${lines.join('\n')}\n`;
}
