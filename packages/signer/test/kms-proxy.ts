import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import type { KmsLocal, KmsLocalClientConfig } from 'kms-local';
import { useFixture, type KmsLocalFixture } from './support.js';

/** A JSON answer the proxy gives instead of (or after) kms-local's. */
export interface ProxyAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** How the proxy changes traffic; replace `proxy.rules` at any time. */
export interface ProxyRules {
  /** Answers a request itself (kms-local never sees it) when this returns an answer. */
  readonly intercept?: (operation: string, body: Record<string, unknown>) => ProxyAnswer | undefined;
  /** Rewrites kms-local's successful answer (and may act, e.g. move an alias, before the client sees it). */
  readonly rewrite?: (operation: string, answer: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

/**
 * An HTTP proxy in front of kms-local, for what kms-local cannot be asked to do (deny access,
 * answer for another key, return a corrupt signature): the real SDK still parses every answer.
 * It records each request's operation and JSON body.
 */
export interface KmsProxy {
  readonly clientConfig: KmsLocalClientConfig;
  readonly requests: Array<{ readonly operation: string; readonly body: Record<string, unknown> }>;
  /** Requests per operation that have not been answered yet, and the most there ever were at once. */
  readonly inFlight: Map<string, { now: number; most: number }>;
  rules: ProxyRules;
  close(): Promise<void>;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export async function startKmsProxy(kms: KmsLocal): Promise<KmsProxy> {
  const target = new URL(kms.endpoint);
  const proxy: KmsProxy = {
    clientConfig: { ...kms.clientConfig },
    requests: [],
    inFlight: new Map(),
    rules: {},
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readAll(req);
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
      const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      proxy.requests.push({ operation, body });
      const counter = proxy.inFlight.get(operation) ?? { now: 0, most: 0 };
      proxy.inFlight.set(operation, counter);
      counter.now += 1;
      counter.most = Math.max(counter.most, counter.now);
      const reply = (status: number, answer: Record<string, unknown> | Buffer): void => {
        counter.now -= 1;
        const bytes = Buffer.isBuffer(answer) ? answer : Buffer.from(JSON.stringify(answer));
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': bytes.length });
        res.end(bytes);
      };
      const intercepted = proxy.rules.intercept?.(operation, body);
      if (intercepted) {
        reply(intercepted.status, intercepted.body);
        return;
      }
      const forwarded = request({ host: target.hostname, port: target.port, method: 'POST', path: '/', headers: req.headers });
      forwarded.on('response', (answer) => {
        void (async () => {
          const bytes = await readAll(answer);
          const status = answer.statusCode ?? 500;
          const rewrite = proxy.rules.rewrite;
          if (status !== 200 || rewrite === undefined) reply(status, bytes);
          else reply(status, await rewrite(operation, JSON.parse(bytes.toString('utf8')) as Record<string, unknown>));
        })().catch(() => res.destroy());
      });
      forwarded.on('error', () => res.destroy());
      forwarded.end(raw);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return Object.assign(proxy, {
    clientConfig: { ...kms.clientConfig, endpoint },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  });
}

/**
 * A proxy in front of the file's kms-local and a client through it (one attempt per call), started
 * before the file's tests and closed after them. Read it inside tests, as `useKmsLocal`'s fixture.
 */
export function useKmsProxy(env: () => KmsLocalFixture): () => { readonly proxy: KmsProxy; readonly client: KMSClient } {
  return useFixture(
    'useKmsProxy',
    async () => {
      const proxy = await startKmsProxy(env().kms);
      return { proxy, client: new KMSClient({ ...proxy.clientConfig, maxAttempts: 1 }) };
    },
    async ({ proxy, client }) => {
      client.destroy();
      await proxy.close();
    },
  );
}
