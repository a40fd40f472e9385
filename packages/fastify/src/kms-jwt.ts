import type { FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import type { JwtPayload } from 'kms-jwt-verifier';
import { AdapterConfigError, createBearerAuth, HttpAuthError, type AuthOutcome, type BearerAuthOptions, type BearerRequest } from 'kms-jwt-verifier/http';
import { PACKAGE, setState, STATE, type Deliver, type RequestAuth } from './state.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token's claims, set by kms-jwt-fastify's `onRequest` hook; `null` without a token (`credentialsRequired: false`) or outside the plugin's scope. Header, key ARN and raw token: `authToken(request)`. */
    auth: JwtPayload | null;
  }
}

/** Options of the {@link kmsJwt} plugin: the verifier, and how requests are read and answered. */
export interface KmsJwtOptions extends BearerAuthOptions<FastifyRequest> {
  /** Name of a cookie that may carry the token, read from `request.cookies` (register @fastify/cookie first); a token in both the cookie and the header is refused (400). Default: none. */
  readonly cookie?: string;
  /** Answer failures in the hook (status, `WWW-Authenticate` or `Retry-After`, JSON `{ error, error_description }`) instead of passing them to Fastify's error handler. Default: `false`. */
  readonly respond?: boolean;
}

// Fastify's error handler sets the error's statusCode and headers (WWW-Authenticate, Retry-After) on the reply.
const forward: Deliver = (error, _reply, done) => done(error);
const answer: Deliver = (error, reply) => void reply.code(error.status).headers({ ...error.headers }).send(error.body);

const plugin: FastifyPluginAsync<KmsJwtOptions> = async (fastify, options) => {
  const auth = createBearerAuth(options, PACKAGE);
  const { cookie } = options;
  if (cookie !== undefined && (typeof cookie !== 'string' || cookie === '')) throw new AdapterConfigError(PACKAGE, 'cookie must be a cookie name');
  if (cookie !== undefined && !fastify.hasRequestDecorator('cookies')) throw new AdapterConfigError(PACKAGE, 'cookie needs @fastify/cookie, registered before kms-jwt-fastify');
  if (fastify.hasRequestDecorator('auth')) throw new AdapterConfigError(PACKAGE, 'request.auth is already decorated in this context: register the plugin once per context, and another verifier in a sibling context');
  const deliver = options.respond === true ? answer : forward;
  // Fastify's hidden-class rule: declare the properties with a null value, assign them per request.
  fastify.decorateRequest('auth', null);
  fastify.decorateRequest(STATE, null);

  function accept(request: FastifyRequest, state: RequestAuth, token: RequestAuth['token'], done: HookHandlerDoneFunction): void {
    state.token = token;
    setState(request, state);
    if (token !== undefined) request.auth = token.payload;
    done();
  }
  const refuse = (error: unknown, reply: FastifyReply, done: HookHandlerDoneFunction): void => (error instanceof HttpAuthError ? deliver(error, reply, done) : done(error as Error));

  // A callback hook, and no closure per request: on a cache hit, no promise and no allocation beyond the state.
  const hook: onRequestHookHandler = (request, reply, done) => {
    const state: RequestAuth = { auth, deliver, token: undefined, rawToken: undefined };
    // The body is not parsed yet (onRequest), so the request is read as Node received it, plus the cookie.
    const source: BearerRequest = cookie === undefined ? request.raw : { rawHeaders: request.raw.rawHeaders, url: request.url, cookie: (request as { cookies?: Partial<Record<string, string>> }).cookies?.[cookie] };
    let outcome: AuthOutcome;
    try {
      outcome = auth.authenticateNow(request, source, state);
    } catch (error) {
      return refuse(error, reply, done);
    }
    // A token the verifier has cached is accepted synchronously, without an event-loop turn; done() runs outside the try.
    if (!(outcome instanceof Promise)) return accept(request, state, outcome, done);
    outcome.then((token) => accept(request, state, token, done), (error: unknown) => refuse(error, reply, done));
  };
  fastify.addHook('onRequest', hook);
};

/**
 * The Fastify plugin: `app.register(kmsJwt, { verifier })` verifies the Bearer token of every request
 * in the registering context (and its children) in an `onRequest` hook, and puts its claims on
 * `request.auth`; header, key ARN and raw token: `authToken(request)`. A failure goes to Fastify's
 * error handler as an `HttpAuthError` with `statusCode` and `headers` (or, with `respond: true`, is
 * answered with a JSON body). Wrong options reject the `register`.
 */
export const kmsJwt = fastifyPlugin(plugin, { fastify: '5.x', name: PACKAGE });
