import { RevocationCheckUnavailableError } from 'kms-jwt-verifier/http';

/** Why a list cannot answer: not loaded yet, too stale (Redis unreachable past `maxStalenessMs`), over `maxEntries`, or closed. */
export type RevocationListUnavailableReason = 'not-ready' | 'stale' | 'overflow' | 'closed';

/**
 * `isRevoked` cannot answer (ERR_REVOCATION_CHECK_UNAVAILABLE): the adapters answer 503 with
 * `Retry-After`, never 401. `reason` says why; the `cause`, when there is one, is Redis's error.
 */
export class RevocationListUnavailableError extends RevocationCheckUnavailableError {
  readonly reason: RevocationListUnavailableReason;

  constructor(reason: RevocationListUnavailableReason, message: string, options?: { cause?: unknown }) {
    super(`kms-jwt-fleet: ${message}`, options);
    this.reason = reason;
  }
}

/** `revoke` would hold more than `maxEntries` unexpired entries, or Redis holds more than that (ERR_REVOCATION_LIST_FULL). */
export class RevocationListFullError extends Error {
  readonly code = 'ERR_REVOCATION_LIST_FULL' as const;

  constructor(maxEntries: number, where: string) {
    super(`kms-jwt-fleet: ${where} holds ${maxEntries} unexpired revocations, the maxEntries limit; raise maxEntries or shorten token lifetimes`);
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** `revoke` was given something that is not `{ iss, jti, exp }` or a verified token carrying them (ERR_REVOCATION_INVALID). */
export class RevocationInvalidError extends Error {
  readonly code = 'ERR_REVOCATION_INVALID' as const;

  constructor(message: string) {
    super(`kms-jwt-fleet: ${message}`);
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** An option of `createRevocationList` or `createKeySignal` is wrong; thrown at construction (ERR_CONFIG_INVALID). */
export class FleetConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID' as const;

  constructor(message: string) {
    super(`kms-jwt-fleet: ${message}`);
  }

  override get name(): string {
    return this.constructor.name;
  }
}
