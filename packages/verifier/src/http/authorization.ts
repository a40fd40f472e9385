import type { JwtPayload } from '../types.js';
import type { Failure } from './challenge.js';
import { AdapterConfigError } from './errors.js';

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** A check run on a verified token's claims; answers the failure, or `undefined` to let the request through. */
export type Requirement = (payload: JwtPayload) => Failure | undefined;

/** What a claim must be: a value it must equal (or, for an array claim, contain), or a predicate. */
export type ClaimExpectation = string | number | boolean | ((value: unknown, payload: JwtPayload) => boolean);

/** Claim name → expectation, for `requireClaims`. */
export type ClaimRequirements = Readonly<Record<string, ClaimExpectation>>;

function words(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((word) => word !== '');
  if (Array.isArray(value)) return value.filter((word): word is string => typeof word === 'string');
  return [];
}

/** The scopes a token grants: its space-separated `scope` claim and its `scp` claim (an array, or a space-separated string). */
export function scopesOf(payload: JwtPayload): ReadonlySet<string> {
  return new Set([...words(typeof payload.scope === 'string' ? payload.scope : undefined), ...words(payload['scp'])]);
}

/** A requirement that the token grant every one of `scopes`; a token that does not is answered 403 insufficient_scope. */
export function scopeRequirement(scopes: readonly string[], packageName: string): Requirement {
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((scope) => typeof scope === 'string' && SCOPE_TOKEN.test(scope))) {
    throw new AdapterConfigError(packageName, 'requireScopes needs one or more scopes, each a string of printable ASCII without spaces, quotes or backslashes');
  }
  const required = Object.freeze([...scopes]);
  return (payload) => {
    const granted = scopesOf(payload);
    if (required.every((scope) => granted.has(scope))) return undefined;
    return {
      status: 403,
      error: 'insufficient_scope',
      code: 'ERR_SCOPE_INSUFFICIENT',
      family: 'authorization',
      description: 'the access token does not grant the scope this resource requires',
      requiredScopes: required,
    };
  };
}

function matches(expectation: ClaimExpectation, value: unknown, payload: JwtPayload): boolean {
  if (typeof expectation === 'function') return expectation(value, payload) === true;
  return value === expectation || (Array.isArray(value) && value.includes(expectation));
}

/**
 * A requirement on claim values: each named claim must equal its value (or, when the claim is an
 * array, contain it), or satisfy its predicate. A token that does not is answered 403
 * insufficient_scope, naming the claim (never its value).
 */
export function claimRequirement(claims: ClaimRequirements, packageName: string): Requirement {
  const entries = typeof claims === 'object' && claims !== null ? Object.entries(claims) : [];
  if (entries.length === 0) throw new AdapterConfigError(packageName, 'requireClaims needs an object of one or more claim names and their expected values');
  for (const [claim, expectation] of entries) {
    if (!['string', 'number', 'boolean', 'function'].includes(typeof expectation)) {
      throw new AdapterConfigError(packageName, `requireClaims: the expectation for claim ${claim} must be a string, number, boolean or predicate function`);
    }
  }
  return (payload) => {
    for (const [claim, expectation] of entries) {
      if (!matches(expectation, payload[claim], payload)) {
        return {
          status: 403,
          error: 'insufficient_scope',
          code: 'ERR_CLAIM_MISMATCH',
          family: 'authorization',
          description: `the access token's ${claim} claim does not grant access to this resource`,
          claim,
        };
      }
    }
    return undefined;
  };
}
