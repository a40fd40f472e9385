import { getEventListeners, once } from 'node:events';
import { createServer as createHttpServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { JwksInvalidError } from '../src/jwks-errors.js';
import { JwksRequestError, requestJwks, type JwksRequest, type JwksResponse } from '../src/jwks-http.js';
import type { JwksServer } from './jwks-support.js';
import { useJwksServer } from './jwks-rules-support.js';
import { rejection } from './support.js';

// One GET of the JWKS at its edges (jwks-http.ts), against a loopback server: statuses, the
// conditional request, the size cap at its bound, the timeout, the close signal, network errors.

const jwksServer = useJwksServer({ mode: { kind: 'body', body: '{"keys":[]}' } });
let server: JwksServer;
beforeEach(() => {
  server = jwksServer();
});

function request(overrides: Partial<JwksRequest> = {}): Promise<JwksResponse> {
  return requestJwks({ url: new URL(server.url), shown: server.url, etag: undefined, requestTimeoutMs: 5_000, maxResponseBytes: 1_024, signal: new AbortController().signal, ...overrides });
}

async function failure(overrides: Partial<JwksRequest> = {}): Promise<JwksRequestError> {
  const error = await rejection(request(overrides));
  expect(error).toBeInstanceOf(JwksRequestError);
  return error as JwksRequestError;
}

describe('requestJwks: statuses', () => {
  it('answers a 200 with its body, its ETag and its headers', async () => {
    server.mode = { kind: 'body', body: '{"keys":[1]}', headers: { ETag: '"v1"', 'Cache-Control': 'max-age=60' } };
    const response = await request();
    if (response.status !== 200) throw new Error(`expected 200, got ${response.status}`);
    expect(Buffer.from(response.body).toString('utf8')).toBe('{"keys":[1]}');
    expect(response.etag).toBe('"v1"');
    expect(response.headers.get('cache-control')).toBe('max-age=60');
  });

  it('answers a 200 without ETag with etag undefined', async () => {
    server.mode = { kind: 'stream', chunk: '{"keys":[]}', count: 1 };
    const response = await request();
    expect(response).toMatchObject({ status: 200, etag: undefined });
  });

  it('sends If-None-Match with the ETag at hand, and answers "unchanged" to a 304', async () => {
    server.mode = { kind: 'jwks' };
    server.publish({ exportJwks: () => ({ keys: [] }) });
    const first = await request();
    if (first.status !== 200) throw new Error(`expected 200, got ${first.status}`);
    expect(first.etag).toMatch(/^"/);
    const second = await request({ etag: first.etag });
    expect(second.status).toBe(304);
    expect(second.headers.get('etag')).toBe(first.etag);
    expect([...server.answered]).toEqual([
      [200, 1],
      [304, 1],
    ]);
  });

  it('refuses a 304 to a request that was not conditional', async () => {
    server.mode = { kind: 'status', status: 304 };
    const error = await failure();
    expect(error).toMatchObject({ reason: 'http-status', httpStatus: 304 });
  });

  it.each([
    [300, 'answered HTTP 300 (a redirect: redirects are not followed; configure the final https URL)'],
    [399, 'answered HTTP 399 (a redirect: redirects are not followed; configure the final https URL)'],
    [400, 'answered HTTP 400; check the url, and that the issuer serves its JWKS there'],
    [299, 'answered HTTP 299; check the url, and that the issuer serves its JWKS there'],
    [503, 'answered HTTP 503; check the url, and that the issuer serves its JWKS there'],
  ])('refuses HTTP %i, saying what to fix', async (status, message) => {
    server.mode = { kind: 'status', status };
    const error = await failure();
    expect(error).toMatchObject({ name: 'JwksRequestError', reason: 'http-status', httpStatus: status });
    expect(error.message).toBe(`the JWKS at ${server.url} ${message}`);
    expect('cause' in error).toBe(false);
  });
});

/** A bare HTTP server on 127.0.0.1 answering with `handler`; `run` gets its JWKS URL, and the server stops after it. */
async function withRawServer(handler: RequestListener, run: (shown: string) => Promise<void>): Promise<void> {
  const raw = createHttpServer(handler).listen(0, '127.0.0.1');
  await once(raw, 'listening');
  try {
    await run(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/jwks.json`);
  } finally {
    raw.close();
    raw.closeAllConnections();
  }
}

describe('requestJwks: what it asks', () => {
  it('asks for a JWK set, and sends If-None-Match only with an ETag at hand', async () => {
    const seen: IncomingHttpHeaders[] = [];
    await withRawServer(
      (req, res) => {
        seen.push(req.headers);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
      },
      async (shown) => {
        await request({ url: new URL(shown), shown });
        await request({ url: new URL(shown), shown, etag: '"v7"' });
      },
    );
    expect(seen.map((headers) => [headers.accept, headers['if-none-match']])).toEqual([
      ['application/jwk-set+json, application/json', undefined],
      ['application/jwk-set+json, application/json', '"v7"'],
    ]);
  });
});

describe('requestJwks: maxResponseBytes', () => {
  const body = (bytes: number): string => `{"keys":[],"pad":"${'x'.repeat(bytes - 20)}"}`;

  it('reads a body of exactly maxResponseBytes, and refuses one byte more by its Content-Length', async () => {
    server.mode = { kind: 'body', body: body(1_024) };
    const response = await request();
    expect(response.status === 200 && response.body.byteLength).toBe(1_024);
    server.mode = { kind: 'body', body: body(1_025) };
    const error = await rejection(request());
    expect(error).toBeInstanceOf(JwksInvalidError);
    expect(error).toMatchObject({ problem: 'too-large' });
    expect((error as Error).message).toBe(
      `kms-pubkey-provider: the JWKS at ${server.url} answered more than maxResponseBytes (1024 bytes); raise maxResponseBytes if the issuer really publishes that much, or check the url`,
    );
  });

  it('refuses a body by its Content-Length at once, without waiting for the body', async () => {
    await withRawServer(
      (_req, res) => {
        // Headers only: the body never comes, so only the Content-Length can refuse it in time.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1025' });
        res.flushHeaders();
      },
      async (shown) => {
        expect(await rejection(request({ url: new URL(shown), shown, requestTimeoutMs: 2_000 }))).toMatchObject({ problem: 'too-large' });
      },
    );
  });

  it('reads a streamed body of exactly maxResponseBytes, and refuses one that passes it', async () => {
    server.mode = { kind: 'stream', chunk: 'x'.repeat(256), count: 4 };
    const response = await request();
    expect(response.status === 200 && response.body.byteLength).toBe(1_024);
    server.mode = { kind: 'stream', chunk: 'x'.repeat(256), count: 5 };
    expect(await rejection(request())).toMatchObject({ problem: 'too-large' });
  });

  it('joins a streamed body in order', async () => {
    server.mode = { kind: 'stream', chunk: 'ab', count: 3 };
    const response = await request();
    expect(response.status === 200 && Buffer.from(response.body).toString('utf8')).toBe('ababab');
  });
});

describe('requestJwks: what it leaves behind', () => {
  it('leaves no listener on the close signal once a request settled, answered or refused', async () => {
    const closer = new AbortController();
    await request({ signal: closer.signal });
    server.mode = { kind: 'status', status: 500 };
    await failure({ signal: closer.signal });
    expect(getEventListeners(closer.signal, 'abort')).toEqual([]);
  });
});

describe('requestJwks: no answer', () => {
  it('cuts a request off at requestTimeoutMs with reason timeout, naming the limit', async () => {
    server.mode = { kind: 'hang' };
    const error = await failure({ requestTimeoutMs: 50 });
    expect(error).toMatchObject({ reason: 'timeout', httpStatus: undefined });
    expect(error.message).toBe(`the JWKS at ${server.url} did not answer within requestTimeoutMs (50 ms)`);
    expect(error.cause).toMatchObject({ name: 'TimeoutError' });
    expect((error.cause as Error).message).toBe('no answer within requestTimeoutMs (50 ms)');
  });

  it('rejects with the close signal reason, not a timeout or network error, when the provider closes', async () => {
    server.mode = { kind: 'hang' };
    const closer = new AbortController();
    const closed = new Error('closed by the test');
    const pending = request({ signal: closer.signal, requestTimeoutMs: 2_000 });
    setTimeout(() => closer.abort(closed), 20);
    expect(await rejection(pending)).toBe(closed);
  });

  it('does not ask at all when the close signal is already aborted', async () => {
    const closer = new AbortController();
    const closed = new Error('closed before');
    closer.abort(closed);
    expect(await rejection(request({ signal: closer.signal }))).toBe(closed);
    expect(server.hits()).toBe(0);
  });

  it('names the network error code when nothing listens', async () => {
    // A port that was free a moment ago: no pooled connection to it, so the connection is refused.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    const shown = `http://127.0.0.1:${port}/jwks.json`;
    const error = await failure({ url: new URL(shown), shown });
    expect(error).toMatchObject({ reason: 'network', httpStatus: undefined });
    expect(error.message).toBe(`the JWKS at ${shown} cannot be reached (ECONNREFUSED)`);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("names undici's own words when its error has a message and no code (a response with too many content codings)", async () => {
    server.mode = { kind: 'body', body: '{"keys":[]}', headers: { 'Content-Encoding': Array(7).fill('gzip').join(', ') } };
    const error = await failure();
    expect(error.reason).toBe('network');
    expect(error.message).toContain(`the JWKS at ${server.url} cannot be reached (too many content-encodings in response: 7`);
    expect((error.cause as { cause?: { code?: unknown } }).cause?.code).toBeUndefined();
  });

  it('names the error itself when it has no cause (fetch refusing an If-None-Match that is no header value), still as a JwksRequestError', async () => {
    const error = await failure({ etag: '"v\u0100"' });
    expect(error.reason).toBe('network');
    expect(error.cause).toBeInstanceOf(TypeError);
    const refusal = error.cause as TypeError;
    expect(refusal.cause).toBeUndefined();
    expect(error.message).toBe(`the JWKS at ${server.url} cannot be reached (${refusal.message})`);
    expect(server.hits()).toBe(0);
  });
});
