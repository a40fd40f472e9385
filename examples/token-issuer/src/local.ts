/*
 * Everything to run the examples without an AWS account: a kms-local with a signing key behind an
 * alias, the token issuer on it, and a client for its token endpoint.
 */
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import type { ListenOptions, RunningServer } from './listen.js';
import { createTokenIssuer, type OAuthClient, type TokenIssuer, type TokenIssuerOptions } from './token-issuer.js';

/** The `iss` the examples issue and expect. */
export const DEV_ISSUER = 'https://token-issuer.example';
/** The `aud` the examples issue and expect. */
export const DEV_AUDIENCE = 'orders-api';
/** The alias of the signing key the examples create on kms-local. */
export const DEV_KEY_ALIAS = 'alias/token-issuer';
/**
 * Two clients with well-known secrets, for development only: `orders-app` may read orders,
 * `profile-app` may only see who it is.
 */
export const DEV_CLIENTS: readonly OAuthClient[] = [
  { id: 'orders-app', secret: 'orders-app-secret', scopes: ['orders:read'] },
  { id: 'profile-app', secret: 'profile-app-secret', scopes: ['profile'] },
];

/** Creates an ECC_NIST_P256 signing key (ES256), and the alias when one is given; resolves to the key ARN. */
export async function createSigningKey(client: KMSClient, options: { readonly alias?: string; readonly description?: string } = {}): Promise<string> {
  const { KeyMetadata } = await client.send(
    new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: options.description ?? 'kms-jwt example token issuer' }),
  );
  if (KeyMetadata?.Arn === undefined) throw new Error('CreateKey answered without a key ARN');
  if (options.alias !== undefined) await client.send(new CreateAliasCommand({ AliasName: options.alias, TargetKeyId: KeyMetadata.Arn }));
  return KeyMetadata.Arn;
}

/** A token issuer listening on its own kms-local. */
export interface LocalIssuer {
  readonly kms: KmsLocal;
  /** A client of that kms-local. */
  readonly client: KMSClient;
  /** The ARN of the key behind {@link DEV_KEY_ALIAS}. */
  readonly keyArn: string;
  readonly issuer: TokenIssuer;
  /** The issuer's URL. */
  readonly url: string;
  /** The environment that points the AWS SDK (and the other examples' `start`) at this kms-local and its key. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the issuer, the client and kms-local. */
  close(): Promise<void>;
}

/** Starts kms-local, creates the signing key and {@link DEV_KEY_ALIAS}, and starts the issuer with the dev clients. */
export async function startLocalIssuer(
  options: { readonly listen?: ListenOptions; readonly issuer?: Partial<Omit<TokenIssuerOptions, 'client' | 'endpoint'>> } = {},
): Promise<LocalIssuer> {
  const kms = await startKmsLocal();
  const client = new KMSClient(kms.clientConfig);
  const cleanups: (() => Promise<void> | void)[] = [() => kms.close(), () => client.destroy()];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const keyArn = await createSigningKey(client, { alias: DEV_KEY_ALIAS });
    const issuer = await createTokenIssuer({ keyId: DEV_KEY_ALIAS, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, clients: DEV_CLIENTS, ...options.issuer, client });
    cleanups.push(() => issuer.close());
    const server: RunningServer = await issuer.listen(options.listen);
    const env = {
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      AWS_REGION: kms.region,
      AWS_ACCESS_KEY_ID: kms.clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: kms.clientConfig.credentials.secretAccessKey,
      KMS_JWT_KEY_ID: DEV_KEY_ALIAS,
    };
    return { kms, client, keyArn, issuer, url: server.url, env, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What the token endpoint answered. */
export interface TokenAnswer {
  readonly status: number;
  /** The access token, when one was issued. */
  readonly accessToken: string | undefined;
  readonly body: Readonly<Record<string, unknown>>;
}

/** Asks the issuer at `issuerUrl` for a token (client credentials, HTTP Basic authentication). */
export async function requestToken(issuerUrl: string, client: { readonly id: string; readonly secret: string }, scope?: string): Promise<TokenAnswer> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) });
  const basic = Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64');
  const response = await fetch(`${issuerUrl}/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const body = (await response.json()) as Record<string, unknown>;
  const accessToken = typeof body['access_token'] === 'string' ? body['access_token'] : undefined;
  return { status: response.status, accessToken, body };
}

/** The access token for `clientId` (one of {@link DEV_CLIENTS}); throws when the issuer refuses. */
export async function devToken(issuerUrl: string, clientId: string, scope?: string): Promise<string> {
  const client = DEV_CLIENTS.find((candidate) => candidate.id === clientId);
  if (client === undefined) throw new Error(`${clientId} is not one of the dev clients (${DEV_CLIENTS.map((entry) => entry.id).join(', ')})`);
  const answer = await requestToken(issuerUrl, client, scope);
  if (answer.accessToken === undefined) throw new Error(`the issuer answered ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.accessToken;
}
