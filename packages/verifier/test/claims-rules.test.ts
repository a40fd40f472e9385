import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTimeClaims, timeClaimsWindow, type ClaimRules } from '../src/claims.js';
import { JwtTooOldError } from '../src/index.js';
import { admit, setup, token } from './support/cache.js';
import { NOW } from './support/tokens.js';

/** Claim rules with the time limits a case sets (no identity rule: the time checks do not read them). */
function rules(limits: { tolerance?: number; maxAge?: number | undefined; maxLifetime?: number | null } = {}): ClaimRules {
  return {
    issuer: null,
    audience: null,
    subject: undefined,
    typ: undefined,
    requiredClaims: [],
    clockToleranceSeconds: limits.tolerance ?? 0,
    maxTokenAgeSeconds: limits.maxAge,
    maxTokenLifetimeSeconds: limits.maxLifetime ?? null,
  };
}

describe('a cached token and its age limit', () => {
  it('refuses a cached token half a millisecond past maxTokenAgeSeconds, with a clock of fractional milliseconds', async () => {
    const { verifier, advance } = setup({ maxTokenAgeSeconds: 60 });
    const t = token({ iat: NOW - 10 });
    const first = await admit(verifier, t);
    // The cached result on the limit itself (a token is refused once more than 60 s old), then ERR_JWT_TOO_OLD half a millisecond later.
    const answers: unknown[] = [];
    for (const step of [50, 0.0005]) {
      advance(step);
      answers.push(await verifier.verify(t).then((result) => result === first, (error: unknown) => (error instanceof JwtTooOldError ? error.code : error)));
    }
    expect(answers).toEqual([true, 'ERR_JWT_TOO_OLD']);
  });
});

describe('timeClaimsWindow: where a cache hit may skip the time checks', () => {
  const at = (seconds: number): number => seconds * 1000;

  it('spans the whole clock for a payload without exp, nbf or iat', () => {
    expect(timeClaimsWindow({}, rules({ tolerance: 5 }))).toEqual({ fromMs: -Infinity, untilMs: Infinity });
  });

  it('starts a millisecond after nbf less the tolerance, and never ends without exp or an age limit', () => {
    expect(timeClaimsWindow({ nbf: NOW }, rules({ tolerance: 5 }))).toEqual({ fromMs: at(NOW - 5) + 1, untilMs: Infinity });
  });

  it('starts a millisecond after iat less the tolerance, and never ends without exp or an age limit', () => {
    expect(timeClaimsWindow({ iat: NOW }, rules({ tolerance: 5 }))).toEqual({ fromMs: at(NOW - 5) + 1, untilMs: Infinity });
  });

  it('starts at the later of nbf and iat', () => {
    expect(timeClaimsWindow({ nbf: NOW + 20, iat: NOW }, rules())).toEqual({ fromMs: at(NOW + 20) + 1, untilMs: Infinity });
    expect(timeClaimsWindow({ nbf: NOW, iat: NOW + 20 }, rules())).toEqual({ fromMs: at(NOW + 20) + 1, untilMs: Infinity });
  });

  it('ends a millisecond before exp plus the tolerance, and has no start without nbf, iat or a lifetime cap', () => {
    expect(timeClaimsWindow({ exp: NOW }, rules({ tolerance: 5 }))).toEqual({ fromMs: -Infinity, untilMs: at(NOW + 5) - 1 });
  });

  it('starts a token without iat where maxTokenLifetimeSeconds first accepts it: exp less the tolerance and the cap', () => {
    expect(timeClaimsWindow({ exp: NOW }, rules({ tolerance: 5, maxLifetime: 3600 }))).toEqual({ fromMs: at(NOW - 5 - 3600) + 1, untilMs: at(NOW + 5) - 1 });
  });

  it('starts a token with iat at iat, whatever maxTokenLifetimeSeconds (exp − iat does not move with the clock)', () => {
    expect(timeClaimsWindow({ iat: NOW - 10, exp: NOW + 60 }, rules({ tolerance: 5, maxLifetime: 3600 }))).toEqual({ fromMs: at(NOW - 15) + 1, untilMs: at(NOW + 65) - 1 });
  });

  it('ends a millisecond before iat plus the tolerance and maxTokenAgeSeconds, or before exp plus the tolerance when that comes first', () => {
    expect(timeClaimsWindow({ iat: NOW, exp: NOW + 300 }, rules({ tolerance: 5, maxAge: 60 }))).toEqual({ fromMs: at(NOW - 5) + 1, untilMs: at(NOW + 65) - 1 });
    expect(timeClaimsWindow({ iat: NOW, exp: NOW + 30 }, rules({ tolerance: 5, maxAge: 60 }))).toEqual({ fromMs: at(NOW - 5) + 1, untilMs: at(NOW + 35) - 1 });
  });

  it('is where checkTimeClaims accepts, to within a millisecond at each end', () => {
    const offset = fc.option(fc.integer({ min: -400, max: 400 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({ exp: offset, nbf: offset, iat: offset }),
        fc.record({
          tolerance: fc.integer({ min: 0, max: 60 }),
          maxAge: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
          maxLifetime: fc.option(fc.integer({ min: 1, max: 800 }), { nil: null }),
        }),
        (offsets, limits) => {
          const payload = Object.fromEntries(Object.entries(offsets).flatMap(([claim, value]) => (value === undefined ? [] : [[claim, NOW + value]])));
          const { exp, iat } = payload as { exp?: number; iat?: number };
          // Tokens the checks refuse at every moment are never cached: too long-lived by exp − iat, or without iat under an age limit.
          fc.pre(!(limits.maxLifetime !== null && exp !== undefined && iat !== undefined && exp - iat > limits.maxLifetime));
          fc.pre(!(limits.maxAge !== undefined && iat === undefined));
          const claimRules = rules(limits);
          const { fromMs, untilMs } = timeClaimsWindow(payload, claimRules);
          const accepts = (ms: number): boolean => {
            try {
              checkTimeClaims(payload, claimRules, ms / 1000);
              return true;
            } catch {
              return false;
            }
          };
          if (fromMs >= untilMs) return;
          for (const ms of [fromMs, untilMs - 0.5]) if (Number.isFinite(ms)) expect(accepts(ms)).toBe(true);
          if (Number.isFinite(fromMs)) expect(accepts(fromMs - 1.5)).toBe(false);
          if (Number.isFinite(untilMs)) expect(accepts(untilMs + 1.5)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
