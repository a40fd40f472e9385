import {
  JwtClaimInvalidError,
  JwtClaimMissingError,
  JwtExpiredError,
  JwtIssuedInFutureError,
  JwtLifetimeTooLongError,
  JwtNotYetValidError,
  JwtTooOldError,
} from './errors.js';
import { normalizeTyp } from './media-type.js';

/** The claim rules in force for one verification, already validated. */
export interface ClaimRules {
  readonly issuer: readonly string[] | null;
  readonly audience: readonly string[] | null;
  readonly subject: string | undefined;
  readonly typ: string | undefined;
  readonly requiredClaims: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds: number | undefined;
  readonly maxTokenLifetimeSeconds: number | null;
}

/** The claim rules the time checks read (all that a signed message's verifier has). */
export type TimeRules = Pick<ClaimRules, 'clockToleranceSeconds' | 'maxTokenAgeSeconds' | 'maxTokenLifetimeSeconds'>;

/** What the time checks are checking, for their messages: an access token's claims, or a signed message's header. */
export interface TimeSubject {
  /** `token` or `message`. */
  readonly noun: string;
  /** Where `exp`, `nbf` and `iat` are: `claim` (a token's payload) or `header parameter` (a message's header). */
  readonly field: string;
  /** The option that sets the age limit. */
  readonly ageOption: string;
  /** What to do about an expired one. */
  readonly expiredHint: string;
}

export const TOKEN_SUBJECT: TimeSubject = { noun: 'token', field: 'claim', ageOption: 'maxTokenAgeSeconds', expiredHint: '; ask the issuer for a new token' };

/** Whether `value` is a finite number: Number.isFinite is false for every non-number, so it is the whole test (as a type guard). */
export function isFiniteNumber(value: unknown): value is number {
  return Number.isFinite(value);
}

function numericDate(payload: Record<string, unknown>, claim: 'exp' | 'nbf' | 'iat', subject: TimeSubject): number | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (!isFiniteNumber(value)) {
    throw new JwtClaimInvalidError(`${subject.field} ${claim} must be a NumericDate (seconds since the epoch)`, { claim, actual: typeof value });
  }
  return value;
}

/**
 * Checks exp, nbf, iat, the lifetime and the age against `nowSeconds`: a token's claims (run again
 * on every cache hit), or a signed message's header parameters (`subject` says which, for messages).
 */
export function checkTimeClaims(payload: Record<string, unknown>, rules: TimeRules, nowSeconds: number, subject: TimeSubject = TOKEN_SUBJECT): void {
  const tolerance = rules.clockToleranceSeconds;
  const { noun } = subject;
  const exp = numericDate(payload, 'exp', subject);
  if (exp !== undefined && nowSeconds - tolerance >= exp) {
    throw new JwtExpiredError(`the ${noun} expired at ${exp} (now ${Math.floor(nowSeconds)}, tolerance ${tolerance} s)${subject.expiredHint}`, {
      claim: 'exp',
      actual: exp,
    });
  }
  const nbf = numericDate(payload, 'nbf', subject);
  if (nbf !== undefined && nowSeconds + tolerance < nbf) {
    throw new JwtNotYetValidError(`the ${noun} is not valid before ${nbf} (now ${Math.floor(nowSeconds)}, tolerance ${tolerance} s)`, { claim: 'nbf', actual: nbf });
  }
  const iat = numericDate(payload, 'iat', subject);
  if (iat !== undefined && nowSeconds + tolerance < iat) {
    throw new JwtIssuedInFutureError(`the ${noun} claims to be issued at ${iat}, in the future (now ${Math.floor(nowSeconds)}, tolerance ${tolerance} s); check the issuer's clock`, {
      claim: 'iat',
      actual: iat,
    });
  }
  const maxLifetime = rules.maxTokenLifetimeSeconds;
  if (maxLifetime !== null && exp !== undefined) {
    if (iat !== undefined) {
      if (exp - iat > maxLifetime) {
        throw new JwtLifetimeTooLongError(
          `the token lives ${exp - iat} s (exp − iat), more than maxTokenLifetimeSeconds (${maxLifetime} s); have the issuer issue shorter-lived tokens, or raise maxTokenLifetimeSeconds`,
          { claim: 'exp', expected: maxLifetime, actual: exp },
        );
      }
    } else if (exp - nowSeconds - tolerance > maxLifetime) {
      throw new JwtLifetimeTooLongError(
        `the token has no iat and expires ${Math.floor(exp - nowSeconds)} s from now, more than maxTokenLifetimeSeconds (${maxLifetime} s); have the issuer issue shorter-lived tokens, or raise maxTokenLifetimeSeconds`,
        { claim: 'exp', expected: maxLifetime, actual: exp },
      );
    }
  }
  if (rules.maxTokenAgeSeconds !== undefined) {
    if (iat === undefined) throw new JwtClaimMissingError(`${subject.field} iat is required because ${subject.ageOption} is set`, { claim: 'iat' });
    if (nowSeconds - tolerance - iat > rules.maxTokenAgeSeconds) {
      throw new JwtTooOldError(`the ${noun} was issued at ${iat}, more than ${rules.maxTokenAgeSeconds} s ago (${subject.ageOption})`, {
        claim: 'iat',
        expected: rules.maxTokenAgeSeconds,
        actual: iat,
      });
    }
  }
}

