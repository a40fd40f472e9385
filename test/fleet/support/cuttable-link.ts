import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP link on loopback to a Redis server that can be cut (every connection through it dropped, new ones refused
 * at once) and restored: a network partition between some verifiers and a Redis that keeps serving everyone else.
 */
export class CuttableLink {
  readonly #server = createServer((socket) => this.#accept(socket));
  readonly #sockets = new Set<Socket>();
  readonly #upstreamPort: number;
  #cut = false;

  private constructor(upstreamPort: number) {
    this.#upstreamPort = upstreamPort;
  }

  static async open(upstreamPort: number): Promise<CuttableLink> {
    const link = new CuttableLink(upstreamPort);
    link.#server.listen(0, '127.0.0.1');
    await once(link.#server, 'listening');
    return link;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    if (this.#cut) {
      socket.destroy();
      return;
    }
    const upstream = connect(this.#upstreamPort, '127.0.0.1');
    for (const [from, to] of [
      [socket, upstream],
      [upstream, socket],
    ] as const) {
      this.#sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.#sockets.delete(from);
        to.destroy();
      });
    }
  }
}
