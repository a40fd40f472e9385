import type { ErrorRequestHandler, Request, Response } from 'express';
import type express from 'express';
import { createRequire } from 'node:module';
import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import Fastify, { type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { jwksHandler as expressJwks, kmsJwt as expressJwt, requireScopes as expressScopes } from 'kms-jwt-express';
import { jwksHandler as fastifyJwks, kmsJwt as fastifyJwt, requireScopes as fastifyScopes } from 'kms-jwt-fastify';
import { jwksHandler as honoJwks, kmsJwt as honoJwt, requireScopes as honoScopes, type KmsJwtEnv } from 'kms-jwt-hono';
import { jwksHandler as koaJwks, kmsJwt as koaJwt, requireScopes as koaScopes } from 'kms-jwt-koa';
import type { JwtPayload, VerifiedToken, Verifier } from 'kms-jwt-verifier';
import { HttpAuthError, type JwksSource } from 'kms-jwt-verifier/http';
import type Koa from 'koa';
import type { Middleware, ParameterizedContext } from 'koa';
import { Passport } from 'passport';
import { authFailure, KmsJwtStrategy } from 'passport-kms-jwt';

export const REALM = 'orders';

// Both majors of each framework, installed under pnpm aliases (express4, express5, koa2, koa3).
const require = createRequire(import.meta.url);
const express4 = require('express4') as typeof express;
const express5 = require('express5') as typeof express;
const koa2 = require('koa2') as typeof Koa;
const koa3 = require('koa3') as typeof Koa;

/** What every app under test is built from. */
export interface AppDeps {
  readonly verifier: Verifier;
  /** For `/cold/orders`: its key source is down with nothing cached. */
  readonly coldVerifier: Verifier;
  readonly isRevoked: (token: VerifiedToken) => boolean;
  readonly provider: JwksSource;
  /**
   * Called with every error that reaches the app's error handling (an Express error handler before
   * the usual answer, Koa's `error` event instead of its silent default): a capturing logger.
   * Default: none, nothing is recorded.
   */
  readonly onError?: (error: unknown) => void;
  /** Koa apps also read the token from this cookie (kms-jwt-koa's `cookie` option). Default: none. */
  readonly koaCookie?: string;
}

/** An Express error handler that hands every error to `onError`, then passes it on unchanged. */
function recordErrors(onError: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, _res, next) => {
    onError(error);
    next(error);
  };
}

/**
 * Every app serves the same routes: `GET /orders` (authenticated), `GET /orders/write` (also
 * requires the `orders:write` scope), `GET /cold/orders` (authenticated against the cold verifier),
 * answering `{ sub }`, and (all but Passport) `GET /.well-known/jwks.json`.
 */
export interface AdapterUnderTest {
  readonly name: string;
  readonly servesJwks: boolean;
  app(deps: AppDeps): RequestListener;
}

type Express = typeof express;

function expressApp(express: Express, deps: AppDeps): RequestListener {
  const app = express();
  const options = { realm: REALM, respond: true, isRevoked: (_req: Request, token: VerifiedToken) => deps.isRevoked(token) };
  const auth = expressJwt({ ...options, verifier: deps.verifier });
  const who = (req: Request, res: Response) => void res.json({ sub: req.auth?.sub });
  app.get('/.well-known/jwks.json', expressJwks(deps.provider));
  app.get('/orders', auth, who);
  app.get('/orders/write', auth, expressScopes('orders:write'), who);
  app.get('/cold/orders', expressJwt({ ...options, verifier: deps.coldVerifier }), who);
  if (deps.onError !== undefined) app.use(recordErrors(deps.onError));
  return app;
}

type Context = ParameterizedContext<{ user?: JwtPayload }>;

function koaApp(KoaApp: typeof Koa, deps: AppDeps): RequestListener {
  const app = new KoaApp();
  app.silent = true;
  if (deps.onError !== undefined) app.on('error', deps.onError);
  const options = {
    realm: REALM,
    respond: true,
    isRevoked: (_ctx: unknown, token: VerifiedToken) => deps.isRevoked(token),
    ...(deps.koaCookie === undefined ? {} : { cookie: deps.koaCookie }),
  };
  const auth = koaJwt({ ...options, verifier: deps.verifier });
  const who: Middleware = async (ctx: Context) => {
    ctx.body = { sub: ctx.state.user?.sub };
  };
  const routes: Record<string, Middleware[]> = {
    '/orders': [auth, who],
    '/orders/write': [auth, koaScopes('orders:write'), who],
    '/cold/orders': [koaJwt({ ...options, verifier: deps.coldVerifier }), who],
  };
  const run = async (chain: Middleware[], ctx: Context, index: number): Promise<void> => {
    await chain[index]?.(ctx, () => run(chain, ctx, index + 1));
  };
  app.use(koaJwks(deps.provider));
  app.use((ctx, next) => (routes[ctx.path] ? run(routes[ctx.path] ?? [], ctx, 0) : next()));
  return app.callback();
}

