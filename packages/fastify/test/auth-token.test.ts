// authToken(request) and the sync fast path over real HTTP, against the contract suite's world
// (kms-local, an alias that has rotated once, tokens signed by kms-jwt-signer).
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { createVerifier } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { AUDIENCE, ISSUER, startKmsWorld, type KmsWorld } from '../../../test/adapters/support/kms.js';
import { authToken, kmsJwt, type AuthToken, type KmsJwtOptions } from '../src/index.js';

let world: KmsWorld;
let server: FastifyInstance;
let base: string;

/** What a route sees of its request's token. */
const seen = async (request: FastifyRequest) => {
  const found = authToken(request);
  return found === undefined ? { found: null } : { found, frozen: Object.isFrozen(found), isRequestAuth: found.payload === request.auth };
};

/** One encapsulated context per configuration, each with its own plugin and verifier (so a first request is never a cache hit). */
function scope(prefix: string, options: Partial<KmsJwtOptions>) {
  return async (child: FastifyInstance) => {
    await child.register(kmsJwt, { verifier: createVerifier({ keys: world.provider, issuer: ISSUER, audience: AUDIENCE }), ...options });
    child.get(`${prefix}/orders`, seen);
  };
}

beforeAll(async () => {
  world = await startKmsWorld();
  server = Fastify();
  server.register(scope('/plain', {}));
  server.register(scope('/custom', { getToken: async (request) => request.headers['x-access-token'] as string | undefined }));
  server.register(scope('/optional', { credentialsRequired: false }));
  server.get('/open/orders', seen);
  base = await server.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
  await world?.close();
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, { headers });
  return { status: response.status, body: await response.json() };
}

describe('authToken(request)', () => {
  it('is typed as AuthToken | undefined', () => {
    expectTypeOf(authToken).parameter(0).toEqualTypeOf<FastifyRequest>();
    expectTypeOf(authToken).returns.toEqualTypeOf<AuthToken | undefined>();
  });

  it('gives the verified header, the key ARN, the raw token and the claims of request.auth, on the first request and on the cached one', async () => {
    for (let request = 0; request < 2; request += 1) {
      expect(await get('/plain/orders', { authorization: `Bearer ${world.tokens.current}` })).toEqual({
        status: 200,
        body: {
          found: { header: { alg: 'ES256', kid: world.currentKeyArn, typ: 'JWT' }, payload: expect.objectContaining({ sub: 'user-1' }), key: world.currentKeyArn, token: world.tokens.current },
          frozen: true,
          isRequestAuth: true,
        },
      });
    }
  });

  it('names the previous key of the rotated alias for a token it signed', async () => {
    expect((await get('/plain/orders', { authorization: `Bearer ${world.tokens.previous}` })).body).toMatchObject({ found: { key: world.previousKeyArn, token: world.tokens.previous } });
  });

  it('gives the raw token an asynchronous getToken(request) read', async () => {
    expect((await get('/custom/orders', { 'x-access-token': world.tokens.current })).body).toMatchObject({ found: { key: world.currentKeyArn, token: world.tokens.current } });
  });

  it('is undefined without credentials under credentialsRequired: false, and outside the contexts the plugin covers', async () => {
    expect(await get('/optional/orders')).toEqual({ status: 200, body: { found: null } });
    expect(await get('/open/orders', { authorization: `Bearer ${world.tokens.current}` })).toEqual({ status: 200, body: { found: null } });
  });
});
