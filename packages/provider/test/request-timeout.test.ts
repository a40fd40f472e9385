import { KeySourceUnavailableError } from 'kms-jwt-verifier';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider } from '../src/index.js';
import { createKey, manualTime, rejection, useKms } from './support.js';

const env = useKms();

/** The garbage collector, exposed at run time (vitest's workers do not start with --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('requestTimeoutMs', () => {
  it('cuts off a GetPublicKey call that hangs, even when the garbage collector runs while it waits', async () => {
    // On Node 20, a timeout signal reachable only through AbortSignal.any() can be collected before
    // it fires, and the call then waits as long as KMS does (nodejs/node#57736): found by the fault
    // drills in test/faults, where cold-key requests waited the whole 2 s latency under load.
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const provider = createKmsKeyProvider({ client, keys: [key.arn], requestTimeoutMs: 200, nowMs: time.nowMs, timers: time.timers });
    const remove = kms.faults.inject({ type: 'latency', latencyMs: 3_000, operations: ['GetPublicKey'] });
    try {
      const started = Date.now();
      const resolving = provider.resolve(key.arn) as Promise<unknown>;
      await new Promise((resolve) => setTimeout(resolve, 20));
      collectGarbage();
      const error = await rejection(resolving);
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      remove();
      provider.close();
    }
  });
});
