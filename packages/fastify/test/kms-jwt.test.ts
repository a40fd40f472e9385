// The Fastify plugin over real HTTP (each app on a free loopback port): tokens signed through
// kms-local by kms-jwt-signer and verified with kms-pubkey-provider's keys (the contract suite's world).
import type { AddressInfo } from 'node:net';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { JwtPayload } from 'kms-jwt-verifier';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startKmsWorld, type KmsWorld } from '../../../test/adapters/support/kms.js';
import { AdapterConfigError, HttpAuthError, jwksHandler, kmsJwt, requireClaims, requireScopes, type KmsJwtOptions } from '../src/index.js';

let world: KmsWorld;
beforeAll(async () => {
  world = await startKmsWorld();
});
afterAll(() => world.close());

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A Fastify app closed after the test. */
function fastify(): FastifyInstance {
  const app = Fastify();
  apps.push(app);
  return app;
}

/** Listens on a free loopback port and sends one request; resolves the status, headers and body. */
async function call(app: FastifyInstance, path: string, init: RequestInit = {}) {
  const base = app.server.listening ? `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` : await app.listen({ port: 0, host: '127.0.0.1' });
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: (): unknown => JSON.parse(text) };
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
/** A route handler answering the claims on request.auth. */
const claims = async (request: FastifyRequest) => ({ auth: request.auth });

/** An app with the plugin at its root and GET /orders behind it; `setup` runs before the route is added (an error handler applies to the routes added after it). */
async function app(options: Partial<KmsJwtOptions> = {}, setup: (app: FastifyInstance) => void = () => undefined): Promise<FastifyInstance> {
  const application = fastify();
  await application.register(kmsJwt, { verifier: world.verifier, ...options });
  setup(application);
  application.get('/orders', claims);
  return application;
}

