import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A JWKS served over plain HTTP on 127.0.0.1 (loopback, where kms-pubkey-provider allows http://). */
export interface JwksServer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json` */
  readonly url: string;
  /** `http://127.0.0.1:<port>`: any other path answers 404. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `jwks` (a JWKS document, as `kms-jwt jwks` prints it) at `/.well-known/jwks.json` on a free port. */
export async function serveJwks(jwks: string): Promise<JwksServer> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(jwks);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/.well-known/jwks.json`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
