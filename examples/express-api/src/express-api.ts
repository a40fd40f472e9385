/*
 * An orders API on Express, protected by kms-jwt-express: `GET /health` is public, `GET /me` needs
 * a valid access token, `GET /orders` also needs the `orders:read` scope. Tokens are trusted when
 * their kid names a key the configured KMS keys or aliases resolve to (kms-pubkey-provider).
 */
import type { RequestListener } from 'node:http';
import { KMSClient } from '@aws-sdk/client-kms';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { HttpAuthError, kmsJwt, requireScopes } from 'kms-jwt-express';
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KmsKeyProvider, type KmsKeyProviderOptions } from 'kms-pubkey-provider';

/** Settings of the key provider: alias refresh, grace window, cache ages, hooks. */
export type KeyProviderSettings = Omit<KmsKeyProviderOptions, 'keys' | 'client' | 'offlineKeys' | 'snapshot'>;

/** Options of {@link createExpressApi}. */
export interface ExpressApiOptions {
  /** The KMS client. Default: one created from `endpoint`, else from the environment (`AWS_REGION`, `AWS_ENDPOINT_URL_KMS`, credentials); a client created here is destroyed by `close()`. */
  readonly client?: KMSClient;
  /** KMS endpoint for the client created here (such as kms-local's). Default: the SDK's. */
  readonly endpoint?: string;
  /** The trusted keys: the issuer's alias (rotation is followed), key ARNs or key ids. Required. */
  readonly keyIds: readonly string[];
  /** The accepted `iss`. Required. */
  readonly issuer: string;
  /** The accepted `aud`. Required. */
  readonly audience: string | readonly string[];
  /** The realm of the `WWW-Authenticate` challenges. Default: `'orders-api'`. */
  readonly realm?: string;
  /** Settings of the key provider. Default: kms-pubkey-provider's. */
  readonly keyProvider?: KeyProviderSettings;
}

/** The API, ready to listen. */
export interface ExpressApi {
  /** The Express app: `app.listen(port)`, or `http.createServer(app)`. */
  readonly app: Express;
  /** The same app, as a Node request listener. */
  readonly handler: RequestListener;
  /** The trusted keys (for its hooks, `exportJwks()`, `exportSnapshot()`). */
  readonly provider: KmsKeyProvider;
  /** Stops the provider's background refreshes and destroys the client created here. */
  close(): void;
}

const ORDERS = [
  { id: 'order-1001', item: 'espresso beans', quantity: 2 },
  { id: 'order-1002', item: 'milk frother', quantity: 1 },
];

/** Creates the API once its keys are fetched: a wrong key or a KMS it cannot reach fails here, not on the first request. */
export async function createExpressApi(options: ExpressApiOptions): Promise<ExpressApi> {
  const ownClient = options.client === undefined ? new KMSClient(options.endpoint === undefined ? {} : { endpoint: options.endpoint }) : undefined;
  const client = options.client ?? (ownClient as KMSClient);
  const provider = createKmsKeyProvider({ ...options.keyProvider, client, keys: options.keyIds });
  try {
    await provider.ready();
  } catch (error) {
    provider.close();
    ownClient?.destroy();
    throw error;
  }
  const verifier = createVerifier({ keys: provider, issuer: options.issuer, audience: options.audience });
  // Failures go to next(err), as with express-jwt; the error handler below answers them.
  const auth = kmsJwt({ verifier, realm: options.realm ?? 'orders-api' });

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/me', auth, (req, res) => {
    res.json({ sub: req.auth?.sub, scope: req.auth?.['scope'] ?? '' });
  });
  app.get('/orders', auth, requireScopes('orders:read'), (req, res) => {
    res.json({ sub: req.auth?.sub, orders: ORDERS });
  });
  // 400/401/403 arrive as UnauthorizedError, 503 (keys unavailable) as HttpAuthError: both carry their answer.
  const answerAuthErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (!(error instanceof HttpAuthError)) return next(error);
    res.status(error.status).set(error.headers).json(error.body);
  };
  app.use(answerAuthErrors);

  return {
    app,
    handler: app,
    provider,
    close() {
      provider.close();
      ownClient?.destroy();
    },
  };
}
