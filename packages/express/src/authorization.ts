import type { RequestHandler } from 'express';
import { claimRequirement, scopeRequirement, type ClaimRequirements, type Requirement } from 'kms-jwt-verifier/http';
import { PACKAGE, stateOf } from './state.js';

function guard(requirement: Requirement): RequestHandler {
  return (req, res, next) => {
    const state = stateOf(req);
    if (state === undefined) return next(new Error(`${PACKAGE}: requireScopes() and requireClaims() must run after kmsJwt() on the same request`));
    const failure = state.auth.authorize(state.token, requirement);
    if (failure === undefined) return next();
    state.deliver(failure, res, next);
  };
}

/**
 * Lets through requests whose token grants every one of `scopes` (its space-separated `scope` claim
 * or its `scp` array); others get 403 insufficient_scope (401 when unauthenticated), answered or
 * passed on as `kmsJwt` is configured. Use after `kmsJwt()`.
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  return guard(scopeRequirement(scopes, PACKAGE));
}

/**
 * Lets through requests whose token's claims match: each claim equals its value (or, for an array
 * claim, contains it) or satisfies its predicate; others get 403 insufficient_scope naming the
 * claim. Use after `kmsJwt()`.
 */
export function requireClaims(claims: ClaimRequirements): RequestHandler {
  return guard(claimRequirement(claims, PACKAGE));
}
