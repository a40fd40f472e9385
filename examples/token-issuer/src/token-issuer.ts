/*
 * The token issuer: an OAuth 2.0 token endpoint (client credentials grant, RFC 6749 §4.4) whose
 * access tokens are JWTs signed through AWS KMS by kms-jwt-signer, and the JWKS of its signing key
 * (kms-pubkey-provider's exportJwks, served by kms-jwt-express's jwksHandler).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import { jwksHandler } from 'kms-jwt-express';
import { createKmsJwtSigner, KmsJwtSignerError } from 'kms-jwt-signer';
import { createKmsKeyProvider, type KmsKeyProvider, type KmsKeyProviderOptions } from 'kms-pubkey-provider';
import { listen, type ListenOptions, type RunningServer } from './listen.js';

const PACKAGE = 'kms-jwt-example-token-issuer';

/** A client allowed to ask for tokens, and the scopes it may be granted. */
export interface OAuthClient {
  /** The `client_id`; it becomes the token's `sub` and `client_id` claims. */
  readonly id: string;
  readonly secret: string;
  readonly scopes: readonly string[];
}

/** Settings of the provider behind the JWKS route (how often it follows the alias, the grace window, hooks). */
export type JwksProviderSettings = Omit<KmsKeyProviderOptions, 'keys' | 'client' | 'offlineKeys' | 'snapshot'>;

/** Options of {@link createTokenIssuer}. */
export interface TokenIssuerOptions {
  /** The KMS client. Default: one created from `endpoint`, else from the environment (`AWS_REGION`, `AWS_ENDPOINT_URL_KMS`, credentials); a client created here is destroyed by `close()`. */
  readonly client?: KMSClient;
  /** KMS endpoint for the client created here (such as kms-local's). Default: the SDK's. */
  readonly endpoint?: string;
  /** The signing key: an alias (recommended: rotation is then one UpdateAlias), key ARN or key id. Required. */
  readonly keyId: string;
  /** The `iss` of every token. Required. */
  readonly issuer: string;
  /** The `aud` of every token. Required. */
  readonly audience: string | readonly string[];
  /** The clients that may ask for tokens. Required, at least one. */
  readonly clients: readonly OAuthClient[];
  /** Lifetime of each token, in seconds. Default: `900`. */
  readonly tokenLifetimeSeconds?: number;
  /** How long the signer reuses its resolution of the alias, in ms. Default: `30000` (kms-jwt-signer's). */
  readonly aliasCacheMaxAgeMs?: number;
  /** Settings of the JWKS route's key provider. Default: kms-pubkey-provider's. */
  readonly jwks?: JwksProviderSettings;
}

/** A token issuer, ready to listen. */
export interface TokenIssuer {
  /** The Express app: `POST /token`, `GET /.well-known/jwks.json`. */
  readonly app: Express;
  /** The ARN of the key the alias named at startup (the `kid` of the first tokens). */
  readonly keyArn: string;
  /** The key provider behind the JWKS route. */
  readonly provider: KmsKeyProvider;
  /** Listens on 127.0.0.1 and a free port unless told otherwise. */
  listen(options?: ListenOptions): Promise<RunningServer>;
  /** Stops every server `listen` started, the provider's refreshes, and the client created here. */
  close(): Promise<void>;
}

/** An OAuth 2.0 error answer (RFC 6749 §5.2). */
class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Constant-time comparison of two secrets of any length. */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** `application/x-www-form-urlencoded` decoding of one Basic credential part (RFC 6749 §2.3.1). */
function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

interface ClientCredentials {
  readonly id: string;
  readonly secret: string;
  readonly basic: boolean;
}

/** The client's credentials: HTTP Basic (client_secret_basic) or the form body (client_secret_post), not both. */
function credentialsOf(req: Request): ClientCredentials {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const header = req.headers.authorization;
  const inBody = body['client_id'] !== undefined || body['client_secret'] !== undefined;
  if (header !== undefined && /^basic /i.test(header)) {
    if (inBody) throw new OAuthError(400, 'invalid_request', 'authenticate the client one way: HTTP Basic or client_id/client_secret in the body');
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const id = colon < 0 ? undefined : formDecode(decoded.slice(0, colon));
    const secret = colon < 0 ? undefined : formDecode(decoded.slice(colon + 1));
    if (id === undefined || secret === undefined) throw new OAuthError(400, 'invalid_request', 'the Basic credentials are malformed');
    return { id, secret, basic: true };
  }
  const id = body['client_id'];
  const secret = body['client_secret'];
  if (typeof id !== 'string' || typeof secret !== 'string') throw new OAuthError(401, 'invalid_client', 'client authentication is required');
  return { id, secret, basic: false };
}

