/*
 * An orders API on Koa, protected by kms-jwt-koa: `GET /health` is public, `GET /me` needs a valid
 * access token, `GET /orders` also needs the `orders:read` scope. Tokens are trusted when their kid
 * names a key the configured KMS keys or aliases resolve to (kms-pubkey-provider).
 */
import type { RequestListener } from 'node:http';
import { KMSClient } from '@aws-sdk/client-kms';
import Router from '@koa/router';
import { kmsJwt, requireScopes } from 'kms-jwt-koa';
import { createVerifier, type JwtPayload } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KmsKeyProvider, type KmsKeyProviderOptions } from 'kms-pubkey-provider';
import Koa, { type Context } from 'koa';

/** Settings of the key provider: alias refresh, grace window, cache ages, hooks. */
export type KeyProviderSettings = Omit<KmsKeyProviderOptions, 'keys' | 'client' | 'offlineKeys' | 'snapshot'>;

/** Options of {@link createKoaApi}. */
export interface KoaApiOptions {
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
export interface KoaApi {
  /** The Koa app: `app.listen(port)`. */
  readonly app: Koa;
  /** `app.callback()`: a Node request listener, for `http.createServer`. */
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

/** The claims kms-jwt-koa put on `ctx.state.user`. */
const userOf = (ctx: Context): JwtPayload | undefined => (ctx.state as { user?: JwtPayload }).user;

/** Creates the API once its keys are fetched: a wrong key or a KMS it cannot reach fails here, not on the first request. */
export async function createKoaApi(options: KoaApiOptions): Promise<KoaApi> {
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
  // respond: failures are answered here with their status, challenge and JSON body.
  const auth = kmsJwt({ verifier, realm: options.realm ?? 'orders-api', respond: true });

  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/me', auth, (ctx) => {
    const user = userOf(ctx);
    ctx.body = { sub: user?.sub, scope: user?.['scope'] ?? '' };
  });
  router.get('/orders', auth, requireScopes('orders:read'), (ctx) => {
    ctx.body = { sub: userOf(ctx)?.sub, orders: ORDERS };
  });

  const app = new Koa();
  app.use(router.routes()).use(router.allowedMethods());

  return {
    app,
    handler: app.callback(),
    provider,
    close() {
      provider.close();
      ownClient?.destroy();
    },
  };
}
