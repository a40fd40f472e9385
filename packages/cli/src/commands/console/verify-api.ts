import type { RevocationList } from 'kms-jwt-fleet';
import { KmsJwtError, type JwsHeader, type JwtPayload, type Verifier } from 'kms-jwt-verifier';
import { failureReport, type FailureReport } from '../../lib/failure-report.js';

/** What `POST /api/verify` answers. */
export type VerifyAnswer =
  | { readonly valid: true; readonly key: string; readonly header: JwsHeader; readonly payload: JwtPayload }
  | { readonly valid: false; readonly error: FailureReport; readonly key?: string };

/** Longest token the API takes, in characters (a token is a few hundred to a few thousand). */
export const MAX_TOKEN_LENGTH = 16_384;

/**
 * Verifies a token as `kms-jwt verify` does, then, with a fleet, asks its revocation list as an
 * adapter's `isRevoked` would (ERR_TOKEN_REVOKED, or the list's own code when it cannot answer).
 * Failures carry their code and reason, never the token.
 */
export async function verifyToken(verifier: Verifier, token: string, fleet: RevocationList | undefined): Promise<VerifyAnswer> {
  let verified;
  try {
    verified = await verifier.verify(token);
  } catch (error) {
    if (error instanceof KmsJwtError) return { valid: false, error: failureReport(error) };
    throw error;
  }
  if (fleet !== undefined) {
    try {
      if (fleet.isRevoked(verified)) {
        return { valid: false, key: verified.key, error: { code: 'ERR_TOKEN_REVOKED', family: 'token', message: 'the signature and claims hold, but the token was revoked: its iss and jti are on the fleet\'s revocation list' } };
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { valid: false, key: verified.key, error: { code: typeof code === 'string' ? code : 'ERR_REVOCATION_LIST_UNAVAILABLE', family: 'infrastructure', message: error instanceof Error ? error.message : String(error) } };
    }
  }
  return { valid: true, key: verified.key, header: verified.header, payload: verified.payload };
}
