// authToken(req) over real HTTP: tokens signed through kms-local by kms-jwt-signer, verified with
// kms-pubkey-provider's keys (the contract suite's world, in which the alias has rotated once).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Express, Request, RequestHandler, Response } from 'express';
import express4 from 'express4';
import express5 from 'express5';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createVerifier } from 'kms-jwt-verifier';
import { AUDIENCE, ISSUER, startKmsWorld, type KmsWorld } from '../../../test/adapters/support/kms.js';
import { authToken, kmsJwt, type AuthToken, type KmsJwtOptions } from '../src/index.js';

let world: KmsWorld;
beforeAll(async () => {
  world = await startKmsWorld();
});
afterAll(() => world.close());

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** Serves `app` on 127.0.0.1 and sends one GET /orders; resolves the status and the JSON body. */
async function get(app: Express, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`, { headers });
  return { status: response.status, body: await response.json() };
}

/** A route that answers what authToken(req) gave it, and whether it is req.auth's token. */
const details: RequestHandler = (req: Request, res: Response) => {
  const found = authToken(req);
  res.json(found === undefined ? { found: null } : { found, frozen: Object.isFrozen(found), payloadIsReqAuth: found.payload === req.auth });
};

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
])('authToken(req) on %s', (_name, express) => {
  function app(options: Partial<KmsJwtOptions> = {}): Express {
    const application = express();
    // A verifier of its own, so that the app's first request of a token is not a cache hit.
    const verifier = createVerifier({ keys: world.provider, issuer: ISSUER, audience: AUDIENCE });
    application.get('/orders', kmsJwt({ verifier, respond: true, ...options }), details);
    return application;
  }

  it('is typed as AuthToken | undefined', () => {
    expectTypeOf(authToken).returns.toEqualTypeOf<AuthToken | undefined>();
    expectTypeOf<AuthToken['key']>().toEqualTypeOf<string>();
    expectTypeOf<AuthToken['token']>().toEqualTypeOf<string>();
  });

  it('gives the route the verified header, the key ARN that verified the token, the raw token and the claims of req.auth', async () => {
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
        payloadIsReqAuth: true,
      });
    }
  });

  it('names the key that verified the token: the previous key of the rotated alias for a token it signed', async () => {
    const reply = await get(app(), { authorization: `Bearer ${world.tokens.previous}` });
    expect(reply.body).toMatchObject({ found: { key: world.previousKeyArn, header: { kid: world.previousKeyArn }, token: world.tokens.previous } });
    expect(world.previousKeyArn).not.toBe(world.currentKeyArn);
  });

  it('gives the raw token getToken(req) read (the asynchronous path)', async () => {
    const reply = await get(app({ getToken: (req) => req.get('x-access-token') }), { 'x-access-token': world.tokens.current });
    expect(reply.body).toMatchObject({ found: { key: world.currentKeyArn, token: world.tokens.current } });
  });

  it('is undefined for a request without credentials under credentialsRequired: false', async () => {
    const reply = await get(app({ credentialsRequired: false }));
    expect(reply).toEqual({ status: 200, body: { found: null } });
  });

  it('is undefined on a route kmsJwt() did not see', async () => {
    const application = express();
    application.get('/orders', details);
    expect(await get(application, { authorization: `Bearer ${world.tokens.current}` })).toEqual({ status: 200, body: { found: null } });
  });
});
