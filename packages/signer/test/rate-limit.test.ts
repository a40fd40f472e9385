import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKmsJwtSigner } from '../src/index.js';
import { createRateLimiter } from '../src/rate-limiter.js';
import { startKmsProxy, type KmsProxy } from './kms-proxy.js';
import { createKey, decodeToken, useKmsLocal } from './support.js';

/** The most starts inside any window (t - 1000 ms, t], over sorted start times. */
function maxPerSecond(times: readonly number[]): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last += 1) {
    while ((times[first] ?? 0) <= (times[last] ?? 0) - 1000) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe('createRateLimiter (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Takes `count` permits at each `[atMs, count]`, runs the clock, and returns when each was granted, in grant order. */
  async function grants(ratePerSecond: number, arrivals: ReadonlyArray<readonly [number, number]>, runMs: number): Promise<{ times: number[]; order: number[] }> {
    vi.useFakeTimers({ now: 0 });
    const limiter = createRateLimiter(ratePerSecond, () => Date.now());
    const times: number[] = [];
    const order: number[] = [];
    let id = 0;
    for (const [atMs, count] of arrivals) {
      setTimeout(() => {
        for (let i = 0; i < count; i += 1) {
          const mine = id++;
          void limiter.take().then(() => {
            times.push(Date.now());
            order.push(mine);
          });
        }
      }, atMs);
    }
    await vi.advanceTimersByTimeAsync(runMs);
    return { times, order };
  }

  it('starts at most ratePerSecond calls in any one-second window, however they arrive, and in arrival order', async () => {
    const arrivals = [
      [0, 300],
      [1_500, 500],
      [1_510, 20],
      [9_000, 180],
    ] as const;
    const { times, order } = await grants(100, arrivals, 30_000);
    expect(times).toHaveLength(1000);
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(maxPerSecond(times)).toBeLessThanOrEqual(100);
    // At 100/s, the 1,000 grants need about ten seconds however early they were asked for.
    expect(times.at(-1)).toBeGreaterThanOrEqual(9_900);
  });

  it('spaces starts evenly: a first burst of at most a twentieth of a second, then one every 1000 / rate ms', async () => {
    const { times } = await grants(1000, [[0, 400]], 2_000);
    expect(times).toHaveLength(400);
    expect(times.filter((time) => time === 0)).toHaveLength(50);
    // After the burst, one start per millisecond: the 400th at 350 ms.
    expect(times.at(-1)).toBe(350);
    const perMillisecond = new Map<number, number>();
    for (const time of times.filter((t) => t > 0)) perMillisecond.set(time, (perMillisecond.get(time) ?? 0) + 1);
    expect(Math.max(...perMillisecond.values())).toBe(1);
  });

  it('never lets a second window exceed the rate, even with the burst allowance after an idle spell', async () => {
    // Full speed for 2 s, idle, then again: the burst allowance must not stack on a full window.
    const { times } = await grants(200, [[0, 500], [2_400, 50], [2_410, 400]], 10_000);
    expect(times).toHaveLength(950);
    expect(maxPerSecond(times)).toBeLessThanOrEqual(200);
  });

  it('keeps granting in order, one slot each, past 1,024 waiters (where the queue drops the ones it released)', async () => {
    const { times, order } = await grants(1000, [[0, 1100]], 5_000);
    expect(order).toEqual(Array.from({ length: 1100 }, (_, i) => i));
    expect(maxPerSecond(times)).toBeLessThanOrEqual(1000);
    // A burst of 50 at 0 ms, then one a millisecond: the 1,100th at 1,050 ms, not a slot later.
    expect(times.at(-1)).toBe(1_050);
  });

  it('lets a burst of ceil(rate / 20) start at once, then one every 1000 / rate ms (at 100/s: 5, then every 10 ms)', async () => {
    const { times } = await grants(100, [[0, 8]], 1_000);
    expect(times).toEqual([0, 0, 0, 0, 0, 10, 20, 30]);
  });

  it('takes no slot once its queue is empty: a call after the last waiter starts as soon as the rate allows', async () => {
    // At 1/s: 0 and 1,000 ms for the first two; at 2,500 ms the third is due at once.
    const { times } = await grants(1, [[0, 2], [2_500, 1]], 10_000);
    expect(times).toEqual([0, 1_000, 2_500]);
  });

  it('handles rates below one per second', async () => {
    const { times } = await grants(0.5, [[0, 3]], 10_000);
    expect(times).toEqual([0, 2_000, 4_000]);
  });
});

describe('maxConcurrency', () => {
  const env = useKmsLocal();
  let proxy: KmsProxy;
  let client: KMSClient;

  beforeAll(async () => {
    proxy = await startKmsProxy(env().kms);
    client = new KMSClient({ ...proxy.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await proxy.close();
  });

  it('keeps at most maxConcurrency Sign calls in flight, and queues the rest', async () => {
    const { kms } = env();
    const key = await createKey(env().client, 'ECC_NIST_P256');
    const signer = createKmsJwtSigner({ keyId: key.arn, client, expiresInSeconds: 300, maxConcurrency: 4, jwtId: false });
    await signer.hydrate();
    const remove = kms.faults.inject({ type: 'latency', latencyMs: 40, operations: ['Sign'] });
    proxy.requests.length = 0;
    try {
      const started = performance.now();
      const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => signer.sign({ sub: `user-${i}` })));
      const elapsedMs = performance.now() - started;
      expect(proxy.inFlight.get('Sign')?.most).toBe(4);
      // Twenty calls of 40 ms, four at a time: at least five rounds.
      expect(elapsedMs).toBeGreaterThanOrEqual(5 * 40 - 5);
      const signed = proxy.requests.filter((request) => request.operation === 'Sign').map((request) => Buffer.from(String(request.body['Message']), 'base64').toString('latin1'));
      expect(signed.sort()).toEqual(tokens.map((token) => decodeToken(token).signingInput).sort());
    } finally {
      remove();
    }
  });
});

describe('maxRatePerSecond', () => {
  const env = useKmsLocal();

  it('paces Sign calls: at 2 per second, the third of three concurrent signs starts a second after the first', async () => {
    const key = await createKey(env().client, 'ECC_NIST_P256');
    const signer = createKmsJwtSigner({ keyId: key.arn, client: env().client, expiresInSeconds: 300, maxRatePerSecond: 2 });
    await signer.hydrate();
    const started = performance.now();
    const tokens = await Promise.all(Array.from({ length: 3 }, (_, i) => signer.sign({ sub: `user-${i}` })));
    // Starts at 0, 500 and 1,000 ms (a burst of one at this rate): never sooner, however fast KMS answers.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000 - 5);
    expect(tokens.map((token) => decodeToken(token).header['kid'])).toEqual([key.arn, key.arn, key.arn]);
  });
});
