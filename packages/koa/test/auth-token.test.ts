// authToken(ctx) and tokenKey over real HTTP: tokens signed through kms-local by kms-jwt-signer,
// verified with kms-pubkey-provider's keys (the contract suite's world, in which the alias has rotated once).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier } from 'kms-jwt-verifier';
import type Koa from 'koa';
import type { ParameterizedContext } from 'koa';
import koa2 from 'koa2';
import koa3 from 'koa3';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { AUDIENCE, ISSUER, startKmsWorld, type KmsWorld } from '../../../test/adapters/support/kms.js';
import { AdapterConfigError, authToken, kmsJwt, type AuthToken, type KmsJwtOptions, type KmsJwtState } from '../src/index.js';

let world: KmsWorld;
beforeAll(async () => {
  world = await startKmsWorld();
});
const running: Server[] = [];
afterAll(async () => {
  for (const server of running) server.close();
  await world.close();
});

/** Serves `app` on 127.0.0.1 and sends one GET; resolves the status and the JSON body. */
async function get(app: Koa, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  running.push(server);
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`, { headers });
  return { status: response.status, body: await response.json() };
}

describe.each([
  ['Koa 2', koa2],
  ['Koa 3', koa3],
])('authToken(ctx) and tokenKey on %s', (_name, KoaApp) => {
  /** An app whose last middleware answers what authToken(ctx) gave it, and ctx.state. */
  function app(options: Partial<KmsJwtOptions> = {}): Koa {
    const application = new KoaApp();
    application.silent = true;
    // A verifier of its own, so that the app's first request of a token is not a cache hit.
    const verifier = createVerifier({ keys: world.provider, issuer: ISSUER, audience: AUDIENCE });
    application.use(kmsJwt({ verifier, respond: true, ...options }));
    application.use((ctx) => {
      const found = authToken(ctx);
      ctx.body = found === undefined ? { found: null, state: ctx.state } : { found, frozen: Object.isFrozen(found), payloadIsUser: found.payload === ctx.state.user, state: ctx.state };
    });
    return application;
  }

  it('is typed as AuthToken | undefined, and KmsJwtState types ctx.state', () => {
    expectTypeOf(authToken).returns.toEqualTypeOf<AuthToken | undefined>();
    expectTypeOf<ParameterizedContext<KmsJwtState>['state']['user']>().toEqualTypeOf<AuthToken['payload'] | undefined>();
    expectTypeOf<KmsJwtState<'auth', 'token'>['token']>().toEqualTypeOf<string | undefined>();
  });

  it('gives the route the verified header, the key ARN that verified the token, the raw token and the claims of ctx.state.user', async () => {
    const sent = world.tokens.current;
    const application = app();
    // The first request verifies the signature; the second is the verifier's synchronous cache hit.
    for (let request = 0; request < 2; request += 1) {
      const reply = await get(application, { authorization: `Bearer ${sent}` });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        found: {
          header: { alg: 'ES256', kid: world.currentKeyArn, typ: 'JWT' },
          payload: expect.objectContaining({ sub: 'user-1', scope: 'orders:read profile' }),
          key: world.currentKeyArn,
          token: sent,
        },
        frozen: true,
        payloadIsUser: true,
        state: { user: expect.objectContaining({ sub: 'user-1' }) },
      });
    }
  });

  it('names the key that verified the token: the previous key of the rotated alias for a token it signed', async () => {
    const reply = await get(app(), { authorization: `Bearer ${world.tokens.previous}` });
    expect(reply.body).toMatchObject({ found: { key: world.previousKeyArn, header: { kid: world.previousKeyArn }, token: world.tokens.previous } });
    expect(world.previousKeyArn).not.toBe(world.currentKeyArn);
  });

  it('puts the raw token on ctx.state[tokenKey] beside the claims on ctx.state[key], as koa-jwt does', async () => {
    const reply = await get(app({ key: 'auth', tokenKey: 'token' }), { authorization: `Bearer ${world.tokens.current}` });
    expect(reply.body).toMatchObject({ found: { token: world.tokens.current }, state: { auth: { sub: 'user-1' }, token: world.tokens.current } });
  });

  it('gives the raw token read from the cookie, and the one getToken(ctx) read (the asynchronous path)', async () => {
    const fromCookie = await get(app({ cookie: 'access_token', tokenKey: 'token' }), { cookie: `access_token=${world.tokens.current}` });
    expect(fromCookie.body).toMatchObject({ found: { key: world.currentKeyArn, token: world.tokens.current }, state: { token: world.tokens.current } });
    const fromGetToken = await get(app({ getToken: (ctx) => ctx.get('x-access-token') }), { 'x-access-token': world.tokens.current });
    expect(fromGetToken.body).toMatchObject({ found: { key: world.currentKeyArn, token: world.tokens.current } });
  });

  it('is undefined, and tokenKey unset, for a request passthrough lets on without credentials or with a failed token', async () => {
    const application = app({ passthrough: true, tokenKey: 'token' });
    expect(await get(application)).toEqual({ status: 200, body: { found: null, state: {} } });
    expect(await get(application, { authorization: `Bearer ${world.tokens.expired}` })).toEqual({ status: 200, body: { found: null, state: {} } });
  });

  it('is undefined in middleware kmsJwt() did not run before', async () => {
    const application = new KoaApp();
    application.use((ctx) => {
      ctx.body = { found: authToken(ctx) ?? null };
    });
    expect(await get(application, { authorization: `Bearer ${world.tokens.current}` })).toEqual({ status: 200, body: { found: null } });
  });
});

describe('tokenKey configuration errors', () => {
  it.each([
    ['an empty tokenKey', { tokenKey: '' }],
    ['a tokenKey equal to key', { key: 'auth', tokenKey: 'auth' }],
    ['a tokenKey equal to the default key', { tokenKey: 'user' }],
  ])('throws AdapterConfigError at construction for %s', (_name, options) => {
    const create = () => kmsJwt({ verifier: world.verifier, ...options });
    expect(create).toThrow(AdapterConfigError);
    expect(create).toThrow(/^kms-jwt-koa: tokenKey must be a non-empty string other than key$/);
  });
});
