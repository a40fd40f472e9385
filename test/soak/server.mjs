// The soak's server process (forked by soak.mjs with --expose-gc): kms-jwt-express on Express 5,
// kms-jwt-koa on Koa 3 and passport-kms-jwt on Express 5, each on 127.0.0.1 and a free port, each
// with its own verifier (and so its own verified-token cache) over one kms-pubkey-provider that
// fetches the key from kms-local (in the parent) through the real @aws-sdk/client-kms. Routes, as in
// the contract suite's apps (test/adapters/support/apps.ts): GET /orders answers { sub } for a valid
// token; GET /orders/write also requires the orders:write scope. Failures are answered by the
// adapters themselves (respond: true) or, for Passport, by the documented authFailure() handler.
// Over IPC it reports its ports once listening, and its memory after a forced full GC when asked.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { KMSClient } from '@aws-sdk/client-kms';
import express from 'express';
import { kmsJwt as expressJwt, requireScopes as expressScopes } from 'kms-jwt-express';
import { kmsJwt as koaJwt, requireScopes as koaScopes } from 'kms-jwt-koa';
import { createVerifier } from 'kms-jwt-verifier';
import { HttpAuthError } from 'kms-jwt-verifier/http';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import Koa from 'koa';
import { Passport } from 'passport';
import { authFailure, KmsJwtStrategy } from 'passport-kms-jwt';

const { clientConfig, alias, issuer, audience, cacheEntries, keyRefreshMs, aliasRefreshMs, leakBytesPerRequest } = JSON.parse(process.env.SOAK_CONFIG ?? '{}');
const REALM = 'orders';

function fatal(what, error) {
  process.send?.({ type: 'fatal', message: `${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
}
process.on('uncaughtException', (error) => fatal('uncaught exception', error));
process.on('unhandledRejection', (error) => fatal('unhandled rejection', error));

if (typeof globalThis.gc !== 'function') throw new Error('soak server: run with --expose-gc');

const client = new KMSClient({ ...clientConfig, maxAttempts: 2 });
// Short refresh periods, so background KMS refreshes (alias and key) run during the soak too.
const provider = createKmsKeyProvider({ client, keys: [alias], cacheMaxAgeMs: keyRefreshMs, aliasRefreshMs });
await provider.ready();
const verifier = () => createVerifier({ keys: provider, issuer, audience, cache: { maxEntries: cacheEntries } });

function expressApp() {
  const app = express();
  const auth = expressJwt({ verifier: verifier(), realm: REALM, respond: true });
  const who = (req, res) => void res.json({ sub: req.auth?.sub });
  app.get('/orders', auth, who);
  app.get('/orders/write', auth, expressScopes('orders:write'), who);
  return app;
}

function koaApp() {
  const app = new Koa();
  app.silent = true;
  const auth = koaJwt({ verifier: verifier(), realm: REALM, respond: true });
  const write = koaScopes('orders:write');
  app.use(async (ctx, next) => {
    if (ctx.path !== '/orders' && ctx.path !== '/orders/write') return next();
    await auth(ctx, async () => {
      const who = async () => {
        ctx.body = { sub: ctx.state.user?.sub };
      };
      await (ctx.path === '/orders/write' ? write(ctx, who) : who());
    });
  });
  return app.callback();
}

function passportApp() {
  const app = express();
  const passport = new Passport();
  passport.use(new KmsJwtStrategy({ verifier: verifier(), realm: REALM }));
  const who = (req, res) => void res.json({ sub: req.user.sub });
  app.get('/orders', passport.authenticate('kms-jwt', { session: false, failWithError: true }), who);
  app.get('/orders/write', passport.authenticate('kms-jwt', { session: false, failWithError: true, scope: 'orders:write' }), who);
  // The documented recipe: answer the strategy's failure (or its 503 error) with its own status, headers and body.
  app.use((error, req, res, next) => {
    const failure = authFailure(req) ?? (error instanceof HttpAuthError ? error : undefined);
    if (failure === undefined) return next(error);
    res.status(failure.status).set(failure.headers).json(failure.body);
  });
  return app;
}

/** SOAK_LEAK_BYTES_PER_REQUEST (a check of the soak itself): keep that many bytes per request forever. */
const leaked = [];
const leaky = (listener) => (req, res) => {
  leaked.push('x'.repeat(leakBytesPerRequest) + String(leaked.length));
  return listener(req, res);
};

async function listen(listener) {
  const server = createServer(leakBytesPerRequest > 0 ? leaky(listener) : listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const servers = {
  'kms-jwt-express (Express 5)': await listen(expressApp()),
  'kms-jwt-koa (Koa 3)': await listen(koaApp()),
  'passport-kms-jwt (Express 5)': await listen(passportApp()),
};

function memory() {
  // Two full collections: the second frees what finalizers of the first released.
  globalThis.gc();
  globalThis.gc();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

process.on('message', (message) => {
  if (message?.type === 'measure') process.send?.({ type: 'memory', id: message.id, memory: memory() });
});
process.on('disconnect', () => {
  provider.close();
  client.destroy();
  for (const server of Object.values(servers)) server.close();
  process.exit(0);
});
process.send?.({ type: 'ready', ports: Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.address().port])) });