/** A span of the verifier's clock, epoch milliseconds: `fromMs` ≤ now < `untilMs`. */
export interface ClockWindow {
  readonly fromMs: number;
  readonly untilMs: number;
}

/**
 * Where on the clock {@link checkTimeClaims} surely accepts `payload` under `rules` (a token's claims that
 * passed it once): after nbf, iat and, for a token without iat, the lifetime cap allow it (each less the
 * tolerance); before exp and the age limit end it (each plus the tolerance). A cache hit inside the window
 * skips the checks; one outside runs them, and they decide, to the exact error. A millisecond is given up at
 * each end, so rounding cannot accept a moment the checks would refuse.
 */
export function timeClaimsWindow(payload: Record<string, unknown>, rules: TimeRules): ClockWindow {
  const tolerance = rules.clockToleranceSeconds;
  const { exp, nbf, iat } = payload as { exp?: number; nbf?: number; iat?: number };
  let from = -Infinity;
  let until = Infinity;
  if (nbf !== undefined) from = Math.max(from, nbf - tolerance);
  if (iat !== undefined) from = Math.max(from, iat - tolerance);
  if (exp !== undefined) {
    until = exp + tolerance;
    if (iat === undefined && rules.maxTokenLifetimeSeconds !== null) from = Math.max(from, exp - tolerance - rules.maxTokenLifetimeSeconds);
  }
  if (iat !== undefined && rules.maxTokenAgeSeconds !== undefined) until = Math.min(until, iat + tolerance + rules.maxTokenAgeSeconds);
  return { fromMs: from * 1000 + 1, untilMs: until * 1000 - 1 };
}

/** Checks required claims, iss, aud, sub and typ. */
export function checkIdentityClaims(payload: Record<string, unknown>, header: Record<string, unknown>, rules: ClaimRules): void {
  for (const claim of rules.requiredClaims) {
    // Own members only: "toString" or "constructor" must not count as present.
    if (!Object.hasOwn(payload, claim)) throw new JwtClaimMissingError(`claim ${claim} is required but missing`, { claim });
  }
  if (rules.issuer !== null) {
    const iss = payload['iss'];
    if (iss === undefined) throw new JwtClaimMissingError('claim iss is required but missing', { claim: 'iss', expected: rules.issuer });
    // includes compares with SameValueZero: an iss that is not a string matches no accepted issuer.
    if (!(rules.issuer as readonly unknown[]).includes(iss)) {
      throw new JwtClaimInvalidError(`claim iss is not an accepted issuer (expected ${rules.issuer.join(' or ')}; the token's value is in error.actual)`, {
        claim: 'iss',
        expected: rules.issuer,
        actual: iss,
      });
    }
  }
  if (rules.audience !== null) {
    const aud = payload['aud'];
    if (aud === undefined) throw new JwtClaimMissingError('claim aud is required but missing', { claim: 'aud', expected: rules.audience });
    const accepted = rules.audience;
    // A string aud (the common case) is looked up as is, without building an array.
    const values = typeof aud === 'string' ? undefined : Array.isArray(aud) && aud.every((v) => typeof v === 'string') ? (aud as string[]) : null;
    if (values === null) throw new JwtClaimInvalidError('claim aud must be a string or an array of strings', { claim: 'aud', actual: aud });
    if (values === undefined ? !accepted.includes(aud as string) : !values.some((value) => accepted.includes(value))) {
      throw new JwtClaimInvalidError(`claim aud names none of the accepted audiences (${accepted.join(', ')}; the token's value is in error.actual)`, {
        claim: 'aud',
        expected: accepted,
        actual: aud,
      });
    }
  }
  if (rules.subject !== undefined) {
    const sub = payload['sub'];
    if (sub === undefined) throw new JwtClaimMissingError('claim sub is required but missing', { claim: 'sub', expected: rules.subject });
    if (sub !== rules.subject) throw new JwtClaimInvalidError(`claim sub is not ${JSON.stringify(rules.subject)} (the token's value is in error.actual)`, { claim: 'sub', expected: rules.subject, actual: sub });
  }
  if (rules.typ !== undefined) {
    const typ = header['typ'];
    if (typeof typ !== 'string' || normalizeTyp(typ) !== normalizeTyp(rules.typ)) {
      throw new JwtClaimInvalidError(`header typ is not ${JSON.stringify(rules.typ)} (the token's value is in error.actual)`, { claim: 'typ', expected: rules.typ, actual: typ });
    }
  }
}
