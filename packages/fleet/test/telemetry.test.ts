import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRevocationList, FleetConfigError, type FleetTelemetry, type RevocationListState } from '../src/index.js';
import { connectedClient, RedisServer } from './redis-server.js';
import { verified } from './tokens.js';

const ISS = 'https://issuer.example';
const exp = (): number => Math.floor(Date.now() / 1000) + 600;

/** A telemetry that keeps each list's state and records its events. */
function recording(): { telemetry: FleetTelemetry; states: RevocationListState[]; events: string[] } {
  const states: RevocationListState[] = [];
  const events: string[] = [];
  const telemetry: FleetTelemetry = {
    revocationList(state) {
      states.push(state);
      return {
        revoked: () => events.push(`revoked ${state.keyPrefix}`),
        announced: () => events.push(`announced ${state.keyPrefix}`),
        unavailable: (reason) => events.push(`unavailable ${reason}`),
        closed: () => events.push(`closed ${state.keyPrefix}`),
      };
    },
  };
  return { telemetry, states, events };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what} did not happen`);
}

describe('createRevocationList: telemetry', () => {
  it('an embedded list reports its revocations and size, and no staleness', async () => {
    const { telemetry, states, events } = recording();
    const list = createRevocationList({ telemetry, keyPrefix: 'embedded' });
    await list.revoke({ iss: ISS, jti: 'a', exp: exp() });
    await list.revoke({ iss: ISS, jti: 'b', exp: exp() });
    // Already expired: ignored, not counted.
    await list.revoke({ iss: ISS, jti: 'c', exp: 1_000_000 });
    expect(states).toHaveLength(1);
    expect(states[0]?.size()).toBe(2);
    expect(states[0]?.stalenessMs()).toBeUndefined();
    await list.close();
    expect(events).toEqual(['revoked embedded', 'revoked embedded', 'closed embedded']);
  });

  it('refuses a telemetry without revocationList', () => {
    expect(() => createRevocationList({ telemetry: {} as unknown as FleetTelemetry })).toThrow(FleetConfigError);
  });

  describe('on Redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await RedisServer.start();
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('reports announcements, unavailable answers by reason, and the staleness of the mirror', async () => {
      const { telemetry, states, events } = recording();
      const client = await connectedClient(redis.url);
      let skewMs = 0;
      const list = createRevocationList({ client, telemetry, keyPrefix: 'otel-test', maxStalenessMs: 3000, nowMs: () => Date.now() + skewMs });
      try {
        expect(() => list.isRevoked(verified({ iss: ISS, jti: 'x', exp: exp() }))).toThrow(/not loaded yet/);
        await list.ready();
        expect(states[0]?.stalenessMs()).toBeGreaterThanOrEqual(0);
        await list.revoke({ iss: ISS, jti: 'r1', exp: exp() });
        await eventually(() => events.includes('announced otel-test'), 'the announcement arriving');
        expect(states[0]?.size()).toBe(1);
        // The mirror's clock jumps past maxStalenessMs before any heartbeat could confirm it: failClosed refuses.
        skewMs = 60_000;
        expect(states[0]?.stalenessMs()).toBeGreaterThan(3000);
        expect(() => list.isRevoked(verified({ iss: ISS, jti: 'x', exp: exp() }))).toThrow(/has not been confirmed/);
        // A revoked token is still refused (true) without a 503.
        expect(list.isRevoked(verified({ iss: ISS, jti: 'r1', exp: exp() }))).toBe(true);
      } finally {
        await list.close();
        await client.close();
      }
      expect(events.filter((event) => event.startsWith('unavailable'))).toEqual(['unavailable not-ready', 'unavailable stale']);
      expect(events.filter((event) => event === 'revoked otel-test')).toHaveLength(1);
      expect(events.at(-1)).toBe('closed otel-test');
    });
  });
});
