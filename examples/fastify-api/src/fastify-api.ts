/*
 * An orders API on Fastify, protected by kms-jwt-fastify: `GET /health` is public; the kmsJwt plugin
 * covers an encapsulated context in which `GET /me` needs a valid access token and `GET /orders` also
 * the `orders:read` scope. Tokens are trusted when their kid names a key the configured KMS keys or
 * aliases resolve to (kms-pubkey-provider).
 */
import { KMSClient } from '@aws-sdk/client-kms';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiExample, ApiExampleSettings } from 'kms-jwt-example-token-issuer';
import { HttpAuthError, kmsJwt, requireScopes } from 'kms-jwt-fastify';
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KmsKeyProvider, type KmsKeyProviderOptions } from 'kms-pubkey-provider';

/** Options of {@link createFastifyApi}: the trusted `keyIds` (the issuer's alias, key ARNs or key ids), `issuer` and `audience` (all required), and the rest below. */
export interface FastifyApiOptions extends Omit<ApiExampleSettings, 'client'> {
  /** The KMS client. Default: one created from `endpoint`, else from the environment (`AWS_REGION`, `AWS_ENDPOINT_URL_KMS`, credentials); a client created here is destroyed by `close()`. */
  readonly client?: KMSClient | undefined;
  /** KMS endpoint for the client created here (such as kms-local's). Default: the SDK's. */
  readonly endpoint?: string;
  /** The realm of the `WWW-Authenticate` challenges. Default: `'orders-api'`. */
  readonly realm?: string;
  /** Settings of the key provider (alias refresh, grace window, cache ages, hooks). Default: kms-pubkey-provider's. */
  readonly keyProvider?: Omit<KmsKeyProviderOptions, 'keys' | 'client' | 'offlineKeys' | 'snapshot'>;
}

/**
 * The API, ready: its routes registered and its keys fetched. `handler` is the app as a Node request
 * listener (`app.routing`, for `http.createServer`); `close()` closes the app, which stops the
 * provider's background refreshes and destroys the client created here.
 */
export interface FastifyApi extends ApiExample {
  /** The Fastify app: `app.listen({ port })`. */
  readonly app: FastifyInstance;
  /** The trusted keys (for its hooks, `exportJwks()`, `exportSnapshot()`). */
  readonly provider: KmsKeyProvider;
}

const ORDERS = [
  { id: 'order-1001', item: 'espresso beans', quantity: 2 },
  { id: 'order-1002', item: 'milk frother', quantity: 1 },
];

/** Creates the API once its keys are fetched: a wrong key or a KMS it cannot reach fails here, not on the first request. */
export async function createFastifyApi(options: FastifyApiOptions): Promise<FastifyApi> {
  const client = options.client ?? new KMSClient(options.endpoint === undefined ? {} : { endpoint: options.endpoint });
  const provider = createKmsKeyProvider({ ...options.keyProvider, client, keys: options.keyIds });
  const app = Fastify();
  // The app owns what it created: closing it (or a failed start) releases the provider and our client.
  app.addHook('onClose', async () => {
    provider.close();
    if (client !== options.client) client.destroy();
  });
  // Failures reach the error handler as HttpAuthErrors (respond is off): answer them with their RFC 6750 body.
  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof HttpAuthError)) throw error;
    return reply.code(error.statusCode).headers({ ...error.headers }).send(error.body);
  });
  app.get('/health', async () => ({ status: 'ok' }));
  app.register(async (api) => {
    const verifier = createVerifier({ keys: provider, issuer: options.issuer, audience: options.audience });
    await api.register(kmsJwt, { verifier, realm: options.realm ?? 'orders-api' });
    api.get('/me', async (request) => ({ sub: request.auth?.sub, scope: request.auth?.['scope'] ?? '' }));
    api.get('/orders', { preHandler: requireScopes('orders:read') }, async (request) => ({ sub: request.auth?.sub, orders: ORDERS }));
  });
  try {
    await Promise.all([provider.ready(), app.ready()]);
  } catch (error) {
    await app.close();
    throw error;
  }
  return { app, handler: (req, res) => app.routing(req, res), provider, close: () => void app.close() };
}
