// The fleet facet with the real OpenTelemetry SDK: an embedded revocation list and one on a real
// redis-server (loopback, free port), read back from a pull metric reader.
import { createRevocationList } from 'kms-jwt-fleet';
import type { VerifiedToken } from 'kms-jwt-verifier';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectedClient, RedisServer } from '../../fleet/test/redis-server.js';
import { createKmsJwtTelemetry } from '../src/index.js';
import { pointsOf, startSdk, valueOf, type SdkHarness } from './support/sdk-harness.js';

const ISS = 'https://issuer.example';
const exp = (): number => Math.floor(Date.now() / 1000) + 600;
const REVOCATIONS = 'kms_jwt.fleet.revocations';
const UNAVAILABLE = 'kms_jwt.fleet.unavailable';
const SIZE = 'kms_jwt.fleet.mirror.size';
const STALENESS = 'kms_jwt.fleet.mirror.staleness';

/** What an adapter passes isRevoked: a verified token with these claims. */
function verified(claims: { iss: string; jti: string; exp: number }): VerifiedToken {
  return { header: { alg: 'ES256', kid: 'k' }, payload: { sub: 'user-1', ...claims }, key: 'k' } as unknown as VerifiedToken;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what} did not happen`);
}

let sdk: SdkHarness;
afterEach(async () => {
  await sdk?.shutdown();
});

describe('kms-jwt-opentelemetry: the fleet', () => {
  it('an embedded list: revocations made, the mirror size, no staleness', async () => {
    sdk = startSdk();
    const telemetry = createKmsJwtTelemetry({ meterProvider: sdk.meterProvider });
    const list = createRevocationList({ telemetry: telemetry.fleet, keyPrefix: 'embedded-list' });
    await list.revoke({ iss: ISS, jti: 'a', exp: exp() });
    await list.revoke({ iss: ISS, jti: 'b', exp: exp() });
    const points = await sdk.collect();
    const prefix = { 'kms_jwt.fleet.key_prefix': 'embedded-list' };
    expect(valueOf(points, REVOCATIONS, { ...prefix, 'kms_jwt.revocation.source': 'revoke' })).toBe(2);
    expect(pointsOf(points, REVOCATIONS)[0]).toMatchObject({ unit: '{revocation}', kind: 'counter' });
    expect(valueOf(points, SIZE, prefix)).toBe(2);
    expect(pointsOf(points, SIZE)[0]).toMatchObject({ unit: '{revocation}', kind: 'updowncounter' });
    expect(pointsOf(points, STALENESS)).toEqual([]);
    await list.close();
  });

  describe('on Redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await RedisServer.start();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('announcements received, unavailable answers by reason (failClosed 503s), the mirror size and its staleness in seconds', async () => {
      sdk = startSdk();
      const telemetry = createKmsJwtTelemetry({ meterProvider: sdk.meterProvider });
      const client = await connectedClient(redis.url);
      let skewMs = 0;
      const list = createRevocationList({ client, telemetry: telemetry.fleet, keyPrefix: 'otel-fleet', maxStalenessMs: 3000, nowMs: () => Date.now() + skewMs });
      const prefix = { 'kms_jwt.fleet.key_prefix': 'otel-fleet' };
      try {
        expect(() => list.isRevoked(verified({ iss: ISS, jti: 'x', exp: exp() }))).toThrow(/not loaded yet/);
        await list.ready();
        await list.revoke({ iss: ISS, jti: 'r1', exp: exp() });
        await eventually(async () => valueOf(await sdk.collect(), REVOCATIONS, { ...prefix, 'kms_jwt.revocation.source': 'announcement' }) === 1, 'the announcement counted');
        let points = await sdk.collect();
        expect(valueOf(points, REVOCATIONS, { ...prefix, 'kms_jwt.revocation.source': 'revoke' })).toBe(1);
        expect(valueOf(points, SIZE, prefix)).toBe(1);
        const staleness = valueOf(points, STALENESS, prefix);
        expect(typeof staleness === 'number' && staleness >= 0 && staleness < 3).toBe(true);
        expect(pointsOf(points, STALENESS)[0]).toMatchObject({ unit: 's', kind: 'gauge' });

        // The clock jumps an hour past the last confirmation before a heartbeat can confirm it: failClosed answers 503.
        skewMs = 3_600_000;
        expect(() => list.isRevoked(verified({ iss: ISS, jti: 'x', exp: exp() }))).toThrow(/has not been confirmed/);
        expect(() => list.isRevoked(verified({ iss: ISS, jti: 'y', exp: exp() }))).toThrow(/has not been confirmed/);
        points = await sdk.collect();
        expect(valueOf(points, STALENESS, prefix)).toBeGreaterThanOrEqual(3600);
        expect(valueOf(points, UNAVAILABLE, { ...prefix, 'error.type': 'stale' })).toBe(2);
        expect(valueOf(points, UNAVAILABLE, { ...prefix, 'error.type': 'not-ready' })).toBe(1);
        expect(pointsOf(points, UNAVAILABLE)[0]).toMatchObject({ unit: '{check}', kind: 'counter' });
      } finally {
        await list.close();
        await client.close();
      }
    });
  });
});
