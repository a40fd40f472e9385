import type { RequestHandler } from 'express';
import { createJwksResponder, type JwksOptions, type JwksSource } from 'kms-jwt-verifier/http';
import { PACKAGE } from './state.js';

/**
 * A route handler that serves `provider.exportJwks()` (kms-pubkey-provider) with `Cache-Control`
 * and a strong `ETag`, answering 304 to a matching `If-None-Match`:
 * `app.get('/.well-known/jwks.json', jwksHandler(provider))`.
 */
export function jwksHandler(provider: JwksSource, options: JwksOptions = {}): RequestHandler {
  const respond = createJwksResponder(provider, options, PACKAGE);
  return (req, res) => {
    const answer = respond(req.headers['if-none-match']);
    res.status(answer.status).set(answer.headers);
    if (answer.body === undefined) res.end();
    else res.send(answer.body);
  };
}
