import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PageAssets } from './page-assets.js';
import { refusalOf, SECURITY_HEADERS, type ConsoleAddress } from './request-guard.js';
import type { ConsoleState } from './trust-state.js';
import { MAX_TOKEN_LENGTH, type VerifyAnswer } from './verify-api.js';

/** What the server needs from the rest of the console. */
export interface ConsoleServerOptions {
  /** `127.0.0.1` or `::1`. */
  readonly host: string;
  /** 0 for a free port. */
  readonly port: number;
  readonly assets: PageAssets;
  readonly state: () => Promise<ConsoleState>;
  readonly verify: (token: string) => Promise<VerifyAnswer>;
  /** Where refused requests are reported: method, path and why; never a header value or a body. */
  readonly log: (line: string) => void;
}

/** A running console server. */
export interface ConsoleServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  close(): Promise<void>;
}

/** Largest request body read, in bytes. */
const MAX_BODY_BYTES = 64 * 1024;

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function readToken(request: IncomingMessage): Promise<string> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) throw new BadRequest(415, 'send the token as JSON: {"token":"..."}');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(413, `the request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest(400, 'the request body is not JSON');
  }
  const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
  if (typeof token !== 'string' || token.trim() === '') throw new BadRequest(400, 'the request body needs a "token" string');
  if (token.length > MAX_TOKEN_LENGTH) throw new BadRequest(413, `the token is over ${MAX_TOKEN_LENGTH} characters`);
  return token.trim();
}

/**
 * Starts the console's HTTP server on a loopback address: the page's files, `GET /api/state` and
 * `POST /api/verify` (the token in the body). Every answer carries a strict CSP and `no-store`;
 * requests for another Host or from another Origin, and API calls without the run's session
 * secret, are refused.
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const session = randomBytes(32).toString('base64url');
  // A path is logged only when it is one of the console's own: any other might be a token typed into the address bar.
  const shownPath = (path: string): string => (path === '/' || path === '/api/state' || path === '/api/verify' || options.assets.files.has(path) ? path : '(another path)');
  let address: ConsoleAddress = { host: '', origin: '' };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const api = path.startsWith('/api/');
    const refusal = refusalOf(request, address, session, api);
    if (refusal !== undefined) {
      options.log(`refused ${request.method ?? '?'} ${shownPath(path)}: ${refusal.reason}`);
      request.resume();
      sendJson(response, refusal.status, { error: refusal.reason });
      return;
    }
    if (request.method === 'POST' && path === '/api/verify') {
      try {
        sendJson(response, 200, await options.verify(await readToken(request)));
      } catch (error) {
        if (error instanceof BadRequest) sendJson(response, error.status, { error: error.message });
        else throw error;
      }
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      request.resume();
      sendJson(response, 405, { error: 'method not allowed' });
      return;
    }
    if (path === '/api/state') return sendJson(response, 200, await options.state());
    if (path === '/') return send(response, 200, 'text/html; charset=utf-8', options.assets.html(session));
    const asset = options.assets.files.get(path);
    if (asset === undefined) return sendJson(response, 404, { error: 'not found' });
    send(response, 200, asset.contentType, asset.body);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // Not the token (never in an error of ours) but the reason, for the person running the console.
      options.log(`failed ${request.method ?? '?'} ${shownPath((request.url ?? '/').split('?')[0] ?? '/')}: ${error instanceof Error ? error.name : 'error'}`);
      if (!response.headersSent) sendJson(response, 500, { error: 'the console failed to answer; see its terminal' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]:${port}` : `${options.host}:${port}`;
  address = { host, origin: `http://${host}` };
  return {
    url: `http://${host}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
