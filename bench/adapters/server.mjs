// One server of the adapters benchmark, in its own process (forked by adapters.bench.mjs, which
// runs autocannon): the app named by argv[2], on 127.0.0.1 and a free port, which it reports to the
// parent over IPC, and its CPU time when asked. Every app answers GET / with "hello world"; all but the hello-world ones first
// authenticate the request's Bearer token with the same ES256 key.
import { createPublicKey } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import express from 'express';
import { expressjwt } from 'express-jwt';
import { kmsJwt as kmsJwtExpress } from 'kms-jwt-express';
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

/** Ours: the key comes from KMS GetPublicKey through kms-pubkey-provider (fetched once, before listening). */
async function ourVerifier() {
  const client = new KMSClient(clientConfig);
  const provider = createKmsKeyProvider({ client, keys: [keyArn] });
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

/** App name → builder of the Express or Koa app. */
const apps = {
  'express-hello': async () => expressApp(),
  'kms-jwt-express': async () => expressApp(kmsJwtExpress({ verifier: await ourVerifier(), respond: true })),
  'express-jwt': async () => expressApp(expressjwt({ secret: peerKey, ...peerOptions })),
  'koa-hello': async () => koaApp(),
  'kms-jwt-koa': async () => koaApp(kmsJwtKoa({ verifier: await ourVerifier(), respond: true })),
  'koa-jwt': async () => koaApp(koaJwt({ secret: peerKey, ...peerOptions })),
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
