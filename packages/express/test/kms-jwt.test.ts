import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Express, NextFunction, Request, Response } from 'express';
import express4 from 'express4';
import express5 from 'express5';
import { SignJWT } from 'jose';
import { createVerifier, KeySourceUnavailableError, type JwtPayload } from 'kms-jwt-verifier';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { AdapterConfigError, authToken, HttpAuthError, jwksHandler, kmsJwt, requireClaims, requireScopes, UnauthorizedError, type KmsJwtOptions } from '../src/index.js';

const kid = 'arn:aws:kms:eu-west-1:111122223333:key/express-test';
const keyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const verifier = createVerifier({ keys: [{ kid, key: keyPair.publicKey }], issuer: 'https://issuer.example', audience: 'orders-api' });

/** A token of the test key that expires `expiresInSeconds` from now (negative: already expired). */
async function token(claims: Record<string, unknown> = {}, expiresInSeconds = 300): Promise<string> {
  return new SignJWT({ sub: 'user-1', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer('https://issuer.example')
    .setAudience('orders-api')
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(keyPair.privateKey);
}

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** Serves `app` on 127.0.0.1 and sends one GET. */
async function get(app: Express, path: string, headers: Record<string, string> = {}) {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: (): unknown => JSON.parse(text) };
}

/** Answers with what an application's error handler sees. */
function inspect(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const known = error instanceof HttpAuthError;
  res.status(known ? error.status : 500).json({ name: (error as Error).name, unauthorized: error instanceof UnauthorizedError, code: known ? error.code : undefined, message: (error as Error).message });
}

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
])('kmsJwt on %s', (_name, express) => {
  function app(options: Partial<KmsJwtOptions>, ...handlers: ((req: Request, res: Response, next: NextFunction) => void)[]): Express {
    const application = express();
    application.get('/orders', kmsJwt({ verifier, ...options }), ...handlers, (req, res) => {
      res.json({ auth: req.auth ?? null, user: (req as Request & { user?: JwtPayload }).user ?? null });
    });
    application.use(inspect);
    return application;
  }

  it('puts the verified claims on req.auth (typed by the Request augmentation)', async () => {
    expectTypeOf<Request['auth']>().toEqualTypeOf<JwtPayload | undefined>();
    const reply = await get(app({}), '/orders', { authorization: `Bearer ${await token()}` });
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ auth: { sub: 'user-1', iss: 'https://issuer.example' }, user: null });
  });

  it('puts the claims on requestProperty instead', async () => {
    const reply = await get(app({ requestProperty: 'user' }), '/orders', { authorization: `Bearer ${await token()}` });
    expect(reply.json()).toMatchObject({ auth: null, user: { sub: 'user-1' } });
  });

  it('adds no property to req but requestProperty: its own state is not on req (which Express gives a new prototype per request)', async () => {
    let before: (string | symbol)[] = [];
    const application = express();
    application.get(
      '/orders',
      (req: Request, _res: Response, next: NextFunction) => {
        before = Reflect.ownKeys(req);
        next();
      },
      kmsJwt({ verifier }),
      (req: Request, res: Response) => {
        res.json({ added: Reflect.ownKeys(req).filter((key) => !before.includes(key)).map(String), key: authToken(req)?.key ?? null });
      },
    );
    const reply = await get(application, '/orders', { authorization: `Bearer ${await token()}` });
    expect(reply.json()).toEqual({ added: ['auth'], key: kid });
  });

  it('passes a bad token to next(err) as an UnauthorizedError with status, code and the RFC 6750 challenge', async () => {
    const reply = await get(app({}), '/orders', { authorization: `Bearer ${await token({}, -60)}` });
    expect(reply.status).toBe(401);
    expect(reply.json()).toEqual({ name: 'UnauthorizedError', unauthorized: true, code: 'ERR_JWT_EXPIRED', message: 'the access token expired (exp)' });
  });

  it("lets Express's default error handler answer with the error's status and WWW-Authenticate header", async () => {
    const application = express();
    application.get('/orders', kmsJwt({ verifier, realm: 'orders' }), (_req, res) => void res.end());
    const reply = await get(application, '/orders');
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
  });

  it('passes an unavailable key source to next(err) as an HttpAuthError with status 503, not an UnauthorizedError', async () => {
    const down = createVerifier({ keys: { resolve: () => Promise.reject(new KeySourceUnavailableError('KMS is down')) }, issuer: null, audience: null });
    const reply = await get(app({ verifier: down }), '/orders', { authorization: `Bearer ${await token()}` });
    expect(reply.status).toBe(503);
    expect(reply.json()).toMatchObject({ name: 'HttpAuthError', unauthorized: false, code: 'ERR_KEY_SOURCE_UNAVAILABLE' });
  });

  it('answers failures itself with respond: true', async () => {
    const reply = await get(app({ respond: true, realm: 'orders' }), '/orders', { authorization: 'Bearer' });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer realm="orders", error="invalid_request"/);
    expect(reply.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('lets a request without a token through unauthenticated with credentialsRequired: false, but still refuses a bad token', async () => {
    expect((await get(app({ credentialsRequired: false }), '/orders')).json()).toEqual({ auth: null, user: null });
    expect((await get(app({ credentialsRequired: false }), '/orders', { authorization: `Bearer ${await token({}, -60)}` })).status).toBe(401);
  });

  it('reads the token with getToken', async () => {
    const signed = await token();
    const reply = await get(app({ getToken: (req) => req.get('x-access-token') }), '/orders', { 'x-access-token': signed });
    expect(reply.json()).toMatchObject({ auth: { sub: 'user-1' } });
  });

  it('passes an error thrown by isRevoked to next(err) unchanged', async () => {
    const reply = await get(app({ isRevoked: () => Promise.reject(new Error('revocation store down')) }), '/orders', { authorization: `Bearer ${await token()}` });
    expect(reply.status).toBe(500);
    expect(reply.json()).toMatchObject({ name: 'Error', message: 'revocation store down' });
  });

  it('skips the paths given to .unless()', async () => {
    const application = express();
    application.use(kmsJwt({ verifier }).unless({ path: ['/health'] }));
    application.get('/health', (_req, res) => void res.send('ok'));
    application.use(inspect);
    expect((await get(application, '/health')).text).toBe('ok');
    expect((await get(application, '/health/deep')).status).toBe(401);
  });

  it('requireClaims lets matching claims through and answers others 403 ERR_CLAIM_MISMATCH', async () => {
    const guarded = app({}, requireClaims({ tenant: 'acme' }));
    expect((await get(guarded, '/orders', { authorization: `Bearer ${await token({ tenant: 'acme' })}` })).status).toBe(200);
    const reply = await get(guarded, '/orders', { authorization: `Bearer ${await token({ tenant: 'other' })}` });
    expect(reply.status).toBe(403);
    expect(reply.json()).toMatchObject({ name: 'UnauthorizedError', code: 'ERR_CLAIM_MISMATCH' });
  });

  it('requireScopes answers an unauthenticated request (credentialsRequired: false) 401 ERR_CREDENTIALS_MISSING', async () => {
    const reply = await get(app({ credentialsRequired: false }, requireScopes('orders:read')), '/orders');
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ code: 'ERR_CREDENTIALS_MISSING' });
  });

  it('requireScopes without kmsJwt before it is a server error that says so', async () => {
    const application = express();
    application.get('/orders', requireScopes('orders:read'), (_req, res) => void res.end());
    application.use(inspect);
    const reply = await get(application, '/orders');
    expect(reply.status).toBe(500);
    expect(reply.json()).toMatchObject({ message: expect.stringMatching(/^kms-jwt-express: requireScopes\(\) and requireClaims\(\) must run after kmsJwt\(\)/) });
  });

  it('jwksHandler serves exportJwks() with an ETag and answers 304 to it', async () => {
    const application = express();
    const jwks = { keys: [{ ...keyPair.publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'ES256' }] };
    application.get('/.well-known/jwks.json', jwksHandler({ exportJwks: () => jwks }, { cacheMaxAgeSeconds: 60 }));
    const first = await get(application, '/.well-known/jwks.json');
    expect(first.status).toBe(200);
    expect(first.json()).toEqual(jwks);
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    const second = await get(application, '/.well-known/jwks.json', { 'if-none-match': first.headers.get('etag') ?? '' });
    expect(second.status).toBe(304);
  });
});

