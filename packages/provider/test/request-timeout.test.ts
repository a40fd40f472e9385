import { KeySourceUnavailableError } from 'kms-jwt-verifier';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider } from '../src/index.js';
import { createAlias, createKey, manualTime, recordEvents, rejection, useKms } from './support.js';

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
    // Without the cut-off the call would wait out the latency and resolve with the key; the failure
    // names requestTimeoutMs, which only the provider's own timer can have written.
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const provider = createKmsKeyProvider({ client, keys: [key.arn], requestTimeoutMs: 200, nowMs: time.nowMs, timers: time.timers });
    const remove = kms.faults.inject({ type: 'latency', latencyMs: 3_000, operations: ['GetPublicKey'] });
    try {
      const resolving = provider.resolve(key.arn) as Promise<unknown>;
      await new Promise((resolve) => setTimeout(resolve, 20));
      collectGarbage();
      const error = await rejection(resolving);
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect((error as Error).cause).toMatchObject({ name: 'TimeoutError', message: 'KMS did not answer GetPublicKey within requestTimeoutMs (200 ms)' });
    } finally {
      remove();
      provider.close();
    }
  });

  it('reports a GetPublicKey cut off at requestTimeoutMs as a timeout, in the 503 and in onKeyFetchFailed, with the SDK error as cause', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const events = recordEvents();
    const provider = createKmsKeyProvider({ client, keys: [key.arn], requestTimeoutMs: 100, nowMs: time.nowMs, timers: time.timers, ...events.hooks });
    const remove = kms.faults.inject({ type: 'latency', latencyMs: 2_000, operations: ['GetPublicKey'] });
    try {
      const error = await rejection(provider.resolve(key.arn) as Promise<unknown>);
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect((error as Error).message).toBe(
        `kms-pubkey-provider: cannot fetch the public key of ${key.arn} and none is cached (TimeoutError: KMS did not answer GetPublicKey within requestTimeoutMs (100 ms)); retry later`,
      );
      const failed = events.log.filter((event) => event.type === 'keyFetchFailed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ key: key.arn, operation: 'GetPublicKey', errorName: 'TimeoutError' });
      expect(failed[0]).toHaveProperty('error', (error as Error).cause);
      expect(((error as Error).cause as Error).cause).toMatchObject({ name: 'AbortError' });
    } finally {
      remove();
      provider.close();
    }
  });

  it('reports a DescribeKey (alias lookup) cut off at requestTimeoutMs as a timeout, in the 503 and in onKeyFetchFailed', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const events = recordEvents();
    const provider = createKmsKeyProvider({ client, keys: [alias], requestTimeoutMs: 100, nowMs: time.nowMs, timers: time.timers, ...events.hooks });
    const remove = kms.faults.inject({ type: 'latency', latencyMs: 2_000, operations: ['DescribeKey'] });
    try {
      const error = await rejection(provider.resolve(key.arn) as Promise<unknown>);
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect((error as Error).message).toBe(
        'kms-pubkey-provider: the configured aliases cannot be resolved, so the trusted keys are not known yet (TimeoutError: KMS did not answer DescribeKey within requestTimeoutMs (100 ms)); retry later',
      );
      const failed = events.log.filter((event) => event.type === 'keyFetchFailed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ key: alias, operation: 'DescribeKey', errorName: 'TimeoutError' });
      expect((failed[0] as { error: Error }).error.cause).toMatchObject({ name: 'AbortError' });
    } finally {
      remove();
      provider.close();
    }
  });
});
