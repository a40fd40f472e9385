import { generateKeyPairSync } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { createVerifier, KeySourceUnavailableError } from 'kms-jwt-verifier';
import type Koa from 'koa';
import koa2 from 'koa2';
import koa3 from 'koa3';
import { afterAll, describe, expect, it } from 'vitest';
import { AdapterConfigError, authFailure, HttpAuthError, jwksHandler, kmsJwt, requireClaims, requireScopes, type KmsJwtOptions } from '../src/index.js';

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/koa-test';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const verifier = createVerifier({ keys: [{ kid: ARN, key: publicKey }], issuer: 'https://issuer.example', audience: 'orders-api' });
/** A token of the test key that expires `expiresInSeconds` from now (negative: already expired). */
const sign = (claims: Record<string, unknown> = {}, expiresInSeconds = 600) =>
  new SignJWT({ sub: 'user-1', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: ARN })
    .setIssuer('https://issuer.example')
    .setAudience('orders-api')
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(privateKey);

const running: Server[] = [];
afterAll(() => running.forEach((server) => server.close()));

/** Starts `app` on a free loopback port; resolves its base URL. */
function serve(app: Koa): Promise<string> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    running.push(server);
  });
}

describe.each([
  ['Koa 2', koa2],
  ['Koa 3', koa3],
])('kmsJwt on %s', (_name, KoaApp) => {
  /** An app whose last middleware answers what it saw: the user, and the failure passthrough kept. */
  function app(options: Partial<KmsJwtOptions>, ...guards: Koa.Middleware[]): Koa {
    const application = new KoaApp();
    application.silent = true;
    application.use(kmsJwt({ verifier, ...options }));
    for (const guard of guards) application.use(guard);
    application.use((ctx) => {
      ctx.body = { state: ctx.state, failure: authFailure(ctx)?.code ?? null };
    });
    return application;
  }

  it('puts the verified claims on ctx.state.user', async () => {
    const response = await fetch(await serve(app({})), { headers: { authorization: `Bearer ${await sign()}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ state: { user: { sub: 'user-1' } }, failure: null });
  });

  it('puts them on ctx.state[key] instead', async () => {
    const response = await fetch(await serve(app({ key: 'auth' })), { headers: { authorization: `Bearer ${await sign()}` } });
    expect(await response.json()).toMatchObject({ state: { auth: { sub: 'user-1' } } });
  });

  it("throws failures, which Koa's default handler answers with the status, the challenge and the description", async () => {
    const response = await fetch(await serve(app({ realm: 'orders' })), { headers: { authorization: `Bearer ${await sign({}, -60)}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orders", error="invalid_token", error_description="the access token expired (exp)"');
    expect(await response.text()).toBe('the access token expired (exp)');
  });

  it('lets upstream middleware catch the thrown HttpAuthError', async () => {
    const application = new KoaApp();
    application.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.status = 299;
        ctx.body = { caught: error instanceof HttpAuthError ? error.code : 'other' };
      }
    });
    application.use(kmsJwt({ verifier }));
    const response = await fetch(await serve(application));
    expect(await response.json()).toEqual({ caught: 'ERR_CREDENTIALS_MISSING' });
  });

  it('answers failures with a JSON body with respond: true', async () => {
    const response = await fetch(await serve(app({ respond: true })), { headers: { authorization: 'Bearer a b' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('tells the verifier message with debug', async () => {
    const response = await fetch(await serve(app({ respond: true, debug: true })), { headers: { authorization: `Bearer ${await sign({}, -60)}` } });
    expect(((await response.json()) as { error_description: string }).error_description).toMatch(/^the token expired at \d+/);
  });

  it('answers 503 with Retry-After when the key source is down', async () => {
    const down = createVerifier({ keys: { resolve: () => { throw new KeySourceUnavailableError('KMS is down'); } }, issuer: null, audience: null });
    const response = await fetch(await serve(app({ verifier: down, retryAfterSeconds: 9 })), { headers: { authorization: `Bearer ${await sign()}` } });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('9');
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('with passthrough, goes on without a user, keeping a failed token for authFailure(ctx)', async () => {
    const url = await serve(app({ passthrough: true }));
    expect(await (await fetch(url)).json()).toEqual({ state: {}, failure: null });
    expect(await (await fetch(url, { headers: { authorization: `Bearer ${await sign({}, -60)}` } })).json()).toEqual({ state: {}, failure: 'ERR_JWT_EXPIRED' });
  });

  it('with passthrough, requireScopes answers the kept failure instead of a bare 401', async () => {
    const url = await serve(app({ passthrough: true, respond: true }, requireScopes('orders:read')));
    const response = await fetch(url, { headers: { authorization: `Bearer ${await sign({}, -60)}` } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token', error_description: 'the access token expired (exp)' });
  });

  it('reads the token from the cookie, and refuses it in both the cookie and the header', async () => {
    const url = await serve(app({ cookie: 'access_token', respond: true }));
    const token = await sign();
    expect(await (await fetch(url, { headers: { cookie: `access_token=${token}` } })).json()).toMatchObject({ state: { user: { sub: 'user-1' } } });
    const both = await fetch(url, { headers: { cookie: `access_token=${token}`, authorization: `Bearer ${token}` } });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ error_description: 'the access token was sent in more than one place (the Authorization header, the cookie); send it once' });
  });

  it('reads the token with getToken(ctx)', async () => {
    const token = await sign();
    const response = await fetch(await serve(app({ getToken: (ctx) => ctx.get('x-token') })), { headers: { 'x-token': token } });
    expect(await response.json()).toMatchObject({ state: { user: { sub: 'user-1' } } });
  });

  it('rejects a token isRevoked(ctx, token) answers true for', async () => {
    const response = await fetch(await serve(app({ respond: true, isRevoked: (_ctx, token) => token.payload.sub === 'user-1' })), {
      headers: { authorization: `Bearer ${await sign()}` },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error_description: 'the access token was revoked' });
  });

  it('requireClaims answers a mismatching claim 403', async () => {
    const url = await serve(app({ respond: true }, requireClaims({ tenant: 'acme' })));
    expect((await fetch(url, { headers: { authorization: `Bearer ${await sign({ tenant: 'acme' })}` } })).status).toBe(200);
    const response = await fetch(url, { headers: { authorization: `Bearer ${await sign({ tenant: 'other' })}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
  });

  it('requireScopes without kmsJwt before it is a server error', async () => {
    const application = new KoaApp();
    application.silent = true;
    application.use(requireScopes('orders:read'));
    expect((await fetch(await serve(application))).status).toBe(500);
  });

  it('jwksHandler serves the JWKS at its path only, with 304 for a matching ETag', async () => {
    const application = new KoaApp();
    const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: ARN, use: 'sig', alg: 'ES256' }] };
    application.use(jwksHandler({ exportJwks: () => jwks }));
    application.use((ctx) => {
      ctx.body = 'next';
    });
    const url = await serve(application);
    const first = await fetch(`${url}/.well-known/jwks.json`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await first.json()).toEqual(jwks);
    expect((await fetch(`${url}/.well-known/jwks.json`, { headers: { 'if-none-match': first.headers.get('etag') ?? '' } })).status).toBe(304);
    expect(await (await fetch(`${url}/other`)).text()).toBe('next');
  });
});

describe('configuration errors', () => {
  it.each([
    ['no verifier', () => kmsJwt({} as KmsJwtOptions), /^kms-jwt-koa: verifier is required/],
    ['an empty key', () => kmsJwt({ verifier, key: '' }), /^kms-jwt-koa: key must/],
    ['an empty cookie name', () => kmsJwt({ verifier, cookie: '' }), /^kms-jwt-koa: cookie must/],
    ['a jwks path without a leading slash', () => jwksHandler({ exportJwks: () => ({ keys: [] }) }, { path: 'jwks.json' }), /^kms-jwt-koa: jwksHandler path/],
    ['requireScopes without scopes', () => requireScopes(), /^kms-jwt-koa: requireScopes needs/],
  ])('throws AdapterConfigError at construction for %s', (_name, create, message) => {
    expect(create).toThrow(AdapterConfigError);
    expect(create).toThrow(message);
  });
});
