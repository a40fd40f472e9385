/*
 * KMS calls as the SDK sends them: a middleware on a KMSClient records every attempt (retries
 * included, as KMS sees them) with its operation, time and outcome. Used where kms-local runs in
 * another process and its own call counter is out of reach, and to tell two providers' calls apart.
 */
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';

export interface KmsAttempt {
  readonly operation: string;
  /** Epoch ms when the attempt was sent. */
  readonly at: number;
  /** `ok`, or the error's name (ThrottlingException, KMSInternalException, TimeoutError, ECONNREFUSED...). */
  readonly outcome: string;
}

export class KmsCalls {
  readonly attempts: KmsAttempt[] = [];

  /** A KMSClient of `config` whose attempts are recorded here. */
  client(config: KMSClientConfig): KMSClient {
    const client = new KMSClient(config);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const at = Date.now();
        try {
          const result = await next(args);
          this.attempts.push({ operation, at, outcome: 'ok' });
          return result;
        } catch (error) {
          const name = (error as { code?: unknown; name?: unknown }).code ?? (error as { name?: unknown }).name;
          this.attempts.push({ operation, at, outcome: typeof name === 'string' ? name : 'Error' });
          throw error;
        }
      },
      // Deserialize is the last step, inside the SDK's retry loop (once per attempt); high priority puts
      // this around the deserializer, so the exceptions it makes of KMS's error answers are seen too.
      { step: 'deserialize', priority: 'high', name: 'kmsJwtFaultDrillCalls' },
    );
    return client;
  }

  /** Attempts of `operation` (or every operation) sent from `since` until before `until`. */
  count(operation?: string, since = 0, until = Infinity, outcome?: (name: string) => boolean): number {
    return this.attempts.filter((attempt) => (operation === undefined || attempt.operation === operation) && attempt.at >= since && attempt.at < until && (outcome?.(attempt.outcome) ?? true)).length;
  }

  /** `name×count` of failed attempts' outcomes from `since` until before `until`. */
  failures(since = 0, until = Infinity): string {
    const counts = new Map<string, number>();
    for (const attempt of this.attempts) {
      if (attempt.outcome === 'ok' || attempt.at < since || attempt.at >= until) continue;
      counts.set(attempt.outcome, (counts.get(attempt.outcome) ?? 0) + 1);
    }
    return [...counts].map(([name, count]) => `${name}×${count}`).join(' ') || 'none';
  }
}