describe('configuration errors', () => {
  it.each([
    ['no verifier', () => kmsJwt({} as KmsJwtOptions), /^kms-jwt-express: verifier is required/],
    ['an empty requestProperty', () => kmsJwt({ verifier, requestProperty: '' }), /^kms-jwt-express: requestProperty/],
    ['requireScopes without scopes', () => requireScopes(), /^kms-jwt-express: requireScopes needs/],
    ['requireClaims without claims', () => requireClaims({}), /^kms-jwt-express: requireClaims needs/],
    ['jwksHandler without a provider', () => jwksHandler({} as never), /^kms-jwt-express: jwksHandler needs/],
  ])('throws AdapterConfigError at construction for %s', (_name, create, message) => {
    expect(create).toThrow(AdapterConfigError);
    expect(create).toThrow(message);
  });
});

describe('scheduling', () => {
  it('lets the request go on at setImmediate, after the I/O of the same loop turn, with the claims already on req', async () => {
    const middleware = kmsJwt({ verifier });
    const bearer = `Bearer ${await token()}`;
    const req = { headers: { authorization: bearer }, rawHeaders: ['Authorization', bearer], url: '/orders' } as unknown as Request;
    const seen: string[] = [];
    const wentOn = new Promise<void>((resolve) => {
      middleware(req, {} as Response, (error?: unknown) => {
        seen.push(error === undefined ? `next with ${(req.auth as JwtPayload).sub}` : 'next(err)');
        resolve();
      });
    });
    // A signature checked synchronously (the default) still goes on only in the check phase:
    // neither now nor after the microtasks queued meanwhile.
    seen.push('returned');
    await Promise.resolve();
    seen.push('microtasks ran');
    await wentOn;
    expect(seen).toEqual(['returned', 'microtasks ran', 'next with user-1']);
  });
});