function checkOptions(options: TokenIssuerOptions): void {
  const fail = (message: string): never => {
    throw new TypeError(`${PACKAGE}: ${message}`);
  };
  if (typeof options.keyId !== 'string' || options.keyId === '') fail('keyId is required: the alias, key ARN or key id that signs');
  if (typeof options.issuer !== 'string' || options.issuer === '') fail('issuer is required');
  if (!Array.isArray(options.clients) || options.clients.length === 0) fail('clients must list at least one client');
  const ids = new Set<string>();
  for (const client of options.clients) {
    if (typeof client.id !== 'string' || client.id === '' || typeof client.secret !== 'string' || client.secret === '') fail('every client needs an id and a secret');
    if (ids.has(client.id)) fail(`client ${client.id} is listed twice`);
    ids.add(client.id);
  }
  const lifetime = options.tokenLifetimeSeconds;
  if (lifetime !== undefined && !(Number.isInteger(lifetime) && lifetime > 0)) fail('tokenLifetimeSeconds must be a positive integer');
}

/**
 * Creates the token issuer and checks its key before it serves: resolves the signing key (the
 * alias's target becomes `keyArn`) and fetches the public key its JWKS publishes.
 */
export async function createTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  checkOptions(options);
  const ownClient = options.client === undefined ? new KMSClient(options.endpoint === undefined ? {} : { endpoint: options.endpoint }) : undefined;
  const client = options.client ?? (ownClient as KMSClient);
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 900;
  const signer = createKmsJwtSigner({
    client,
    keyId: options.keyId,
    issuer: options.issuer,
    audience: options.audience,
    expiresInSeconds: tokenLifetimeSeconds,
    ...(options.aliasCacheMaxAgeMs === undefined ? {} : { aliasCacheMaxAgeMs: options.aliasCacheMaxAgeMs }),
  });
  const provider = createKmsKeyProvider({ ...options.jwks, client, keys: [options.keyId] });
  let keyArn: string;
  try {
    ({ keyArn } = await signer.hydrate());
    await provider.ready();
  } catch (error) {
    provider.close();
    ownClient?.destroy();
    throw error;
  }
  const clients = new Map(options.clients.map((entry) => [entry.id, entry]));

  async function token(req: Request, res: Response): Promise<void> {
    const credentials = credentialsOf(req);
    const known = clients.get(credentials.id);
    // The secret is compared even for an unknown client, so timing does not tell which ids exist.
    const secretMatches = sameSecret(credentials.secret, known?.secret ?? '');
    if (known === undefined || !secretMatches) {
      throw new OAuthError(401, 'invalid_client', 'unknown client or wrong secret', credentials.basic ? { 'WWW-Authenticate': 'Basic realm="token-issuer"' } : {});
    }
    const body = req.body as Record<string, unknown>;
    const grantType = body['grant_type'];
    if (grantType === undefined) throw new OAuthError(400, 'invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'only the client_credentials grant is supported');
    const requested = body['scope'];
    if (requested !== undefined && typeof requested !== 'string') throw new OAuthError(400, 'invalid_request', 'scope must be given once');
    const scopes = requested === undefined ? [...known.scopes] : requested.split(' ').filter(Boolean);
    const refused = scopes.filter((scope) => !known.scopes.includes(scope));
    if (refused.length > 0) throw new OAuthError(400, 'invalid_scope', `this client may not be granted ${refused.join(' ')}`);
    const scope = scopes.join(' ');

    let accessToken: string;
    try {
      accessToken = await signer.sign({ sub: known.id, client_id: known.id, ...(scope === '' ? {} : { scope }) });
    } catch (error) {
      if (!(error instanceof KmsJwtSignerError)) throw error;
      // KMS down or throttled: the client may retry; anything else is the issuer's problem.
      if (error.retryable) throw new OAuthError(503, 'temporarily_unavailable', `KMS could not sign the token (${error.code}); retry later`, { 'Retry-After': '5' });
      throw new OAuthError(500, 'server_error', `KMS refused to sign the token (${error.code})`);
    }
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: tokenLifetimeSeconds,
      ...(scope === '' ? {} : { scope }),
    });
  }

  const app = express();
  app.disable('x-powered-by');
  app.post('/token', express.urlencoded({ extended: false, limit: '4kb' }), token);
  app.get('/.well-known/jwks.json', jwksHandler(provider));
  const answerErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof OAuthError) {
      res.status(error.status).set(error.headers).json({ error: error.error, error_description: error.description });
      return;
    }
    // Body-parser errors (too large, malformed) carry their status; anything else is a 500.
    const status = (error as { status?: unknown }).status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    res.status(clientError ? status : 500).json({ error: clientError ? 'invalid_request' : 'server_error', error_description: clientError ? 'the request body is not accepted' : 'the token could not be issued' });
  };
  app.use(answerErrors);

  const servers = new Set<RunningServer>();
  return {
    app,
    keyArn,
    provider,
    async listen(listenOptions) {
      const server = await listen(app, listenOptions);
      servers.add(server);
      return server;
    },
    async close() {
      await Promise.all([...servers].map((server) => server.close()));
      servers.clear();
      provider.close();
      ownClient?.destroy();
    },
  };
}
