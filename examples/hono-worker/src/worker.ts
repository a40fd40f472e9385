import { Hono, type MiddlewareHandler } from 'hono';
import { kmsJwt, requireScopes, type KmsJwtVariables } from 'kms-jwt-hono';
import { keysFromJwks, type JsonWebKeySet } from 'kms-jwt-verifier';

/** The Worker's bindings: `[vars]` in wrangler.toml, and TRUSTED_JWKS given at deploy time. */
export interface Bindings {
  /** The JWKS of the KMS keys whose tokens this API trusts, as JSON text (`kms-jwt jwks --alias alias/token-issuer`). */
  readonly TRUSTED_JWKS: string;
  /** The `iss` tokens must carry. */
  readonly ISSUER: string;
  /** The `aud` tokens must carry. */
  readonly AUDIENCE: string;
}

export interface OrdersEnv {
  Bindings: Bindings;
  Variables: KmsJwtVariables;
}

/**
 * The authentication middleware, made once per isolate on its first request (bindings are not
 * readable at module scope), so the keys are parsed once and the verified-token cache is shared by
 * the isolate's requests. Made again only if the bindings change.
 */
let authentication: { readonly bindings: string; readonly middleware: MiddlewareHandler } | undefined;

function authenticate(env: Bindings): MiddlewareHandler {
  const bindings = `${env.TRUSTED_JWKS}\n${env.ISSUER}\n${env.AUDIENCE}`;
  if (authentication?.bindings !== bindings) {
    const jwks = JSON.parse(env.TRUSTED_JWKS) as JsonWebKeySet;
    authentication = { bindings, middleware: kmsJwt({ verifier: { keys: keysFromJwks(jwks), issuer: env.ISSUER, audience: env.AUDIENCE }, realm: 'orders-api' }) };
  }
  return authentication.middleware;
}

const ORDERS = [
  { id: 'o-1001', total: 42.5 },
  { id: 'o-1002', total: 17 },
];

/** The orders API: a public health route, `/me` for any valid token, `/orders` for tokens with `orders:read`. */
export function createOrdersApp(): Hono<OrdersEnv> {
  const app = new Hono<OrdersEnv>();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.use('/me', (c, next) => authenticate(c.env)(c, next));
  app.use('/orders', (c, next) => authenticate(c.env)(c, next));
  app.get('/me', (c) => c.json({ sub: c.get('auth')?.sub, scope: c.get('auth')?.['scope'] ?? '' }));
  app.get('/orders', requireScopes('orders:read'), (c) => c.json({ sub: c.get('auth')?.sub, orders: ORDERS }));
  return app;
}

// Workers' module syntax: the default export handles fetch events (a Hono app has `fetch`).
export default createOrdersApp();
