// The same helpers as kms-pubkey-provider's test/endpoint-support.ts (test packages share no code).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type LookupFunction } from 'node:net';
import { NON_AWS_ENDPOINT_WARNING } from 'kms-jwt-verifier/kms-endpoint';
import { vi } from 'vitest';

/** A DNS lookup that answers 127.0.0.1 for every name: a client with an `example.test` endpoint never leaves loopback. */
const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if (options.all === true) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** The SDK's `requestHandler` option with agents that resolve every host name to 127.0.0.1. */
export function pinnedToLoopback(): { readonly httpAgent: HttpAgent; readonly httpsAgent: HttpsAgent } {
  return { httpAgent: new HttpAgent({ lookup: loopbackLookup }), httpsAgent: new HttpsAgent({ lookup: loopbackLookup }) };
}

/** A loopback TCP server that counts connections and closes each at once: where a refused endpoint would have connected. */
export interface ConnectionCounter {
  readonly port: number;
  connections(): number;
  close(): Promise<void>;
}

export async function startConnectionCounter(): Promise<ConnectionCounter> {
  let count = 0;
  const server = createTcpServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Captures `process.emitWarning` calls with the non-AWS endpoint code (and keeps them off stderr); restore with `restore()`. */
export interface EndpointWarnings {
  /** The messages of the warnings emitted so far. */
  messages(): string[];
  /** What `probe` returned when each warning was emitted (e.g. the connections made so far). */
  probed(): unknown[];
  /** Sets what to record with each warning. */
  probe(read: () => unknown): void;
  restore(): void;
}

export function captureEndpointWarnings(): EndpointWarnings {
  const captured: { message: string; probed: unknown }[] = [];
  let read: () => unknown = () => undefined;
  const spy = vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error, options?: unknown) => {
    if ((options as { code?: unknown } | undefined)?.code === NON_AWS_ENDPOINT_WARNING) captured.push({ message: String(warning), probed: read() });
  });
  return {
    messages: () => captured.map((entry) => entry.message),
    probed: () => captured.map((entry) => entry.probed),
    probe: (next) => {
      read = next;
    },
    restore: () => spy.mockRestore(),
  };
}