describe('the kmsJwt plugin', () => {
  it('puts the verified claims on request.auth, typed by declaration merging on FastifyRequest', async () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<JwtPayload | null>();
    const reply = await call(await app(), '/orders', bearer(world.tokens.current));
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ auth: expect.objectContaining({ sub: 'user-1', scope: 'orders:read profile' }) });
  });

  it('is typed: register options are KmsJwtOptions, hooks receive the FastifyRequest', () => {
    expectTypeOf<Parameters<typeof kmsJwt>[1]>().toEqualTypeOf<KmsJwtOptions>();
    expectTypeOf<Parameters<NonNullable<KmsJwtOptions['getToken']>>[0]>().toEqualTypeOf<FastifyRequest>();
    expectTypeOf<Parameters<NonNullable<KmsJwtOptions['isRevoked']>>[0]>().toEqualTypeOf<FastifyRequest>();
  });

  it('reaches the context it is registered in (fastify-plugin), and only that one: sibling contexts stay open and undecorated', async () => {
    const application = fastify();
    let protectedScope: FastifyInstance | undefined;
    await application.register(async (api) => {
      await api.register(kmsJwt, { verifier: world.verifier });
      protectedScope = api;
      api.get('/api/orders', claims);
    });
    application.get('/health', async (request) => ({ auth: request.auth, decorated: application.hasRequestDecorator('auth') }));
    expect(protectedScope?.hasRequestDecorator('auth')).toBe(true);
    expect((await call(application, '/api/orders')).status).toBe(401);
    expect((await call(application, '/api/orders', bearer(world.tokens.current))).json()).toMatchObject({ auth: { sub: 'user-1' } });
    expect((await call(application, '/health')).json()).toEqual({ decorated: false });
  });

  it('verifies in onRequest, before the body is parsed: a refused request costs no body parse', async () => {
    const application = await app();
    let parsed = 0;
    application.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      parsed += 1;
      done(null, JSON.parse(String(body)));
    });
    application.post('/orders', claims);
    const post = (headers: Record<string, string>) => call(application, '/orders', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ access_token: world.tokens.current }) });
    // A token in the body is never read (the body is not parsed yet): the request has no credentials.
    const refused = await post({});
    expect(refused.status).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'ERR_CREDENTIALS_MISSING' });
    expect(parsed).toBe(0);
    expect((await post({ authorization: `Bearer ${world.tokens.current}` })).status).toBe(200);
    expect(parsed).toBe(1);
  });

  it("hands a failure to Fastify's default error handler: statusCode, the WWW-Authenticate challenge and Fastify's JSON error body", async () => {
    const reply = await call(await app({ realm: 'orders' }), '/orders', bearer(world.tokens.expired));
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="orders", error="invalid_token", error_description="the access token expired (exp)"');
    expect(reply.json()).toEqual({ statusCode: 401, code: 'ERR_JWT_EXPIRED', error: 'Unauthorized', message: 'the access token expired (exp)' });
  });

  it('hands the error handler an HttpAuthError with statusCode, code and headers; a key source that is down is 503 with Retry-After', async () => {
    const seen: unknown[] = [];
    const application = await app({ verifier: world.coldVerifier }, (application) =>
      application.setErrorHandler((error, _request, reply) => {
        seen.push(error);
        return reply.code(error instanceof HttpAuthError ? error.statusCode : 500).headers(error instanceof HttpAuthError ? { ...error.headers } : {}).send({ seen: (error as Error).name });
      }),
    );
    const reply = await call(application, '/orders', bearer(world.tokens.current));
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('5');
    expect(reply.json()).toEqual({ seen: 'HttpAuthError' });
    expect(seen).toEqual([expect.objectContaining({ statusCode: 503, code: 'ERR_KEY_SOURCE_UNAVAILABLE', headers: { 'Retry-After': '5' } })]);
  });

  it('answers failures through the reply with respond: true, without reaching the error handler', async () => {
    let handled = 0;
    const application = await app({ respond: true, realm: 'orders' }, (application) => {
      application.setErrorHandler((error, _request, reply) => {
        handled += 1;
        return reply.code(500).send({ handled: (error as Error).message });
      });
      application.get('/broken', () => {
        throw new Error('a route error');
      });
    });
    const reply = await call(application, '/orders', { headers: { authorization: 'Bearer' } });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer realm="orders", error="invalid_request"/);
    expect(reply.json()).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('Authorization header') });
    expect(handled).toBe(0);
    // The same app's error handler is in place: an authenticated route's own error reaches it.
    expect((await call(application, '/broken', bearer(world.tokens.current))).json()).toEqual({ handled: 'a route error' });
    expect(handled).toBe(1);
  });

  it('lets a request without a token through with request.auth null under credentialsRequired: false, but still refuses a bad token', async () => {
    const application = await app({ credentialsRequired: false });
    expect((await call(application, '/orders')).json()).toEqual({ auth: null });
    expect((await call(application, '/orders', bearer(world.tokens.untrusted))).status).toBe(401);
  });

  it('reads the token with getToken(request), and rejects revoked tokens with isRevoked(request, token)', async () => {
    const application = await app({ getToken: (request) => request.headers['x-access-token'] as string | undefined, isRevoked: (_request, token) => token.payload.jti === 'revoked-1' });
    expect((await call(application, '/orders', { headers: { 'x-access-token': world.tokens.current } })).json()).toMatchObject({ auth: { sub: 'user-1' } });
    expect((await call(application, '/orders', { headers: { 'x-access-token': world.tokens.revoked } })).json()).toMatchObject({ statusCode: 401, code: 'ERR_TOKEN_REVOKED' });
  });

  it('passes an error thrown by isRevoked to the error handler unchanged', async () => {
    const reply = await call(await app({ isRevoked: () => Promise.reject(new Error('revocation store down')) }), '/orders', bearer(world.tokens.current));
    expect(reply.status).toBe(500);
    expect(reply.json()).toMatchObject({ message: 'revocation store down' });
  });

  it('reads the token from a cookie through @fastify/cookie, and refuses one sent in both the cookie and the header', async () => {
    const application = fastify();
    await application.register(cookie);
    await application.register(kmsJwt, { verifier: world.verifier, cookie: 'access_token' });
    application.get('/orders', claims);
    expect((await call(application, '/orders', { headers: { cookie: `access_token=${world.tokens.current}` } })).json()).toMatchObject({ auth: { sub: 'user-1' } });
    const both = await call(application, '/orders', { headers: { cookie: `access_token=${world.tokens.current}`, authorization: `Bearer ${world.tokens.current}` } });
    expect(both.status).toBe(400);
    expect(both.json()).toMatchObject({ code: 'ERR_REQUEST_INVALID' });
  });
});

