import type { MiddlewareHandler } from 'hono';
import { claimRequirement, scopeRequirement, type ClaimRequirements, type Requirement } from 'kms-jwt-verifier/http';
import { PACKAGE, reply, stateOf } from './state.js';

function authorization(requirement: Requirement): MiddlewareHandler {
  return async function authorize(c, next) {
    const state = stateOf(c);
    if (state === undefined) throw new Error(`${PACKAGE}: requireScopes() and requireClaims() must come after kmsJwt() on the same route`);
    const failure = state.auth.authorize(state.token, requirement);
    if (failure !== undefined) return reply(c, failure, state.respond);
    await next();
  };
}

/**
 * Middleware that lets through requests whose token grants every one of `scopes` (its
 * space-separated `scope` claim or its `scp` array); others get 403 insufficient_scope (401 when
 * unauthenticated), answered as `kmsJwt` is configured. Use after `kmsJwt()`.
 */
export const requireScopes = (...scopes: string[]): MiddlewareHandler => authorization(scopeRequirement(scopes, PACKAGE));

/**
 * Middleware that lets through requests whose token's claims match: each claim equals its value (or, for an array claim,
 * contains it) or satisfies its predicate; others get 403 insufficient_scope naming the claim. Use after `kmsJwt()`.
 */
export const requireClaims = (claims: ClaimRequirements): MiddlewareHandler => authorization(claimRequirement(claims, PACKAGE));
