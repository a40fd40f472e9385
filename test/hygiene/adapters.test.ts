// Logging hygiene of the adapters over real HTTP: the contract suite's apps (which answer failures
// themselves) and apps that hand every failure to their error handling (Express's error handler
// and default final handler in development mode, Koa's error-logging middleware and `error` event,
// Passport's failWithError), with `debug: true` so the verifier's own messages reach the client.
// Every response (status, headers, body), every error the handlers receive and all console output
// is captured; no token, token segment or private key material may appear in it.
import type { ErrorRequestHandler, Request, Response } from 'express';
import { kmsJwt as expressJwt, requireScopes as expressScopes } from 'kms-jwt-express';
import { kmsJwt as koaJwt, requireScopes as koaScopes } from 'kms-jwt-koa';
import type { JwtPayload, VerifiedToken } from 'kms-jwt-verifier';
import Koa, { type Middleware } from 'koa';
import express from 'express';
import { Passport } from 'passport';
import { authFailure, KmsJwtStrategy } from 'passport-kms-jwt';
import type { RequestListener } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AppDeps } from '../adapters/support/apps.js';
import { listen, send, type RequestHeaders } from '../adapters/support/http.js';
import { AUDIENCE, ISSUER } from '../adapters/support/kms.js';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { LogCapture } from './support/capture.js';
import { expectClean, startHygieneWorld, type HygieneWorld } from './support/world.js';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Probe {
  readonly name: string;
  readonly path: string;
  readonly headers: RequestHeaders;
  readonly status: number;
}

let hw: HygieneWorld;
let probes: Probe[];
let revoked: ReadonlySet<string>;

