import type { onRequestHookHandler } from 'fastify';
import { claimRequirement, scopeRequirement, type ClaimRequirements, type Requirement } from 'kms-jwt-verifier/http';
import { PACKAGE, stateOf } from './state.js';

/** A route hook that runs `requirement` on the token the plugin verified, and answers or passes on its failure as the plugin is configured. */
function routeHook(requirement: Requirement): onRequestHookHandler {
  return function checkToken(request, reply, done) {
    const state = stateOf(request);
    const failure = state === undefined ? undefined : state.auth.authorize(state.token, requirement);
    if (state === undefined) done(new Error(`${PACKAGE}: requireScopes() and requireClaims() must run on a route the kmsJwt plugin covers`));
    else if (failure === undefined) done();
    else state.deliver(failure, reply, done);
  };
}

/**
 * A route hook (for `onRequest` or `preHandler`) that lets through requests whose token grants every
 * one of `scopes` (its space-separated `scope` claim or its `scp` array); others get 403
 * insufficient_scope (401 when unauthenticated), answered or passed on as the plugin is configured.
 */
export const requireScopes = (...scopes: string[]): onRequestHookHandler => routeHook(scopeRequirement(scopes, PACKAGE));

/**
 * A route hook (for `onRequest` or `preHandler`) that lets through requests whose token's claims match: each claim equals
 * its value (or, for an array claim, contains it) or satisfies its predicate; others get 403 insufficient_scope naming the claim.
 */
export const requireClaims = (claims: ClaimRequirements): onRequestHookHandler => routeHook(claimRequirement(claims, PACKAGE));
