import type { RouteHandlerMethod } from 'fastify';
import { createJwksResponder, type JwksOptions, type JwksSource } from 'kms-jwt-verifier/http';
import { PACKAGE } from './state.js';

/**
 * A route handler that serves `provider.exportJwks()` (kms-pubkey-provider) with `Cache-Control` and a strong `ETag`, answering
 * 304 to a matching `If-None-Match`: `app.get('/.well-known/jwks.json', jwksHandler(provider))` (Fastify adds the HEAD route).
 */
export function jwksHandler(provider: JwksSource, options: JwksOptions = {}): RouteHandlerMethod {
  const respond = createJwksResponder(provider, options, PACKAGE);
  return (request, reply) => {
    const answer = respond(request.headers['if-none-match']);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  };
}
