import type { FleetRedisClient } from './options.js';

/** Every key matching `pattern`: SCAN on the client, or on every master of a cluster. */
export async function* scanKeys(client: FleetRedisClient, pattern: string): AsyncGenerator<string[]> {
  const options = { MATCH: pattern, COUNT: 1000 };
  if ('masters' in client) {
    for (const master of client.masters) {
      const node = await client.nodeClient(master);
      yield* node.scanIterator(options);
    }
  } else {
    yield* client.scanIterator(options);
  }
}
