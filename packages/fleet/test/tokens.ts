import type { VerifiedToken } from 'kms-jwt-verifier';

/** What an adapter passes `isRevoked`: a verified token with these claims (the list looks at `iss` and `jti` only). */
export function verified(claims: { iss?: string; jti?: string; exp?: number }): VerifiedToken {
  return { header: { alg: 'ES256', kid: 'k' }, payload: { sub: 'user-1', ...claims }, key: 'k' } as unknown as VerifiedToken;
}
