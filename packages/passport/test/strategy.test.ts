import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express5, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import express4 from 'express4';
import { SignJWT } from 'jose';
import { createVerifier, KeySourceUnavailableError, type JwtPayload } from 'kms-jwt-verifier';
import { Passport } from 'passport';
import { Strategy } from 'passport-strategy';
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterConfigError, authFailure, HttpAuthError, KmsJwtStrategy, type KmsJwtStrategyOptions, type VerifyFunction } from '../src/index.js';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/passport-test';
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const verifier = createVerifier({ keys: [{ kid: KEY_ARN, key: pair.publicKey }], issuer: 'https://issuer.example', audience: 'orders-api' });
const issue = async (claims: Record<string, unknown>, lifetimeSeconds: number) => {
  const jwt = new SignJWT({ sub: 'user-1', ...claims }).setProtectedHeader({ alg: 'ES256', kid: KEY_ARN });
  return jwt.setIssuer('https://issuer.example').setAudience('orders-api').setExpirationTime(Math.floor(Date.now() / 1000) + lifetimeSeconds).sign(pair.privateKey);
};
const valid = (claims: Record<string, unknown> = {}) => issue(claims, 300);
const expired = () => issue({}, -60);

/** A strategy that lets everyone in, to show that fail() hands over to the next strategy. */
class Anonymous extends Strategy {
  readonly name = 'anonymous';
  override authenticate(): void {
    this.success({ anonymous: true });
  }
}

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

