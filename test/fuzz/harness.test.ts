import type { NextFunction, Request, Response } from 'express';
import type express from 'express';
import { createRequire } from 'node:module';
import { kmsJwt, requireScopes } from 'kms-jwt-express';
import type { VerifiedToken } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REALM, type AdapterUnderTest, type AppDeps } from '../adapters/support/apps.js';
import { emptyReport, fuzzAdapter, startFuzzEnvironment, type FuzzEnvironment } from './support/harness.js';

/**
 * The fuzz harness catches what it claims to: each app below breaks one invariant on purpose, and a
 * short run must fail naming it. (Without this, a harness that checks nothing would pass as well.)
 */

const require = createRequire(import.meta.url);
const express5 = require('express5') as typeof express;

/** Express 5 with kms-jwt-express on the fuzzed routes, plus `bug` in front of them. */
function broken(name: string, bug: (req: Request, res: Response, next: NextFunction) => void): AdapterUnderTest {
  return {
    name,
    servesJwks: false,
    app(deps: AppDeps) {
      const app = express5();
      const options = { realm: REALM, respond: true, isRevoked: (_req: Request, token: VerifiedToken) => deps.isRevoked(token) };
      const who = (req: Request, res: Response) => void res.json({ sub: req.auth?.sub });
      app.use(bug);
      app.get('/orders', kmsJwt({ ...options, verifier: deps.verifier }), who);
      app.get('/orders/write', kmsJwt({ ...options, verifier: deps.verifier }), requireScopes('orders:write'), who);
      app.get('/cold/orders', kmsJwt({ ...options, verifier: deps.coldVerifier }), who);
      return app;
    },
  };
}

const BUGS: readonly { readonly adapter: AdapterUnderTest; readonly caught: RegExp }[] = [
  {
    adapter: broken('echoes the Authorization header', (req, res, next) => {
      res.set('X-Seen', req.headers.authorization?.replace(/[^\x20-\x7e]/g, '') ?? '');
      next();
    }),
    caught: /the answer contains (the \w+ token|sent token)/,
  },
  {
    adapter: broken('logs the Authorization header', (req, _res, next) => {
      console.log('request with', req.headers.authorization);
      next();
    }),
    caught: /a log line contains (the \w+ token|sent token)/,
  },
  {
    adapter: broken('lets every Bearer request through', (req, res, next) => {
      if (/^bearer /i.test(req.headers.authorization ?? '')) res.json({ sub: 'user-1' });
      else next();
    }),
    caught: /status 200, expected/,
  },
  {
    adapter: broken('fails with a 500 on a token with a dot', (req, _res, next) => {
      next((req.headers.authorization ?? '').includes('.') ? new Error('boom') : undefined);
    }),
    caught: /status 500, expected/,
  },
  {
    adapter: broken('answers 401 without a challenge', (req, res, next) => {
      if (req.headers.authorization === undefined) res.status(401).json({ error: 'unauthorized', error_description: 'no' });
      else next();
    }),
    caught: /a 401 without a Bearer WWW-Authenticate challenge/,
  },
];

let env: FuzzEnvironment;
beforeAll(async () => {
  env = await startFuzzEnvironment();
});
afterAll(async () => {
  await env?.close();
});

describe('the fuzz harness', () => {
  it.each(BUGS)('fails an app that $adapter.name', async ({ adapter, caught }) => {
    const report = emptyReport(adapter.name);
    const failure: unknown = await fuzzAdapter(env, adapter, 'express', { cases: 400, seed: 42, shrink: false }, report).then(
      () => undefined,
      (error: unknown) => error,
    );
    // fast-check reports the seed and counterexample; what the property saw is the cause.
    expect(failure).toBeInstanceOf(Error);
    expect(((failure as Error).cause as Error | undefined)?.message).toMatch(caught);
  });

  it('passes kms-jwt-express itself on the same cases', async () => {
    const adapter = broken('has no bug', (_req, _res, next) => next());
    const report = emptyReport(adapter.name);
    await fuzzAdapter(env, adapter, 'express', { cases: 400, seed: 42, shrink: false }, report);
    expect(report.cases).toBe(400);
  });
});
