import type { Middleware } from 'koa';
import { AdapterConfigError, createJwksResponder, type JwksOptions, type JwksSource } from 'kms-jwt-verifier/http';
import { PACKAGE } from './state.js';

/** Options of {@link jwksHandler}. */
export interface KoaJwksOptions extends JwksOptions {
  /** The path served (GET and HEAD); other requests go on. Default: `'/.well-known/jwks.json'`. */
  readonly path?: string;
}

/**
 * Middleware that serves `provider.exportJwks()` (kms-pubkey-provider) at `path` with
 * `Cache-Control` and a strong `ETag`, answering 304 to a matching `If-None-Match`.
 */
export function jwksHandler(provider: JwksSource, options: KoaJwksOptions = {}): Middleware {
  const respond = createJwksResponder(provider, options, PACKAGE);
  const path = options.path ?? '/.well-known/jwks.json';
  if (typeof path !== 'string' || !path.startsWith('/')) throw new AdapterConfigError(PACKAGE, 'jwksHandler path must start with /');
  return async function jwks(ctx, next) {
    if (ctx.path !== path || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const answer = respond(ctx.get('If-None-Match') || undefined);
    ctx.set(answer.headers);
    ctx.status = answer.status;
    if (answer.body !== undefined) ctx.body = answer.body;
  };
}
