// One server of the adapters benchmark, in its own process (forked by adapters.bench.mjs, which
// runs autocannon): the app named by argv[2], on 127.0.0.1 and a free port, which it reports to the
// parent over IPC, and its CPU time when asked. Every app (Express, Koa, Passport, Fastify, Hono) answers GET / with "hello world"; all but the hello-world ones first
// authenticate the request's Bearer token with the same ES256 key.
import { createPublicKey, verify } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import fastifyJwt from '@fastify/jwt';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import { expressjwt } from 'express-jwt';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { jwk } from 'hono/jwk';
import { kmsJwt as kmsJwtExpress } from 'kms-jwt-express';
import { kmsJwt as kmsJwtFastify } from 'kms-jwt-fastify';
import { kmsJwt as kmsJwtHono } from 'kms-jwt-hono';
import { kmsJwt as kmsJwtKoa } from 'kms-jwt-koa';
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import Koa from 'koa';
import koaJwt from 'koa-jwt';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { KmsJwtStrategy } from 'passport-kms-jwt';
import { Strategy } from 'passport-strategy';

const [app, mode = 'sync'] = process.argv.slice(2);
const { clientConfig, keyArn, publicKeyPem, issuer, audience } = JSON.parse(process.env.BENCH_CONFIG ?? '{}');
const HELLO = 'hello world';
/** What express-deferred-auth-middleware puts on req.auth. */
const HELLO_CLAIMS = Object.freeze({ sub: 'client-0' });

/** Ours: the key comes from KMS GetPublicKey through kms-pubkey-provider (fetched once, before listening). */
async function ourVerifier() {
  const client = new KMSClient(clientConfig);
  // Under valgrind (instructions.mjs) a process runs many times slower: a generous request timeout, and (its
  // BENCH_KEY_MAX_AGE_MS) no background key refresh during the count, whose SDK calls would be counted as requests.
  const keyMaxAgeMs = process.env.BENCH_KEY_MAX_AGE_MS === undefined ? {} : { cacheMaxAgeMs: Number(process.env.BENCH_KEY_MAX_AGE_MS) };
  const provider = createKmsKeyProvider({ client, keys: [keyArn], requestTimeoutMs: 120_000, ...keyMaxAgeMs });
  await provider.ready();
  return createVerifier({ keys: provider, issuer, audience, signatureVerification: mode === 'threadpool' ? 'threadpool' : 'sync' });
}

/** The peers' key: the same public key, as a parsed KeyObject (their fastest form; a PEM string is parsed again on every verification). */
const peerKey = createPublicKey(publicKeyPem);
const peerOptions = { algorithms: ['ES256'], issuer, audience };

function expressApp(...middleware) {
  const server = express();
  server.get('/', ...middleware, (_req, res) => {
    res.send(HELLO);
  });
  return server;
}

function koaApp(...middleware) {
  const server = new Koa();
  for (const m of middleware) server.use(m);
  server.use((ctx) => {
    ctx.body = HELLO;
  });
  return server;
}

/** A Fastify app answering GET / after `register(app)`; listens like a Node server (what the code below calls). */
async function fastifyApp(register) {
  const app = Fastify({ logger: false });
  if (register) await register(app);
  app.get('/', (_request, reply) => {
    reply.send(HELLO);
  });
  await app.ready();
  return { listen: (port, host, callback) => (app.listen({ port, host }).then(callback), app.server) };
}

/** A Hono app answering GET / behind `middleware`, served by @hono/node-server (Node's own Request and Response kept). */
function honoApp(...middleware) {
  const app = new Hono();
  for (const m of middleware) app.use(m);
  app.get('/', (c) => c.text(HELLO));
  return createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false });
}

/**
 * The floor of any verifier that checks each token's signature on the event loop: node:crypto's ES256 check of the
 * signing input and a JSON.parse of the payload, nothing else (no header, algorithm, key or claim checks). For reading
 * the distinct-token rows: what the signature check costs a request by itself.
 */
