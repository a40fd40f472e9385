import type { VerifiedToken } from 'kms-jwt-verifier';
import { RevocationInvalidError } from './errors.js';

/** One revoked token, named by its issuer and id (never by the token string: ECDSA signatures are malleable). */
export interface Revocation {
  /** The token's `iss`. */
  readonly iss: string;
  /** The token's `jti`. */
  readonly jti: string;
  /** The token's `exp` (seconds since the epoch): the entry lives until then, plus the list's clock tolerance. */
  readonly exp: number;
}

/** The longest `iss` or `jti` accepted, in characters (bounds the memory of one entry). */
export const MAX_CLAIM_LENGTH = 1024;

function claimText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_CLAIM_LENGTH) {
    throw new RevocationInvalidError(`${name} must be a non-empty string of at most ${MAX_CLAIM_LENGTH} characters`);
  }
  return value;
}

function isVerifiedToken(value: object): value is VerifiedToken {
  return 'payload' in value && typeof (value as { payload?: unknown }).payload === 'object' && (value as { payload?: unknown }).payload !== null;
}

/** The `{ iss, jti, exp }` that `revoke` was given, directly or as a verified token's claims; throws RevocationInvalidError otherwise. */
export function toRevocation(input: Revocation | VerifiedToken): Revocation {
  if (typeof input !== 'object' || input === null) throw new RevocationInvalidError('revoke needs { iss, jti, exp } or a verified token');
  const claims: Record<string, unknown> = isVerifiedToken(input) ? input.payload : (input as unknown as Record<string, unknown>);
  const iss = claimText(claims.iss, 'iss');
  const jti = claimText(claims.jti, 'jti');
  const exp = claims.exp;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp <= 0) throw new RevocationInvalidError('exp must be the token expiry, a positive integer of seconds since the epoch');
  return { iss, jti, exp };
}

/** The `iss` and `jti` of what an adapter passes `isRevoked` (a verified token); `undefined` when either is missing. */
export function revocationIdOf(token: unknown): { iss: string; jti: string } | undefined {
  const payload = typeof token === 'object' && token !== null ? (token as { payload?: unknown }).payload : undefined;
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { iss, jti } = payload as { iss?: unknown; jti?: unknown };
  return typeof iss === 'string' && typeof jti === 'string' ? { iss, jti } : undefined;
}