beforeAll(async () => {
  hw = await startHygieneWorld();
  hw.loadPrivateKeys();
  const { tokens, currentKeyArn: kid } = hw.world;
  const signer = createKmsJwtSigner({ keyId: kid, client: hw.recordingClient(), expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE });
  const make = async (claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string> => {
    const token = await signer.sign({ sub: 'user-1', scope: 'orders:read', ...claims }, header === undefined ? undefined : { header });
    hw.secrets.addToken(token, 'signed for the adapters');
    return token;
  };
  const crafted = (token: string): string => {
    hw.secrets.addToken(token, 'crafted for the adapters');
    return token;
  };
  const [header, payload, signature] = tokens.current.split('.') as [string, string, string];
  const bearer = (token: string): RequestHeaders => ({ authorization: `Bearer ${token}` });
  revoked = hw.world.revoked;
  probes = [
    { name: 'expired', path: '/orders', headers: bearer(tokens.expired), status: 401 },
    { name: 'untrusted kid', path: '/orders', headers: bearer(tokens.untrusted), status: 401 },
    { name: 'revoked', path: '/orders', headers: bearer(tokens.revoked), status: 401 },
    { name: 'tampered signature', path: '/orders', headers: bearer(crafted(`${header}.${payload}.${signature.slice(0, -6)}AAAAAA`)), status: 401 },
    { name: 'payload swapped', path: '/orders', headers: bearer(crafted(`${header}.${tokens.previous.split('.')[1]}.${signature}`)), status: 401 },
    { name: 'alg none', path: '/orders', headers: bearer(crafted(`${encode({ alg: 'none', kid })}.${payload}.${signature}`)), status: 401 },
    { name: 'no kid', path: '/orders', headers: bearer(crafted(`${encode({ alg: 'ES256' })}.${payload}.${signature}`)), status: 401 },
    { name: 'two segments', path: '/orders', headers: bearer(crafted(`${header}.${payload}`)), status: 401 },
    { name: 'too large', path: '/orders', headers: bearer(await make({ pad: 'x'.repeat(9000) })), status: 401 },
    { name: 'jku header', path: '/orders', headers: bearer(await make({}, { jku: 'https://attacker.example/jwks.json' })), status: 401 },
    { name: 'wrong audience', path: '/orders', headers: bearer(await make({ aud: 'billing-api' })), status: 401 },
    { name: 'not yet valid', path: '/orders', headers: bearer(await make({ nbf: Math.floor(Date.now() / 1000) + 600 })), status: 401 },
    { name: 'insufficient scope', path: '/orders/write', headers: bearer(tokens.current), status: 403 },
    { name: 'key source down', path: '/cold/orders', headers: bearer(tokens.current), status: 503 },
    { name: 'no credentials', path: '/orders', headers: {}, status: 401 },
    { name: 'two Authorization headers', path: '/orders', headers: { authorization: [`Bearer ${tokens.current}`, `Bearer ${tokens.expired}`] }, status: 400 },
    { name: 'token in the query', path: `/orders?access_token=${tokens.current}`, headers: {}, status: 400 },
    { name: 'token in the query and the header', path: `/orders?access_token=${tokens.expired}`, headers: bearer(tokens.current), status: 400 },
    { name: 'Bearer with two tokens', path: '/orders', headers: { authorization: `Bearer ${tokens.current} ${tokens.expired}` }, status: 400 },
    { name: 'Bearer with a bad character', path: '/orders', headers: { authorization: `Bearer ${tokens.current}!` }, status: 400 },
  ];
});

afterAll(async () => {
  await hw?.close();
});

function deps(): AppDeps {
  const { verifier, coldVerifier, provider } = hw.world;
  return { verifier, coldVerifier, provider, isRevoked: (token: VerifiedToken) => typeof token.payload.jti === 'string' && revoked.has(token.payload.jti) };
}

/** Sends every probe to the app and records each answer whole: status, headers and body. */
async function probe(name: string, app: RequestListener, capture: LogCapture): Promise<void> {
  const running = await listen(app);
  try {
    for (const { name: probeName, path, headers, status } of probes) {
      const reply = await send(`${running.url}${path}`, headers);
      capture.recordText(`${name}: ${probeName} answered ${reply.status}`, `${reply.status}\n${JSON.stringify(reply.headers)}\n${reply.text}`);
      expect(reply.status, `${name}: ${probeName}`).toBe(status);
    }
    // Express's final handler logs on the next turn of the event loop, after answering.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    await running.close();
  }
}

/** Express 5 answering failures through its error handling: a logging error handler, then the default final handler of a development app (which logs the stack and shows it). */
function loggingExpressApp(capture: LogCapture): RequestListener {
  const app = express();
  app.set('env', 'development');
  const { verifier, coldVerifier, isRevoked } = deps();
  const options = { debug: true, isRevoked: (_req: Request, token: VerifiedToken) => isRevoked(token) };
  const who = (req: Request, res: Response) => void res.json({ sub: req.auth?.sub });
  const auth = expressJwt({ ...options, verifier });
  app.get('/orders', auth, who);
  app.get('/orders/write', auth, expressScopes('orders:write'), who);
  app.get('/cold/orders', expressJwt({ ...options, verifier: coldVerifier }), who);
  const log: ErrorRequestHandler = (error: unknown, req, _res, next) => {
    capture.record(`express error handler (${req.method} ${req.path})`, error);
    console.error('request failed', { path: req.path, error });
    next(error);
  };
  app.use(log);
  return app;
}

/** Koa 3 with an error-logging middleware around kmsJwt, the `error` event logged, and Koa's own answer. */
function loggingKoaApp(capture: LogCapture): RequestListener {
  const app = new Koa();
  app.on('error', (error: unknown) => capture.record('koa error event', error));
  const { verifier, coldVerifier, isRevoked } = deps();
  const options = { debug: true, isRevoked: (_ctx: unknown, token: VerifiedToken) => isRevoked(token) };
  const auth = koaJwt({ ...options, verifier });
  const cold = koaJwt({ ...options, verifier: coldVerifier });
  const write = koaScopes('orders:write');
  const who: Middleware = async (ctx) => {
    ctx.body = { sub: (ctx.state as { user?: JwtPayload }).user?.sub };
  };
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      capture.record(`koa logging middleware (${ctx.method} ${ctx.path})`, error);
      console.error('request failed', ctx.path, error);
      throw error;
    }
  });
  app.use(async (ctx, next) => {
    if (ctx.path === '/orders') return auth(ctx, () => who(ctx, next));
    if (ctx.path === '/orders/write') return auth(ctx, () => write(ctx, () => who(ctx, next)));
    if (ctx.path === '/cold/orders') return cold(ctx, () => who(ctx, next));
    return next();
  });
  return app.callback();
}

