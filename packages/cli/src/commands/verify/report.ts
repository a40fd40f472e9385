import type { VerifiedToken } from 'kms-jwt-verifier';
import { describeTime, prettyJson } from '../../lib/output.js';

/** The human report of a valid token, for stdout. */
export function describeValid(verified: VerifiedToken, nowMs: number): string {
  const lines = [`VALID: signature verified with ${verified.key} (${verified.header.alg}), claims hold`, `header: ${JSON.stringify(verified.header)}`, `payload: ${prettyJson(verified.payload).trimEnd()}`];
  const expires = describeTime(verified.payload.exp, nowMs);
  if (expires !== undefined) lines.push(`expires: ${expires}`);
  return `${lines.join('\n')}\n`;
}
