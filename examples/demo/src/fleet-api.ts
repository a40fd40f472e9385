// One API of the demo's fleet path (REDIS_URL set), in a process of its own, forked by
// fleet-process.ts: an orders API on Express (kms-jwt-express) whose `isRevoked` is a kms-jwt-fleet
// revocation list on that Redis — answered from this process's in-memory mirror, kept current by
// pub/sub. `POST /logout` revokes the presented token for every process of the fleet. Its keys come
// from KMS through its own KMSClient and kms-pubkey-provider, as a separate service's would.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import type { KMSClientConfig } from '@aws-sdk/client-kms';
import express from 'express';
import { listen } from 'kms-jwt-example-token-issuer';
import { authToken, kmsJwt, requireScopes } from 'kms-jwt-express';
import { createRevocationList } from 'kms-jwt-fleet';
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { createClient } from 'redis';
import { KmsCallLog } from './kms-calls.js';

/** What the demo sends first, over IPC (never on the command line: a Redis URL can hold a password). */
export interface FleetApiConfig {
  readonly name: string;
  readonly redisUrl: string;
  /** Where Redis is, for messages: host and port only. */
  readonly redisLocation: string;
  readonly kms: KMSClientConfig;
  readonly keyIds: readonly string[];
  readonly issuer: string;
  readonly audience: string;
}

/** The demo's messages to the process. */
export type FleetApiCommand = { readonly start: FleetApiConfig } | { readonly stop: true };

/** The process's messages to the demo. */
export type FleetApiMessage =
  | { readonly ready: true; readonly url: string; readonly pid: number }
  | { readonly failed: string }
  /** Its KMS calls by operation, sent once it stopped. */
  | { readonly kmsCalls: Readonly<Record<string, number>> };

const send = (message: FleetApiMessage): void => void process.send?.(message);
const calls = new KmsCallLog();
const cleanups: (() => Promise<unknown> | void)[] = [];

async function start(config: FleetApiConfig): Promise<string> {
  let connected = false;
  const redis = createClient({
    url: config.redisUrl,
    // Unreachable at start: give up after a few tries and say so; later, keep reconnecting (the list resyncs).
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => (!connected && retries >= 3 ? new Error(`Redis at ${config.redisLocation} (REDIS_URL) does not answer`) : Math.min(50 * (retries + 1), 500)) },
  });
  redis.on('error', () => undefined);
  await redis.connect();
  connected = true;
  cleanups.push(() => redis.close());
  const client = calls.client(config.name, config.kms);
  cleanups.push(() => client.destroy());
  const provider = createKmsKeyProvider({ client, keys: config.keyIds });
  cleanups.push(() => provider.close());
  // The fleet's revocation list: Redis keys of (iss, jti) expiring at exp, announced by pub/sub to every process.
  const revocations = createRevocationList({ client: redis });
  cleanups.push(() => revocations.close());
  await Promise.all([provider.ready(), revocations.ready()]);
  // A token without jti could not be revoked: require it.
  const verifier = createVerifier({ keys: provider, issuer: config.issuer, audience: config.audience, requiredClaims: ['exp', 'jti'] });
  const auth = kmsJwt({ verifier, realm: 'orders-api', respond: true, isRevoked: revocations.isRevoked });

  const app = express();
  app.disable('x-powered-by');
  app.get('/orders', auth, requireScopes('orders:read'), (req, res) => {
    res.json({ sub: req.auth?.sub, servedBy: config.name });
  });
  // The holder of a token ends its session: revoked by its (iss, jti) until its exp, for the whole fleet.
  app.post('/logout', auth, (req, res, next) => {
    const token = authToken(req);
    if (token === undefined) return next(new Error('no verified token on the request'));
    revocations.revoke(token).then(() => void res.status(204).end(), next);
  });
  const server = await listen(app);
  cleanups.push(() => server.close());
  return server.url;
}

async function stop(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
}

process.on('message', (command: FleetApiCommand) => {
  if ('start' in command) {
    start(command.start).then(
      (url) => send({ ready: true, url, pid: process.pid }),
      (error: unknown) => {
        send({ failed: error instanceof Error ? error.message : String(error) });
        void stop().finally(() => process.disconnect());
      },
    );
    return;
  }
  void stop().finally(() => {
    const counts: Record<string, number> = {};
    for (const operation of calls.operations()) counts[operation] = calls.count(undefined, operation);
    send({ kmsCalls: counts });
    process.disconnect();
  });
});