/** Passport on Express 5 with failWithError, a handler that logs the error and the strategy's reason, then Express's development final handler. */
function loggingPassportApp(capture: LogCapture): RequestListener {
  const app = express();
  app.set('env', 'development');
  const { verifier, coldVerifier, isRevoked } = deps();
  const passport = new Passport();
  passport.use(new KmsJwtStrategy({ verifier, debug: true, isRevoked: (_req, token) => isRevoked(token) }));
  passport.use('kms-jwt-cold', new KmsJwtStrategy({ verifier: coldVerifier, debug: true }));
  const who = (req: Request, res: Response) => void res.json({ sub: (req.user as JwtPayload).sub });
  app.get('/orders', passport.authenticate('kms-jwt', { session: false, failWithError: true }), who);
  app.get('/orders/write', passport.authenticate('kms-jwt', { session: false, failWithError: true, scope: 'orders:write' }), who);
  app.get('/cold/orders', passport.authenticate('kms-jwt-cold', { session: false, failWithError: true }), who);
  const log: ErrorRequestHandler = (error: unknown, req, _res, next) => {
    capture.record(`passport error handler (${req.method} ${req.path})`, error);
    capture.record('passport authFailure(req)', authFailure(req));
    console.error('authentication failed', error, authFailure(req));
    next(error);
  };
  app.use(log);
  return app;
}

describe('logging hygiene: adapters over HTTP', () => {
  it('answers every failure of the contract apps without a token in the status, headers or body', async () => {
    const capture = new LogCapture();
    const restore = capture.captureConsole();
    try {
      for (const adapter of ADAPTERS) await probe(adapter.name, adapter.app(deps()), capture);
      expectClean(
        capture,
        hw.secrets,
        ADAPTERS.flatMap((adapter) => [`${adapter.name}: expired answered 401`, `${adapter.name}: key source down answered 503`, `${adapter.name}: token in the query answered 400`]).concat([
          'invalid_token',
          'insufficient_scope',
          'temporarily_unavailable',
          'invalid_request',
          'www-authenticate',
          'retry-after',
        ]),
      );
    } finally {
      restore();
    }
  });

  it('hands every failure to error handlers and default handlers that log it, without a token or key material in any of it', async () => {
    const capture = new LogCapture();
    const restore = capture.captureConsole();
    try {
      await probe('Express 5 with error handlers', loggingExpressApp(capture), capture);
      await probe('Koa 3 with error logging', loggingKoaApp(capture), capture);
      await probe('Passport on Express 5 with failWithError', loggingPassportApp(capture), capture);
      expectClean(capture, hw.secrets, [
        'express error handler (GET /orders)',
        'express error handler (GET /cold/orders)',
        'koa logging middleware (GET /orders)',
        'koa error event',
        'passport error handler (GET /orders)',
        'passport authFailure(req)',
        'console.error',
        // Express's development final handler logging the stack (of kms-jwt-express's error, and of Passport's).
        '--- console.error\nUnauthorizedError: ',
        '--- console.error\nAuthenticationError: ',
        'UnauthorizedError',
        'HttpAuthError',
        'AuthenticationError',
        'ERR_JWT_EXPIRED',
        'ERR_KID_UNTRUSTED',
        'ERR_TOKEN_REVOKED',
        'ERR_JWS_SIGNATURE_INVALID',
        'ERR_ALG_NOT_ALLOWED',
        'ERR_KID_MISSING',
        'ERR_TOKEN_MALFORMED',
        'ERR_TOKEN_TOO_LARGE',
        'ERR_JWS_HEADER_UNSUPPORTED',
        'ERR_JWT_CLAIM_INVALID',
        'ERR_JWT_NOT_YET_VALID',
        'ERR_SCOPE_INSUFFICIENT',
        'ERR_KEY_SOURCE_UNAVAILABLE',
        'ERR_CREDENTIALS_MISSING',
        'ERR_REQUEST_INVALID',
        'KMSInternalException',
      ]);
    } finally {
      restore();
    }
  });
});
