// workerd without nodejs_compat: a Hono app behind kms-jwt-hono, trusting the JWKS in the TRUSTED_JWKS binding.
import { Hono } from 'hono';
import { kmsJwt, requireScopes } from 'kms-jwt-hono';
import { keysFromJwks } from 'kms-jwt-verifier';

let app;

function appFor(env) {
  if (app !== undefined) return app;
  app = new Hono();
  app.use('/orders/*', kmsJwt({ verifier: { keys: keysFromJwks(JSON.parse(env.TRUSTED_JWKS)), issuer: env.ISSUER, audience: env.AUDIENCE }, realm: 'orders' }));
  app.get('/orders/me', (c) => c.json({ sub: c.get('auth')?.sub, scope: c.get('auth')?.scope }));
  app.get('/orders/admin', requireScopes('orders:admin'), (c) => c.json({ admin: true }));
  return app;
}

export default {
  fetch: (request, env, ctx) => appFor(env).fetch(request, env, ctx),
};
