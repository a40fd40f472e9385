/*
 * The `start` script of the API examples: the API on the KMS the environment names (KMS_JWT_KEY_ID
 * set), or on an embedded kms-local with this token issuer beside it, so there is a token to try.
 */
import type { RequestListener } from 'node:http';
import type { KMSClient } from '@aws-sdk/client-kms';
import { listen } from './listen.js';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_KEY_ALIAS, startLocalIssuer } from './local.js';

/** What an API example's factory is given. */
export interface ApiExampleSettings {
  /** The kms-local client, or `undefined` to configure one from the environment. */
  readonly client: KMSClient | undefined;
  readonly keyIds: readonly string[];
  readonly issuer: string;
  readonly audience: string;
}

/** What an API example's factory returns. */
export interface ApiExample {
  readonly handler: RequestListener;
  close(): void;
}

const print = (line = ''): void => void process.stdout.write(`${line}\n`);

/**
 * Starts the API built by `create` and prints its URL and how to call it; stops everything on
 * SIGINT or SIGTERM. PORT picks the port (default: a free one).
 */
export async function serveApiExample(name: string, create: (settings: ApiExampleSettings) => Promise<ApiExample>): Promise<void> {
  const port = Number(process.env['PORT'] ?? 0);
  const configured = (process.env['KMS_JWT_KEY_ID'] ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    let client: KMSClient | undefined;
    let issuerUrl: string | undefined;
    if (configured.length === 0) {
      const local = await startLocalIssuer();
      cleanups.push(() => local.close());
      ({ client, url: issuerUrl } = local);
      print(`kms-local at ${local.kms.endpoint}: signing key ${local.keyArn} behind ${DEV_KEY_ALIAS}`);
      print(`token issuer listening on ${issuerUrl}`);
    }
    const keyIds = configured.length === 0 ? [DEV_KEY_ALIAS] : configured;
    const api = await create({ client, keyIds, issuer: DEV_ISSUER, audience: DEV_AUDIENCE });
    cleanups.push(() => api.close());
    const server = await listen(api.handler, { port });
    cleanups.push(() => server.close());
    print(`${name} listening on ${server.url}, trusting ${keyIds.join(', ')}`);
    print();
    print('Try it:');
    print(`  curl -i ${server.url}/health`);
    print(`  curl -i ${server.url}/orders`);
    const tokenUrl = issuerUrl === undefined ? '<the token issuer>/token' : `${issuerUrl}/token`;
    print(`  TOKEN=$(curl -s -u orders-app:orders-app-secret -d grant_type=client_credentials ${tokenUrl} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`);
    print(`  curl -i -H "Authorization: Bearer $TOKEN" ${server.url}/orders`);
    print();
    print('Ctrl-C stops it.');
  } catch (error) {
    await stop();
    throw error;
  }
  const shutdown = (): void => {
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
