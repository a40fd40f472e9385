/*
 * An orders API on Express, protected by passport-kms-jwt: `GET /health` is public, `GET /me` needs
 * a valid access token, `GET /orders` also needs the `orders:read` scope. Tokens are trusted when
 * their kid names a key the configured KMS keys or aliases resolve to (kms-pubkey-provider).
 */
import type { RequestListener } from 'node:http';
import { KMSClient } from '@aws-sdk/client-kms';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KmsKeyProvider, type KmsKeyProviderOptions } from 'kms-pubkey-provider';
import { Passport } from 'passport';
import { authFailure, HttpAuthError, KmsJwtStrategy } from 'passport-kms-jwt';

/** Settings of the key provider: alias refresh, grace window, cache ages, hooks. */
export type KeyProviderSettings = Omit<KmsKeyProviderOptions, 'keys' | 'client' | 'offlineKeys' | 'snapshot'>;

/** Options of {@link createPassportApi}. */
export interface PassportApiOptions {
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
export interface PassportApi {
  /** The Express app: `app.listen(port)`, or `http.createServer(app)`. */
  readonly app: Express;
  /** The same app, as a Node request listener. */
  readonly handler: RequestListener;
  /** The trusted keys (for its hooks, `exportJwks()`, `exportSnapshot()`). */
  readonly provider: KmsKeyProvider;
  /** Stops the provider's background refreshes and destroys the client created here. */
  close(): void;
}

/** The user the strategy's verify callback makes of the verified claims. */
export interface ApiUser {
  readonly id: string;
  readonly scopes: readonly string[];
}

const ORDERS = [
  { id: 'order-1001', item: 'espresso beans', quantity: 2 },
  { id: 'order-1002', item: 'milk frother', quantity: 1 },
];

const userOf = (req: Request): ApiUser => req.user as ApiUser;

/** Creates the API once its keys are fetched: a wrong key or a KMS it cannot reach fails here, not on the first request. */
export async function createPassportApi(options: PassportApiOptions): Promise<PassportApi> {
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

  // Its own Passport instance (not the global one), so several apps can live in one process.
  const passport = new Passport();
  passport.use(
    new KmsJwtStrategy({ verifier, realm: options.realm ?? 'orders-api' }, (payload, done) => {
      const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
      const user: ApiUser = { id: String(payload.sub), scopes: scope.split(' ').filter(Boolean) };
      done(null, user);
    }),
  );
  const authenticate = (scope?: string) => passport.authenticate('kms-jwt', { session: false, failWithError: true, ...(scope === undefined ? {} : { scope }) });

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/me', authenticate(), (req, res) => {
    const user = userOf(req);
    res.json({ sub: user.id, scope: user.scopes.join(' ') });
  });
  app.get('/orders', authenticate('orders:read'), (req, res) => {
    res.json({ sub: userOf(req).id, orders: ORDERS });
  });
  // failWithError: the strategy's failure (authFailure) or its 503 error is answered with its own status, challenge and body.
  const answerAuthErrors: ErrorRequestHandler = (error: unknown, req, res, next) => {
    const failure = authFailure(req) ?? (error instanceof HttpAuthError ? error : undefined);
    if (failure === undefined) return next(error);
    res.status(failure.status).set(failure.headers).json(failure.body);
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