function signatureOnly(token) {
  const dot = token.lastIndexOf('.');
  if (!verify('sha256', Buffer.from(token.slice(0, dot), 'latin1'), { key: peerKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(token.slice(dot + 1), 'base64url'))) return undefined;
  return JSON.parse(Buffer.from(token.slice(token.indexOf('.') + 1, dot), 'base64url').toString());
}
const bearerOf = (authorization) => (authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined);

/** App name → builder of the app. */
const apps = {
  'express-hello': async () => expressApp(),
  'kms-jwt-express': async () => expressApp(kmsJwtExpress({ verifier: await ourVerifier(), respond: true })),
  // The ceiling of any Express middleware: one that only calls next().
  'express-noop-middleware': async () => expressApp((_req, _res, next) => next()),
  // The same, calling next() in the event loop's check phase (setImmediate), as kms-jwt-express goes on: what that scheduling alone saves.
  'express-deferred-middleware': async () => expressApp((_req, _res, next) => setImmediate(next)),
  // The same, also putting an object on req.auth as every JWT middleware of Express does (express-jwt, ours): what adding
  // that one property costs, since Express gives each request a new prototype and V8 then a new hidden class per property added.
  'express-deferred-auth-middleware': async () =>
    expressApp((req, _res, next) => {
      req.auth = HELLO_CLAIMS;
      setImmediate(next);
    }),
  'express-jwt': async () => expressApp(expressjwt({ secret: peerKey, ...peerOptions })),
  'express-signature-only': async () =>
    expressApp((req, res, next) => {
      const token = bearerOf(req.headers.authorization);
      req.auth = token === undefined ? undefined : signatureOnly(token);
      if (req.auth === undefined) res.status(401).end();
      else next();
    }),
  'koa-hello': async () => koaApp(),
  'kms-jwt-koa': async () => koaApp(kmsJwtKoa({ verifier: await ourVerifier(), respond: true })),
  // The ceiling of any Koa middleware: one that only awaits next().
  'koa-noop-middleware': async () =>
    koaApp(async (_ctx, next) => {
      await next();
    }),
  'koa-jwt': async () => koaApp(koaJwt({ secret: peerKey, ...peerOptions })),
  'koa-signature-only': async () =>
    koaApp(async (ctx, next) => {
      const token = bearerOf(ctx.get('authorization'));
      ctx.state.user = token === undefined ? undefined : signatureOnly(token);
      if (ctx.state.user === undefined) ctx.throw(401);
      await next();
    }),
  'fastify-hello': async () => fastifyApp(),
  'kms-jwt-fastify': async () => {
    const verifier = await ourVerifier();
    return fastifyApp((app) => app.register(kmsJwtFastify, { verifier, respond: true }));
  },
  // The ceiling of any onRequest hook (instructions.mjs): one that calls done() and nothing else.
  'fastify-noop-hook': async () => fastifyApp(async (app) => app.addHook('onRequest', (_request, _reply, done) => done())),
  // @fastify/jwt (fast-jwt) verifying in an onRequest hook, as its README shows; the same public key and claim checks.
  '@fastify/jwt': async () =>
    fastifyApp(async (app) => {
      await app.register(fastifyJwt, { secret: { public: publicKeyPem }, verify: { algorithms: ['ES256'], allowedIss: issuer, allowedAud: audience } });
      app.addHook('onRequest', (request) => request.jwtVerify());
    }),
  // The same, with fast-jwt's verified-token cache as large as ours (10,000 entries), for the production-shaped traffic.
  '@fastify/jwt-cache': async () =>
    fastifyApp(async (app) => {
      await app.register(fastifyJwt, { secret: { public: publicKeyPem }, verify: { algorithms: ['ES256'], allowedIss: issuer, allowedAud: audience, cache: 10_000 } });
      app.addHook('onRequest', (request) => request.jwtVerify());
    }),
  'hono-hello': async () => honoApp(),
  // The ceiling of any middleware (instructions.mjs): one that awaits next() and nothing else; and one that also reads the Authorization header.
  'hono-noop-middleware': async () =>
    honoApp(async (_c, next) => {
      await next();
    }),
  'hono-header-middleware': async () =>
    honoApp(async (c, next) => {
      if (c.req.header('authorization') === undefined) throw new Error('no Authorization header');
      await next();
    }),
  'kms-jwt-hono': async () => honoApp(kmsJwtHono({ verifier: await ourVerifier(), respond: true })),
  // hono/jwk with the key given statically (as a JWK with its kid), so it never fetches; Web Crypto verification.
  'hono/jwk': async () => honoApp(jwk({ keys: [{ ...peerKey.export({ format: 'jwk' }), kid: keyArn, alg: 'ES256', use: 'sig' }], alg: ['ES256'], verification: { iss: issuer, aud: audience } })),
  'passport-hello': async () => expressApp(),
  // Passport's own cost: a strategy that accepts every request without looking at it.
  'passport-accept-all': async () => {
    class AcceptAll extends Strategy {
      name = 'accept-all';
      authenticate() {
        this.success({ sub: 'anyone' });
      }
    }
    passport.use(new AcceptAll());
    return expressApp(passport.authenticate('accept-all', { session: false }));
  },
  // The same, accepting in the event loop's check phase (setImmediate), as passport-kms-jwt does: what that scheduling alone saves.
  'passport-accept-all-deferred': async () => {
    class AcceptAllDeferred extends Strategy {
      name = 'accept-all-deferred';
      authenticate() {
        setImmediate(() => this.success({ sub: 'anyone' }));
      }
    }
    passport.use(new AcceptAllDeferred());
    return expressApp(passport.authenticate('accept-all-deferred', { session: false }));
  },
  // Passport with a strategy doing only the signature check above.
  'passport-signature-only': async () => {
    class SignatureOnly extends Strategy {
      name = 'signature-only';
      authenticate(req) {
        const token = bearerOf(req.headers.authorization);
        const payload = token === undefined ? undefined : signatureOnly(token);
        if (payload === undefined) this.fail(401);
        else this.success(payload);
      }
    }
    passport.use(new SignatureOnly());
    return expressApp(passport.authenticate('signature-only', { session: false }));
  },
  'passport-kms-jwt': async () => {
    passport.use(new KmsJwtStrategy({ verifier: await ourVerifier() }, (payload, done) => done(null, payload)));
    return expressApp(passport.authenticate('kms-jwt', { session: false }));
  },
  'passport-jwt': async () => {
    passport.use(new JwtStrategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: peerKey, ...peerOptions }, (payload, done) => done(null, payload)));
    return expressApp(passport.authenticate('jwt', { session: false }));
  },
};

const build = apps[app];
if (build === undefined) throw new Error(`unknown app ${app}; one of ${Object.keys(apps).join(', ')}`);
const server = (await build()).listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
// The parent asks for this process's CPU time (main thread and libuv threadpool together) around each run.
process.on('message', () => {
  const { user, system } = process.cpuUsage();
  process.send?.({ cpuMicros: user + system });
});
process.on('disconnect', () => process.exit(0));
