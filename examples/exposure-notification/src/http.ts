/*
 * The few HTTP helpers both servers share: bounded JSON bodies, JSON answers, listening on loopback
 * and closing with every connection.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the server refuses before looking at its meaning: answered with `status` and `code`. */
export class HttpRequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  override get name(): string {
    return 'HttpRequestError';
  }
}

/** Reads a JSON object body of at most `maxBodyBytes`; anything else throws an {@link HttpRequestError}. */
export async function readJsonObject(request: IncomingMessage, maxBodyBytes: number): Promise<Record<string, unknown>> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpRequestError(415, 'CONTENT_TYPE_UNSUPPORTED', 'the body must be application/json');
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > maxBodyBytes) throw new HttpRequestError(413, 'BODY_TOO_LARGE', `the body must be at most ${maxBodyBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new HttpRequestError(413, 'BODY_TOO_LARGE', `the body must be at most ${maxBodyBytes} bytes`);
    chunks.push(buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpRequestError(400, 'BODY_MALFORMED', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpRequestError(400, 'BODY_MALFORMED', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Answers with a JSON body. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  response.end(text);
}

/** Starts listening and resolves to the bound port (a free one when `port` is 0). */
export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Stops listening and closes every open connection (keep-alive ones included). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** `http://host:port` for a loopback address. */
export function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
