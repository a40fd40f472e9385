import { verify as nodeVerify } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { expect, beforeAll, describe, it } from 'vitest';
import { createKmsJwtSigner, KmsThrottledError } from '../src/index.js';
import { createKey, decodeToken, useKmsLocal, type TestKey } from './support.js';

// maxRatePerSecond against a quota enforced by kms-local, in real time: a minute of signing, kept
// apart from the limiter's fake-clock tests (rate-limit.test.ts) so that mutation testing
// (stryker.config.mjs) can leave this slow, load-sensitive file out.

/**
 * A per-second request quota, as KMS enforces one, enforced by kms-local: a `throttle` fault on Sign
 * with rate 0.5 makes kms-local ask its `random()` once per Sign call, and throttle the call when the
 * answer is below 0.5. This `random` answers from a token bucket that refills at `ratePerSecond`
 * and holds a fifth of a second's worth (it starts full): a sender that keeps to the rate is never
 * throttled (up to ~150 ms of jitter between the limiter's clock and the server's), and a faster
 * one is throttled as soon as its lead exceeds those 200 ms.
 */
class Quota {
  ratePerSecond = Number.POSITIVE_INFINITY;
  admitted = 0;
  throttled = 0;
  #tokens = 0;
  #capacity = 0;
  #last = 0;

  enforce(ratePerSecond: number): void {
    this.ratePerSecond = ratePerSecond;
    this.#capacity = ratePerSecond / 5;
    this.#tokens = this.#capacity;
    this.#last = performance.now();
    this.admitted = 0;
    this.throttled = 0;
  }

  lift(): void {
    this.ratePerSecond = Number.POSITIVE_INFINITY;
  }

  readonly random = (): number => {
    if (this.ratePerSecond === Number.POSITIVE_INFINITY) return 0.75;
    const now = performance.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#last) * this.ratePerSecond) / 1000);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.admitted += 1;
      return 0.75;
    }
    this.throttled += 1;
    return 0;
  };
}

const BURST = 2_000;

describe(`a burst of ${BURST} signs against kms-local throttling at a per-second quota`, () => {
  const quota = new Quota();
  const env = useKmsLocal({ random: quota.random });
  let key: TestKey;
  let rate = 0;

  function verifies(token: string): boolean {
    const { signingInput, signature } = decodeToken(token);
    return nodeVerify('sha256', Buffer.from(signingInput), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  }

  /** A client with the SDK's default retries (3 attempts), one per run so that retry quotas start fresh. */
  function retryingClient(): KMSClient {
    return new KMSClient({ ...env().kms.clientConfig, requestHandler: { socketAcquisitionWarningTimeout: 120_000 } });
  }

  beforeAll(async () => {
    const { client, kms } = env();
    key = await createKey(client, 'ECC_NIST_P256');
    kms.faults.inject({ type: 'throttle', operations: ['Sign'], rate: 0.5 });
    // The quota is set at half of what this machine signs through kms-local without a limit (at most
    // 1,000/s, KMS's ECC Sign quota): the unlimited burst must outrun the quota (it runs first, right
    // after this measurement), and the limited run must be slower than it, on a fast machine and a
    // loaded one alike.
    quota.lift();
    const unlimited = createKmsJwtSigner({ keyId: key.arn, client, expiresInSeconds: 300 });
    // (Warmed up first: the SDK's first few hundred calls run before its code is optimised.)
    await Promise.all(Array.from({ length: 400 }, () => unlimited.sign({})));
    const started = performance.now();
    await Promise.all(Array.from({ length: 400 }, () => unlimited.sign({})));
    const throughput = 400 / ((performance.now() - started) / 1000);
    rate = Math.max(50, Math.min(1000, Math.floor(throughput / 2)));
  });

  it("without maxRatePerSecond: the burst outruns the quota, and throttling surfaces as KmsThrottledError after the SDK's retries", { timeout: 120_000 }, async () => {
    const { kms } = env();
    const client = retryingClient();
    try {
      const signer = createKmsJwtSigner({ keyId: key.arn, client, expiresInSeconds: 300 });
      await signer.hydrate();
      // A tenth of the limited run's quota: far below what even a loaded machine sends in a burst,
      // so some calls stay throttled through all the SDK's attempts however slowly the burst goes.
      quota.enforce(Math.max(5, Math.floor(rate / 10)));
      kms.resetCallCounts();
      const results = await Promise.allSettled(Array.from({ length: BURST }, (_, i) => signer.sign({ sub: `user-${i}`, secret: 'S3CRET' })));
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      const tokens = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(quota.throttled, `at ${rate}/s`).toBeGreaterThan(0);
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(KmsThrottledError);
        const error = failure as KmsThrottledError;
        expect(error.code).toBe('ERR_KMS_THROTTLED');
        expect(error.retryable).toBe(true);
        expect(error.keyId).toBe(key.arn);
        expect(error.message).not.toContain('S3CRET');
      }
      // The SDK retried throttled calls before giving up on them.
      expect(kms.callCount('Sign')).toBeGreaterThan(BURST);
      expect(tokens.filter(verifies)).toHaveLength(BURST - failures.length);
    } finally {
      client.destroy();
    }
  });

  it('with maxRatePerSecond at the quota: every sign succeeds, none is throttled, and every token verifies', { timeout: 120_000 }, async () => {
    const { kms } = env();
    const client = retryingClient();
    try {
      const signer = createKmsJwtSigner({ keyId: key.arn, client, expiresInSeconds: 300, maxRatePerSecond: rate });
      await signer.hydrate();
      quota.enforce(rate);
      kms.resetCallCounts();
      const started = performance.now();
      const results = await Promise.allSettled(Array.from({ length: BURST }, (_, i) => signer.sign({ sub: `user-${i}` })));
      const elapsedMs = performance.now() - started;
      const tokens = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(tokens, `at ${rate}/s`).toHaveLength(BURST);
      expect(quota.throttled).toBe(0);
      expect(kms.callCount('Sign')).toBe(BURST); // no call needed the SDK's retry
      expect(tokens.filter(verifies)).toHaveLength(BURST);
      // The limiter did the pacing: after a first burst of rate / 20, one start every 1000 / rate ms.
      expect(elapsedMs).toBeGreaterThanOrEqual(((BURST - Math.ceil(rate / 20)) / rate) * 1000 - 5);
    } finally {
      client.destroy();
    }
  });
});