function passportApp(express: Express, deps: AppDeps): RequestListener {
  const app = express();
  const passport = new Passport();
  passport.use(new KmsJwtStrategy({ verifier: deps.verifier, realm: REALM, isRevoked: (_req, token) => deps.isRevoked(token) }));
  passport.use('kms-jwt-cold', new KmsJwtStrategy({ verifier: deps.coldVerifier, realm: REALM }));
  const who = (req: Request, res: Response) => void res.json({ sub: (req.user as JwtPayload).sub });
  app.get('/orders', passport.authenticate('kms-jwt', { session: false, failWithError: true }), who);
  app.get('/orders/write', passport.authenticate('kms-jwt', { session: false, failWithError: true, scope: 'orders:write' }), who);
  app.get('/cold/orders', passport.authenticate('kms-jwt-cold', { session: false, failWithError: true }), who);
  // The documented recipe: answer the strategy's failure (or its 503 error) with its own status, headers and body.
  const answer: ErrorRequestHandler = (error: unknown, req, res, next) => {
    const failure = authFailure(req) ?? (error instanceof HttpAuthError ? error : undefined);
    if (failure === undefined) return next(error);
    res.status(failure.status).set(failure.headers).json(failure.body);
  };
  if (deps.onError !== undefined) app.use(recordErrors(deps.onError));
  app.use(answer);
  return app;
}

function fastifyApp(deps: AppDeps): RequestListener {
  const app = Fastify();
  const options = { realm: REALM, respond: true, isRevoked: (_request: FastifyRequest, token: VerifiedToken) => deps.isRevoked(token) };
  const who = async (request: FastifyRequest) => ({ sub: request.auth?.sub });
  app.get('/.well-known/jwks.json', fastifyJwks(deps.provider));
  // Each verifier in an encapsulated context of its own: the plugin's hook covers that context's routes.
  app.register(async (orders) => {
    await orders.register(fastifyJwt, { ...options, verifier: deps.verifier });
    orders.get('/orders', who);
    orders.get('/orders/write', { preHandler: fastifyScopes('orders:write') }, who);
  });
  app.register(async (cold) => {
    await cold.register(fastifyJwt, { ...options, verifier: deps.coldVerifier });
    cold.get('/cold/orders', who);
  });
  const { onError } = deps;
  if (onError !== undefined) {
    // Throwing from an error handler hands the error on to Fastify's default one.
    app.setErrorHandler((error) => {
      onError(error);
      throw error;
    });
  }
  const ready = app.ready();
  return (req, res) => void ready.then(() => app.routing(req, res));
}

function honoApp(deps: AppDeps): RequestListener {
  const app = new Hono<KmsJwtEnv>();
  const options = { realm: REALM, respond: true, isRevoked: (_c: unknown, token: VerifiedToken) => deps.isRevoked(token) };
  const auth = honoJwt({ ...options, verifier: deps.verifier });
  app.get('/.well-known/jwks.json', honoJwks(deps.provider));
  app.get('/orders', auth, (c) => c.json({ sub: c.get('auth')?.sub }));
  app.get('/orders/write', auth, honoScopes('orders:write'), (c) => c.json({ sub: c.get('auth')?.sub }));
  app.get('/cold/orders', honoJwt({ ...options, verifier: deps.coldVerifier }), (c) => c.json({ sub: c.get('auth')?.sub }));
  const { onError } = deps;
  if (onError !== undefined) {
    // Records the error, then answers as Hono's default error handler does.
    app.onError((error, c) => {
      onError(error);
      return error instanceof HTTPException ? error.getResponse() : c.text('Internal Server Error', 500);
    });
  }
  // Served by @hono/node-server, without replacing Node's global Request and Response.
  return getRequestListener(app.fetch, { overrideGlobalObjects: false });
}

export const ADAPTERS: readonly AdapterUnderTest[] = [
  { name: 'kms-jwt-express on Express 4', servesJwks: true, app: (deps) => expressApp(express4, deps) },
  { name: 'kms-jwt-express on Express 5', servesJwks: true, app: (deps) => expressApp(express5, deps) },
  { name: 'kms-jwt-koa on Koa 2', servesJwks: true, app: (deps) => koaApp(koa2, deps) },
  { name: 'kms-jwt-koa on Koa 3', servesJwks: true, app: (deps) => koaApp(koa3, deps) },
  { name: 'passport-kms-jwt on Express 4', servesJwks: false, app: (deps) => passportApp(express4, deps) },
  { name: 'passport-kms-jwt on Express 5', servesJwks: false, app: (deps) => passportApp(express5, deps) },
  { name: 'kms-jwt-fastify on Fastify 5', servesJwks: true, app: fastifyApp },
  { name: 'kms-jwt-hono on Hono 4 (@hono/node-server)', servesJwks: true, app: honoApp },
];