async function call(app: Express, headers: Record<string, string> = {}) {
  const server = app.listen(0, '127.0.0.1');
  closers.push(() => server.close());
  await once(server, 'listening');
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`, { headers });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), retryAfter: response.headers.get('retry-after'), text: await response.text() };
}

/** The app's error handler: the failure's code when the strategy failed, else the error's name and status. */
const report: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const failure = authFailure(req);
  const status = failure?.status ?? (error instanceof HttpAuthError ? error.status : 500);
  res.status(status).json({ failure: failure?.code ?? null, error: (error as Error).name, message: (error as Error).message });
};

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
])('KmsJwtStrategy on %s', (_name, express) => {
  function app(strategy: KmsJwtStrategy, authenticate: Record<string, unknown> = { session: false, failWithError: true }): Express {
    const passport = new Passport();
    passport.use(strategy);
    const application = express();
    const me: RequestHandler = (req, res) => void res.json({ user: req.user, key: (req.authInfo as { key?: string } | undefined)?.key ?? null });
    application.get('/me', passport.authenticate('kms-jwt', authenticate), me);
    application.use(report);
    return application;
  }

  it('is named kms-jwt and, without verify, makes the claims the user and the verified token the authInfo', async () => {
    const strategy = new KmsJwtStrategy({ verifier });
    expect(strategy.name).toBe('kms-jwt');
    const reply = await call(app(strategy), { authorization: `Bearer ${await valid()}` });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ user: { sub: 'user-1', iss: 'https://issuer.example' }, key: KEY_ARN });
  });

  it('maps the claims to a user with verify(payload, done)', async () => {
    const verify: VerifyFunction = (payload, done) => done(null, { id: payload.sub, admin: false });
    const reply = await call(app(new KmsJwtStrategy({ verifier }, verify)), { authorization: `Bearer ${await valid()}` });
    expect(JSON.parse(reply.text)).toMatchObject({ user: { id: 'user-1', admin: false } });
  });

  it('passes the request first with passReqToCallback', async () => {
    const strategy = new KmsJwtStrategy({ verifier, passReqToCallback: true }, (req, payload: JwtPayload, done) => done(null, { id: payload.sub, via: req.get('x-via') }));
    const reply = await call(app(strategy), { authorization: `Bearer ${await valid()}`, 'x-via': 'gateway' });
    expect(JSON.parse(reply.text)).toMatchObject({ user: { id: 'user-1', via: 'gateway' } });
  });

  it('fails with the RFC 6750 challenge and status, which passport sends by default, and keeps the reason for authFailure(req)', async () => {
    const reply = await call(app(new KmsJwtStrategy({ verifier, realm: 'orders' }), { session: false }), { authorization: `Bearer ${await expired()}` });
    expect(reply.status).toBe(401);
    expect(reply.challenge).toBe('Bearer realm="orders", error="invalid_token", error_description="the access token expired (exp)"');
    expect(reply.text).toBe('Unauthorized');
  });

  it('makes the reason visible to the application: authFailure(req) holds the code and the body', async () => {
    const reply = await call(app(new KmsJwtStrategy({ verifier })), { authorization: `Bearer ${await expired()}` });
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.text)).toMatchObject({ failure: 'ERR_JWT_EXPIRED', error: 'AuthenticationError' });
  });

  it('hands a request without credentials to the next strategy (fail, not error)', async () => {
    const passport = new Passport();
    passport.use(new KmsJwtStrategy({ verifier }));
    passport.use(new Anonymous());
    const application = express();
    application.get('/me', passport.authenticate(['kms-jwt', 'anonymous'], { session: false }), (req, res) => void res.json(req.user));
    expect(JSON.parse((await call(application)).text)).toEqual({ anonymous: true });
  });

  it('gives a custom callback the challenge as info and the status', async () => {
    const passport = new Passport();
    passport.use(new KmsJwtStrategy({ verifier }));
    const application = express();
    application.get('/me', (req, res, next) => {
      const callback = (error: unknown, user: unknown, info: unknown, status: unknown) => res.json({ error, user, info, status, code: authFailure(req)?.code });
      passport.authenticate('kms-jwt', { session: false }, callback)(req, res, next);
    });
    expect(JSON.parse((await call(application)).text)).toEqual({ error: null, user: false, info: 'Bearer realm="api"', status: 401, code: 'ERR_CREDENTIALS_MISSING' });
  });

  it('fails a token whose user verify refused (done(null, false, reason)) with 401 ERR_TOKEN_REJECTED and that reason', async () => {
    const strategy = new KmsJwtStrategy({ verifier }, (_payload, done) => done(null, false, { message: 'unknown user' }));
    const reply = await call(app(strategy, { session: false }), { authorization: `Bearer ${await valid()}` });
    expect(reply.status).toBe(401);
    expect(reply.challenge).toBe('Bearer realm="api", error="invalid_token", error_description="unknown user"');
  });

  it('fails with 403 when the token lacks a scope the route asks for (passport.authenticate option scope)', async () => {
    const reply = await call(app(new KmsJwtStrategy({ verifier }), { session: false, failWithError: true, scope: ['orders:write'] }), {
      authorization: `Bearer ${await valid({ scope: 'orders:read' })}`,
    });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.text)).toMatchObject({ failure: 'ERR_SCOPE_INSUFFICIENT' });
    const granted = await call(app(new KmsJwtStrategy({ verifier }), { session: false, scope: 'orders:read' }), { authorization: `Bearer ${await valid({ scope: 'orders:read' })}` });
    expect(granted.status).toBe(200);
  });

  it("errors (not fails) with a 503 HttpAuthError when the key source is down, which Express's handler answers with Retry-After", async () => {
    const down = createVerifier({ keys: { resolve: () => Promise.reject(new KeySourceUnavailableError('KMS is down')) }, issuer: null, audience: null });
    const passport = new Passport();
    passport.use(new KmsJwtStrategy({ verifier: down }));
    const application = express();
    application.get('/me', passport.authenticate('kms-jwt', { session: false }), (_req, res) => void res.end());
    const reply = await call(application, { authorization: `Bearer ${await valid()}` });
    expect(reply.status).toBe(503);
    expect(reply.retryAfter).toBe('5');
    expect(reply.challenge).toBeNull();
  });

  it('errors with whatever verify passes to done or throws', async () => {
    const passed = await call(app(new KmsJwtStrategy({ verifier }, (_payload, done) => done(new Error('user store down')))), { authorization: `Bearer ${await valid()}` });
    expect(JSON.parse(passed.text)).toEqual({ failure: null, error: 'Error', message: 'user store down' });
    const thrown = await call(
      app(
        new KmsJwtStrategy({ verifier }, () => {
          throw new TypeError('bug in verify');
        }),
      ),
      { authorization: `Bearer ${await valid()}` },
    );
    expect(JSON.parse(thrown.text)).toEqual({ failure: null, error: 'TypeError', message: 'bug in verify' });
  });
});

describe('configuration errors', () => {
  it.each([
    ['no verifier', () => new KmsJwtStrategy({} as KmsJwtStrategyOptions), /^passport-kms-jwt: verifier is required/],
    ['a verify that is not a function', () => new KmsJwtStrategy({ verifier }, 'verify' as unknown as VerifyFunction), /^passport-kms-jwt: verify must be a function/],
    ['a realm with a line break', () => new KmsJwtStrategy({ verifier, realm: 'a\nb' }), /^passport-kms-jwt: realm/],
  ])('throws AdapterConfigError at construction for %s', (_name, create, message) => {
    expect(create).toThrow(AdapterConfigError);
    expect(create).toThrow(message);
  });
});

describe('scheduling', () => {
  it('calls success() at setImmediate, after the I/O of the same loop turn, for a signature checked synchronously', async () => {
    const strategy = new KmsJwtStrategy({ verifier });
    const bearer = `Bearer ${await valid()}`;
    const req = { headers: { authorization: bearer }, rawHeaders: ['Authorization', bearer], url: '/me' };
    const seen: string[] = [];
    const succeeded = new Promise<void>((resolve) => {
      // What passport.authenticate does: the strategy's actions on an object that inherits from it.
      const action = Object.assign(Object.create(strategy) as KmsJwtStrategy, {
        success: (user: JwtPayload) => {
          seen.push(`success for ${user.sub}`);
          resolve();
        },
        fail: () => seen.push('fail'),
        error: () => seen.push('error'),
      });
      action.authenticate(req as never);
    });
    seen.push('returned');
    await Promise.resolve();
    seen.push('microtasks ran');
    await succeeded;
    expect(seen).toEqual(['returned', 'microtasks ran', 'success for user-1']);
  });
});
