import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where to listen. */
export interface ListenOptions {
  /** Address to listen on. Default: `127.0.0.1` (loopback only). */
  readonly host?: string;
  /** TCP port. Default: `0`, a free port. */
  readonly port?: number;
}

/** A listening HTTP server. */
export interface RunningServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

/** Serves `listener` over HTTP; resolves once it listens. */
export function listen(listener: RequestListener, options: ListenOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(listener);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
