// The Hono middleware through Hono's own fetch entry (`app.request`), with tokens signed through
// kms-local by kms-jwt-signer and verified with kms-pubkey-provider's keys (the contract suite's world).
import { readdirSync, readFileSync } from 'node:fs';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { JwtPayload } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startKmsWorld, type KmsWorld } from '../../../test/adapters/support/kms.js';
import { AdapterConfigError, HttpAuthError, jwksHandler, kmsJwt, requireClaims, requireScopes, type KmsJwtEnv, type KmsJwtOptions, type KmsJwtVariables } from '../src/index.js';

let world: KmsWorld;
beforeAll(async () => {
  world = await startKmsWorld();
});
afterAll(() => world.close());

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** An app with GET /orders behind `kmsJwt(options)` and then `guards`, answering c.get('auth'). */
function app(options: Partial<KmsJwtOptions> = {}, ...guards: MiddlewareHandler[]): Hono<KmsJwtEnv> {
  const application = new Hono<KmsJwtEnv>();
  application.get('/orders', kmsJwt({ verifier: world.verifier, ...options }), ...guards, (c) => c.json({ auth: c.get('auth') ?? null }));
  return application;
}

/** The status, challenge and JSON body of a response. */
async function read(response: Response) {
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as unknown };
}

describe('kmsJwt', () => {
  it('sets the verified claims as c.get("auth") and c.var.auth, typed through the KmsJwtEnv Variables', async () => {
    const application = new Hono<{ Variables: KmsJwtVariables & { requestId: string } }>();
    application.use(kmsJwt({ verifier: world.verifier }));
    application.get('/orders', (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<JwtPayload | undefined>();
      expectTypeOf(c.var.requestId).toEqualTypeOf<string>();
      return c.json({ sub: c.get('auth')?.sub, same: c.var.auth === c.get('auth') });
    });
    expectTypeOf(kmsJwt).returns.toEqualTypeOf<MiddlewareHandler<KmsJwtEnv>>();
    expect(await read(await application.request('/orders', bearer(world.tokens.current)))).toEqual({ status: 200, challenge: null, body: { sub: 'user-1', same: true } });
  });

  it("throws an HTTPException carrying the RFC 6750 answer, which Hono's default error handler sends", async () => {
    const response = await app({ realm: 'orders' }).request('/orders', bearer(world.tokens.expired));
    expect(await read(response)).toEqual({
      status: 401,
      challenge: 'Bearer realm="orders", error="invalid_token", error_description="the access token expired (exp)"',
      body: { error: 'invalid_token', error_description: 'the access token expired (exp)' },
    });
  });

  it('lets app.onError see the HTTPException, with the HttpAuthError (code, status, headers) as its cause; 503 carries Retry-After', async () => {
    const application = app({ verifier: world.coldVerifier });
    application.onError((error, c) => {
      const cause = error instanceof HTTPException ? error.cause : undefined;
      return c.json({ exception: error instanceof HTTPException, code: cause instanceof HttpAuthError ? cause.code : null }, error instanceof HTTPException ? error.status : 500);
    });
    expect(await read(await application.request('/orders', bearer(world.tokens.current)))).toEqual({ status: 503, challenge: null, body: { exception: true, code: 'ERR_KEY_SOURCE_UNAVAILABLE' } });
    const answer = await app({ verifier: world.coldVerifier }).request('/orders', bearer(world.tokens.current));
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(await answer.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'the keys that verify access tokens are unavailable; retry later' });
  });

  it('returns the answer without reaching app.onError with respond: true', async () => {
    const application = app({ respond: true });
    let handled = 0;
    application.onError((error, c) => {
      handled += 1;
      return c.text(error.message, 500);
    });
    application.get('/broken', kmsJwt({ verifier: world.verifier, respond: true }), () => {
      throw new Error('a route error');
    });
    expect(await read(await application.request('/orders', { headers: { authorization: 'Bearer' } }))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(handled).toBe(0);
    expect(await (await application.request('/broken', bearer(world.tokens.current))).text()).toBe('a route error');
    expect(handled).toBe(1);
  });

  it('refuses two Authorization headers, which the Fetch API joins into one malformed value (400)', async () => {
    const headers = new Headers();
    headers.append('authorization', `Bearer ${world.tokens.current}`);
    headers.append('authorization', `Bearer ${world.tokens.current}`);
    expect(await read(await app().request('/orders', { headers }))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('refuses a token in the access_token query parameter (400)', async () => {
    expect(await read(await app().request(`/orders?access_token=${world.tokens.current}`))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('lets a request without a token through with no auth under credentialsRequired: false, but still refuses a bad token', async () => {
    expect(await read(await app({ credentialsRequired: false }).request('/orders'))).toEqual({ status: 200, challenge: null, body: { auth: null } });
    expect((await app({ credentialsRequired: false }).request('/orders', bearer(world.tokens.untrusted))).status).toBe(401);
  });

  it('reads the token with getToken(c), rejects revoked tokens with isRevoked(c, token), and passes what isRevoked throws to app.onError', async () => {
    const application = app({ getToken: (c) => c.req.header('x-access-token'), isRevoked: (_c, token) => token.payload.jti === 'revoked-1' });
    expect(await read(await application.request('/orders', { headers: { 'x-access-token': world.tokens.current } }))).toMatchObject({ status: 200, body: { auth: { sub: 'user-1' } } });
    expect(await read(await application.request('/orders', { headers: { 'x-access-token': world.tokens.revoked } }))).toMatchObject({ status: 401, body: { error_description: 'the access token was revoked' } });
    const failing = app({ isRevoked: () => Promise.reject(new Error('revocation store down')) });
    failing.onError((error, c) => c.text(error.message, 500));
    expect(await (await failing.request('/orders', bearer(world.tokens.current))).text()).toBe('revocation store down');
  });

  it('reads the token from a cookie, and refuses one sent in both the cookie and the header', async () => {
    const application = app({ cookie: 'access_token' });
    expect(await read(await application.request('/orders', { headers: { cookie: `access_token=${world.tokens.current}` } }))).toMatchObject({ status: 200, body: { auth: { sub: 'user-1' } } });
    const both = await application.request('/orders', { headers: { cookie: `access_token=${world.tokens.current}`, authorization: `Bearer ${world.tokens.current}` } });
    expect(await read(both)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });
});

describe('requireScopes and requireClaims', () => {
  it('let through a token that grants the scopes and claims', async () => {
    expect((await app({}, requireScopes('orders:read'), requireClaims({ sub: 'user-1' })).request('/orders', bearer(world.tokens.current))).status).toBe(200);
    expect((await app({}, requireClaims({ tenant: 'acme' })).request('/orders', bearer(await world.sign({ tenant: ['acme', 'other'] })))).status).toBe(200);
  });

  it('answer a missing scope 403 naming the scope in the challenge, and a claim mismatch 403', async () => {
    const write = await read(await app({ realm: 'orders' }, requireScopes('orders:write')).request('/orders', bearer(world.tokens.current)));
    expect(write).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });
    expect(write.challenge).toMatch(/error="insufficient_scope".*scope="orders:write"$/);
    const tenant = await read(await app({ respond: true }, requireClaims({ tenant: 'acme' })).request('/orders', bearer(await world.sign({ tenant: 'other' }))));
    expect(tenant).toMatchObject({ status: 403, body: { error_description: "the access token's tenant claim does not grant access to this resource" } });
  });

  it('answer an unauthenticated request (credentialsRequired: false) 401', async () => {
    expect(await read(await app({ credentialsRequired: false }, requireScopes('orders:read')).request('/orders'))).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
  });

  it('are a server error that says so without kmsJwt before them', async () => {
    const application = new Hono();
    application.get('/orders', requireScopes('orders:read'), (c) => c.text('reached'));
    application.onError((error, c) => c.text(error.message, 500));
    expect(await (await application.request('/orders', bearer(world.tokens.current))).text()).toMatch(/^kms-jwt-hono: requireScopes\(\) and requireClaims\(\) must come after kmsJwt\(\)/);
  });
});

describe('jwksHandler', () => {
  it("serves the provider's keys with Cache-Control and an ETag, 304 to a matching If-None-Match, and HEAD", async () => {
    const application = new Hono();
    application.get('/.well-known/jwks.json', jwksHandler(world.provider, { cacheMaxAgeSeconds: 60 }));
    const first = await application.request('/.well-known/jwks.json');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await first.json()).toEqual(world.provider.exportJwks());
    const again = await application.request('/.well-known/jwks.json', { headers: { 'if-none-match': first.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const head = await application.request('/.well-known/jwks.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(first.headers.get('etag'));
  });
});

describe('configuration errors', () => {
  it('throws an AdapterConfigError naming the package when built wrong', () => {
    const builds: Record<string, [() => unknown, RegExp]> = {
      'no verifier': [() => kmsJwt({} as KmsJwtOptions), /^kms-jwt-hono: verifier is required/],
      'an empty cookie name': [() => kmsJwt({ verifier: world.verifier, cookie: '' }), /^kms-jwt-hono: cookie must be a cookie name/],
      'a negative retryAfterSeconds': [() => kmsJwt({ verifier: world.verifier, retryAfterSeconds: -1 }), /^kms-jwt-hono: retryAfterSeconds must be/],
      'requireScopes without scopes': [() => requireScopes(), /^kms-jwt-hono: requireScopes needs/],
      'requireClaims without claims': [() => requireClaims({}), /^kms-jwt-hono: requireClaims needs/],
      'jwksHandler without a provider': [() => jwksHandler({} as never), /^kms-jwt-hono: jwksHandler needs/],
    };
    for (const [name, [build, message]] of Object.entries(builds)) {
      expect(build, name).toThrow(AdapterConfigError);
      expect(build, name).toThrow(message);
    }
  });
});

describe('the adapter source', () => {
  it('imports nothing Node-only, so that it can later run on Workers: only hono, kms-jwt-verifier and its own files', () => {
    const source = new URL('../src/', import.meta.url);
    const specifiers = readdirSync(source).flatMap((file) => [...readFileSync(new URL(file, source), 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gm)].map((match) => match[1]));
    expect(specifiers.length).toBeGreaterThan(10);
    for (const specifier of specifiers) expect(specifier).toMatch(/^(hono(\/[a-z-]+)?|kms-jwt-verifier(\/http)?|\.\/[a-z-]+\.js)$/);
  });

  it('types the context the helpers take as a Hono Context', () => {
    expectTypeOf<Parameters<NonNullable<KmsJwtOptions['getToken']>>[0]>().toEqualTypeOf<Context>();
  });
});
