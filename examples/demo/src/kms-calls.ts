/*
 * Who called KMS, and for what: each component of the demo gets its own KMSClient, and a middleware
 * on it counts every request sent (retries included, as KMS sees them) by operation.
 */
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';

/** The KMS calls of every caller, by operation. */
export class KmsCallLog {
  readonly #counts = new Map<string, Map<string, number>>();
  #inFlight = 0;

  /** A client of `config` whose requests are counted under `caller`. */
  client(caller: string, config: KMSClientConfig): KMSClient {
    const client = new KMSClient(config);
    this.#counts.set(caller, this.#counts.get(caller) ?? new Map());
    // A command is in flight from the initialize step until its answer, retries included...
    client.middlewareStack.add(
      (next) => async (args) => {
        this.#inFlight += 1;
        try {
          return await next(args);
        } finally {
          this.#inFlight -= 1;
        }
      },
      { step: 'initialize', name: 'kmsJwtDemoInFlight' },
    );
    // ...while the deserialize step runs once per attempt, inside the SDK's retries: what KMS sees.
    client.middlewareStack.add(
      (next, context) => (args) => {
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const counts = this.#counts.get(caller) as Map<string, number>;
        counts.set(operation, (counts.get(operation) ?? 0) + 1);
        return next(args);
      },
      { step: 'deserialize', name: 'kmsJwtDemoCallLog' },
    );
    return client;
  }

  /** Adds `count` calls of `caller` for `operation`, counted elsewhere (by a process of its own). */
  record(caller: string, operation: string, count: number): void {
    const counts = this.#counts.get(caller) ?? new Map<string, number>();
    this.#counts.set(caller, counts);
    counts.set(operation, (counts.get(operation) ?? 0) + count);
  }

  /** Calls by `caller` (or everyone), for `operation` (or every operation). */
  count(caller?: string, operation?: string): number {
    let total = 0;
    for (const [name, counts] of this.#counts) {
      if (caller !== undefined && name !== caller) continue;
      for (const [op, count] of counts) if (operation === undefined || op === operation) total += count;
    }
    return total;
  }

  /** Commands sent and not answered yet (including those waiting to retry). */
  get inFlight(): number {
    return this.#inFlight;
  }

  callers(): string[] {
    return [...this.#counts.keys()];
  }

  operations(): string[] {
    return [...new Set([...this.#counts.values()].flatMap((counts) => [...counts.keys()]))];
  }
}