describe('requireScopes and requireClaims route hooks', () => {
  async function guarded(options: Partial<KmsJwtOptions> = {}): Promise<FastifyInstance> {
    const application = await app(options);
    application.get('/write', { onRequest: [requireScopes('orders:write')] }, claims);
    application.get('/read', { preHandler: [requireScopes('orders:read'), requireClaims({ sub: 'user-1' })] }, claims);
    application.get('/acme', { preHandler: requireClaims({ tenant: 'acme' }) }, claims);
    return application;
  }

  it('let through a token that grants the scopes and claims, in onRequest and preHandler arrays', async () => {
    const application = await guarded();
    expect((await call(application, '/read', bearer(world.tokens.current))).status).toBe(200);
    expect((await call(application, '/acme', bearer(await world.sign({ tenant: ['acme', 'other'] })))).status).toBe(200);
  });

  it('answer a missing scope 403 with the required scope in the challenge, and a claim mismatch 403 ERR_CLAIM_MISMATCH', async () => {
    const application = await guarded({ realm: 'orders' });
    const write = await call(application, '/write', bearer(world.tokens.current));
    expect(write.status).toBe(403);
    expect(write.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="orders:write"$/);
    expect(write.json()).toMatchObject({ code: 'ERR_SCOPE_INSUFFICIENT' });
    const acme = await call(application, '/acme', bearer(await world.sign({ tenant: 'other' })));
    expect(acme.json()).toMatchObject({ statusCode: 403, code: 'ERR_CLAIM_MISMATCH' });
  });

  it('answer as the plugin is configured: respond: true gives the RFC 6750 JSON body', async () => {
    const reply = await call(await guarded({ respond: true }), '/write', bearer(world.tokens.current));
    expect(reply.status).toBe(403);
    expect(reply.json()).toEqual({ error: 'insufficient_scope', error_description: 'the access token does not grant the scope this resource requires' });
  });

  it('answer an unauthenticated request (credentialsRequired: false) 401 ERR_CREDENTIALS_MISSING', async () => {
    const reply = await call(await guarded({ credentialsRequired: false }), '/read');
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ code: 'ERR_CREDENTIALS_MISSING' });
  });

  it('are a server error that says so on a route the plugin does not cover', async () => {
    const application = fastify();
    application.get('/orders', { preHandler: requireScopes('orders:read') }, claims);
    const reply = await call(application, '/orders', bearer(world.tokens.current));
    expect(reply.status).toBe(500);
    expect(reply.json()).toMatchObject({ message: expect.stringMatching(/^kms-jwt-fastify: requireScopes\(\) and requireClaims\(\) must run on a route the kmsJwt plugin covers/) });
  });
});

describe('jwksHandler', () => {
  it("serves the provider's keys with Cache-Control and an ETag, 304 to a matching If-None-Match, and HEAD", async () => {
    const application = fastify();
    application.get('/.well-known/jwks.json', jwksHandler(world.provider, { cacheMaxAgeSeconds: 60 }));
    const first = await call(application, '/.well-known/jwks.json');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    expect(first.json()).toEqual(world.provider.exportJwks());
    const again = await call(application, '/.well-known/jwks.json', { headers: { 'if-none-match': first.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const head = await call(application, '/.well-known/jwks.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(first.headers.get('etag'));
  });
});

describe('configuration errors', () => {
  it.each([
    ['no verifier', { verifier: undefined }, /^kms-jwt-fastify: verifier is required/],
    ['a realm with a line break', { realm: 'a\nb' }, /^kms-jwt-fastify: realm must be/],
    ['an empty cookie name', { cookie: '' }, /^kms-jwt-fastify: cookie must be a cookie name/],
    ['a cookie without @fastify/cookie', { cookie: 'access_token' }, /^kms-jwt-fastify: cookie needs @fastify\/cookie/],
  ])('rejects the register with an AdapterConfigError for %s', async (_name, options, message) => {
    const application = fastify();
    const registered = application.register(kmsJwt, { verifier: world.verifier, ...options } as KmsJwtOptions);
    await expect(registered).rejects.toThrow(AdapterConfigError);
    await expect(application.ready()).rejects.toThrow(message);
  });

  it('rejects a second registration in the same context, whose routes would be verified twice', async () => {
    const application = fastify();
    await application.register(kmsJwt, { verifier: world.verifier });
    await expect(application.register(kmsJwt, { verifier: world.coldVerifier })).rejects.toThrow(/^kms-jwt-fastify: request.auth is already decorated in this context/);
  });

  it('throws an AdapterConfigError naming the package when a route hook or the JWKS handler is built wrong', () => {
    const builds = { requireScopes: () => requireScopes(), requireClaims: () => requireClaims({}), jwksHandler: () => jwksHandler({} as never) };
    for (const [name, build] of Object.entries(builds)) {
      expect(build, name).toThrow(AdapterConfigError);
      expect(build, name).toThrow(new RegExp(`^kms-jwt-fastify: ${name} needs`));
    }
  });
});
