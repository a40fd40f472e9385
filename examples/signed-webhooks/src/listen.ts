/** Listening on loopback, on a free port, and closing with every open connection. */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening HTTP server. */
export interface RunningServer {
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /** Sets what answers requests (until then, every request gets 503). */
  handle(listener: RequestListener): void;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (`port`, default a free one); resolves once it listens. */
export function listen(port = 0): Promise<RunningServer> {
  let current: RequestListener = (_req, res) => void res.writeHead(503).end();
  const server = createServer((req, res) => current(req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        handle: (listener) => void (current = listener),
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
