import { once } from 'node:events';
import { createServer, request, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server on 127.0.0.1 and a free port. */
export interface Running {
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(listener: RequestListener): Promise<Running> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON when it is JSON, else `undefined`. */
  readonly json: unknown;
}

/** Request headers; a value given as an array is sent as several header lines (two Authorization headers). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[]>>;

/** Options of {@link send}. */
export interface SendOptions {
  /** The agent to send with, e.g. a keep-alive agent shared by a load loop. Default: a fresh connection per request. */
  readonly agent?: Agent;
  /** Gives up after this many milliseconds: the request is destroyed and the promise rejects with a {@link RequestTimeoutError}. Default: no limit. */
  readonly timeoutMs?: number;
}

/** The answer did not arrive within `SendOptions.timeoutMs`. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }

  override get name(): string {
    return 'RequestTimeoutError';
  }
}

/** One request, over a fresh connection unless `options.agent` says otherwise. */
export function send(url: string, headers: RequestHeaders = {}, method = 'GET', options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers: headers as OutgoingHttpHeaders, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const json: unknown = /json/.test(res.headers['content-type'] ?? '') && text !== '' ? JSON.parse(text) : undefined;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    const timeoutMs = options.timeoutMs;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => outgoing.destroy(new RequestTimeoutError(timeoutMs)), timeoutMs);
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.end();
  });
}
