import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { VerifiedToken } from 'kms-jwt-verifier';
import { authTokenOf, requestSlot, type AuthToken, type BearerAuth, type HttpAuthError, type RawTokenSink } from 'kms-jwt-verifier/http';

/** The package name that starts every configuration error. */
export const PACKAGE = 'kms-jwt-fastify';

/** Answers a failure through the reply, or hands it to Fastify's error handler (`respond`). */
export type Deliver = (error: HttpAuthError, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/** What the plugin's hook learned about one request, for `requireScopes` / `requireClaims` and {@link authToken}. */
export interface RequestAuth extends RawTokenSink {
  readonly auth: BearerAuth<FastifyRequest>;
  readonly deliver: Deliver;
  token: VerifiedToken | undefined;
}

/** The request decorator (declared `null`) holding its {@link RequestAuth}: kms-jwt-verifier/http's symbol slot. */
const slot = requestSlot<FastifyRequest, RequestAuth>('kms-jwt-fastify.state');
export const STATE: symbol = slot.key;
export const stateOf: (request: FastifyRequest) => RequestAuth | undefined = slot.get;
export const setState: (request: FastifyRequest, state: RequestAuth) => void = slot.set;

/**
 * The verified token of a request the plugin let through: `{ header, payload, key, token }` — its protected
 * header, its claims (as on `request.auth`), the KMS key ARN that verified it and the raw token it sent (a
 * credential: keep it out of logs). `undefined` for a request without one (no credentials under
 * `credentialsRequired: false`, or a route outside the plugin's scope). A new frozen object on each call.
 */
export function authToken(request: FastifyRequest): AuthToken | undefined {
  const state = stateOf(request);
  return authTokenOf(state?.token, state);
}
