import type { Middleware } from 'koa';
import { claimRequirement, scopeRequirement, type ClaimRequirements, type Requirement } from 'kms-jwt-verifier/http';
import { PACKAGE, reply, stateOf } from './state.js';

function authorization(requirement: Requirement): Middleware {
  return async function authorize(ctx, next) {
    const state = stateOf(ctx);
    if (!state) throw new Error(`${PACKAGE}: requireScopes() and requireClaims() must come after kmsJwt() in the middleware chain`);
    // With passthrough, a request whose token failed is answered with that failure, not a bare 401.
    const failure = state.failure ?? state.auth.authorize(state.token, requirement);
    if (failure) return reply(ctx, failure, state.respond);
    await next();
  };
}

/**
 * Lets through requests whose token grants every one of `scopes` (its space-separated `scope` claim
 * or its `scp` array); others get 403 insufficient_scope (401 when unauthenticated). Use after
 * `kmsJwt()`.
 */
export function requireScopes(...scopes: string[]): Middleware {
  return authorization(scopeRequirement(scopes, PACKAGE));
}

/**
 * Lets through requests whose token's claims match: each claim equals its value (or, for an array
 * claim, contains it) or satisfies its predicate; others get 403 insufficient_scope naming the
 * claim. Use after `kmsJwt()`.
 */
export function requireClaims(claims: ClaimRequirements): Middleware {
  return authorization(claimRequirement(claims, PACKAGE));
}
