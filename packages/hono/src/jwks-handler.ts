import type { Handler } from 'hono';
import { createJwksResponder, type JwksOptions, type JwksSource } from 'kms-jwt-verifier/http';
import { PACKAGE } from './state.js';

/**
 * A route handler that serves `provider.exportJwks()` (kms-pubkey-provider) with `Cache-Control` and a strong `ETag`, answering
 * 304 to a matching `If-None-Match`: `app.get('/.well-known/jwks.json', jwksHandler(provider))` (Hono answers HEAD with it too).
 */
export function jwksHandler(provider: JwksSource, options: JwksOptions = {}): Handler {
  const respond = createJwksResponder(provider, options, PACKAGE);
  return (c) => {
    const answer = respond(c.req.header('if-none-match'));
    return c.newResponse(answer.body ?? null, answer.status, answer.headers);
  };
}
