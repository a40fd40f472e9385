// authToken(c) and the synchronous path of a cached token, against the contract suite's world
// (kms-local, an alias that has rotated once, tokens signed by kms-jwt-signer).
import { Hono, type Context } from 'hono';
import { createVerifier } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { AUDIENCE, ISSUER, startKmsWorld, type KmsWorld } from '../../../test/adapters/support/kms.js';
import { authToken, kmsJwt, type AuthToken, type KmsJwtEnv, type KmsJwtOptions } from '../src/index.js';

let world: KmsWorld;
beforeAll(async () => {
  world = await startKmsWorld();
});
afterAll(() => world.close());

/** GET /t answers what authToken(c) holds; the middleware has a verifier of its own, so its first request is not a cache hit. */
function tokenApp(options: Partial<KmsJwtOptions> | undefined): Hono<KmsJwtEnv> {
  const application = new Hono<KmsJwtEnv>();
  if (options !== undefined) application.use(kmsJwt({ verifier: createVerifier({ keys: world.provider, issuer: ISSUER, audience: AUDIENCE }), ...options }));
  return application.get('/t', (c) => {
    const details = authToken(c);
    return c.json(details === undefined ? null : { ...details, frozen: Object.isFrozen(details), sameClaims: details.payload === c.get('auth') });
  });
}

const json = async (response: Response | Promise<Response>): Promise<unknown> => (await response).json();

describe('authToken(c)', () => {
  it('takes a Context and is typed as AuthToken | undefined', () => {
    expectTypeOf(authToken).parameter(0).toEqualTypeOf<Context>();
    expectTypeOf(authToken).returns.toEqualTypeOf<AuthToken | undefined>();
  });

  it("holds the header, the key ARN, the raw token and c.get('auth') as payload, for a verified token and then for its cache hit", async () => {
    const application = tokenApp({});
    const expected = {
      header: { alg: 'ES256', kid: world.currentKeyArn, typ: 'JWT' },
      payload: expect.objectContaining({ sub: 'user-1', scope: 'orders:read profile' }),
      key: world.currentKeyArn,
      token: world.tokens.current,
      frozen: true,
      sameClaims: true,
    };
    const init = { headers: { authorization: `Bearer ${world.tokens.current}` } };
    expect(await json(application.request('/t', init))).toEqual(expected);
    expect(await json(application.request('/t', init))).toEqual(expected);
  });

  it("names the rotated alias's previous key for a token that key signed", async () => {
    expect(await json(tokenApp({}).request('/t', { headers: { authorization: `Bearer ${world.tokens.previous}` } }))).toMatchObject({ key: world.previousKeyArn, token: world.tokens.previous });
  });

  it('holds the raw token an asynchronous getToken(c) returned', async () => {
    const application = tokenApp({ getToken: async (c) => c.req.query('t') });
    expect(await json(application.request('/t?t=' + world.tokens.current))).toMatchObject({ key: world.currentKeyArn, token: world.tokens.current });
  });

  it('is undefined for a request let on without credentials, and where kmsJwt did not run', async () => {
    expect(await json(tokenApp({ credentialsRequired: false }).request('/t'))).toBeNull();
    expect(await json(tokenApp(undefined).request('/t', { headers: { authorization: `Bearer ${world.tokens.current}` } }))).toBeNull();
  });
});
