// Adapter-level property and fault test of kms-jwt-fleet: every HTTP adapter (Express 4/5, Koa 2/3, Passport on
// Express 4/5, Fastify, Hono) as a verifier with its own revocation list on one real redis-server, tokens signed
// through kms-local by kms-jwt-signer. Prints what the fleet did wrong (all 0) and how many requests were sent.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../adapters/support/apps.js';
import { startKmsWorld, type KmsWorld } from '../adapters/support/kms.js';
import { connectedClient, RedisServer } from '../../packages/fleet/test/redis-server.js';
import { ask, claimsOf, DEADLINE_MS, eventually, faults, malleate, MAX_STALENESS_MS, refusedAsRevoked, sleep, startFleet, zero, type Tally, type Verifier } from './support/fleet.js';

describe('a fleet of HTTP verifiers (every adapter), each with its own revocation list on one Redis', () => {
  let world: KmsWorld;
  let redis: RedisServer;
  let fleet: Verifier[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  let jtiCounter = 0;
  const signFresh = () => world.sign({ jti: `fleet-${process.pid}-${(jtiCounter += 1)}`, scope: 'orders:read' });

  beforeAll(async () => {
    [world, redis] = await Promise.all([startKmsWorld(), RedisServer.start()]);
    fleet = await startFleet({ world, connect: () => connectedClient(redis.url), cleanup });
  });
  afterAll(async () => {
    for (const run of cleanup.reverse()) await run().catch(() => undefined);
    await redis?.stop();
    await world?.close();
  });

  it('property: tokens revoked through one list are refused by every adapter (malleated copies too), the others keep answering 200', async () => {
    const total = zero();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), fc.nat({ max: ADAPTERS.length - 1 }), async (revokeMask, revoker) => {
        const tally = zero();
        const tokens = await Promise.all(revokeMask.map(() => signFresh()));
        const revoked = tokens.filter((_, i) => revokeMask[i]);
        const kept = tokens.filter((_, i) => !revokeMask[i]);
        for (const token of revoked) await fleet[revoker]!.list.revoke(claimsOf(token));

        // Every adapter refuses every revoked token and its twin, each sent to all of them, within the bound.
        const forms = revoked.flatMap((token) => [token, malleate(token)]);
        await Promise.all(
          fleet.flatMap(({ server }) =>
            forms.map(async (token) => {
              const refused = await eventually(async () => refusedAsRevoked(await ask(server.url, token, tally)));
              if (!refused) tally.revokedAccepted += 1;
            }),
          ),
        );
        // And keeps refusing them: a second pass, now that every adapter has seen the revocation.
        for (const { server } of fleet) {
          for (const token of forms) {
            const answer = await ask(server.url, token, tally);
            if (!refusedAsRevoked(answer) && answer !== 'hang') tally.revokedAccepted += 1;
          }
          for (const token of kept.flatMap((t) => [t, malleate(t)])) {
            const answer = await ask(server.url, token, tally);
            if (answer !== 'hang' && answer.status !== 200 && (answer.status < 500 || answer.status === 503)) tally.validRefused += 1;
          }
        }
        for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
        expect(faults(tally)).toEqual(faults(zero()));
      }),
      { numRuns: 12 },
    );
    console.log(`fleet property over ${fleet.length} adapters: ${JSON.stringify(total)}`);
  });

  it('Redis paused past maxStalenessMs: every adapter answers a valid token 503 with Retry-After (failClosed), never 200 or 401, and never accepts a revoked one; 200 again after SIGCONT', async () => {
    const tally = zero();
    const valid = await signFresh();
    const revokedToken = await signFresh();
    await fleet[0]!.list.revoke(claimsOf(revokedToken));
    const revokedForms = [revokedToken, malleate(revokedToken)];
    for (const { server } of fleet) {
      for (const token of revokedForms) expect(await eventually(async () => refusedAsRevoked(await ask(server.url, token, tally)))).toBe(true);
    }

    redis.pause();
    let reachedStale = 0;
    try {
      await Promise.all(
        fleet.map(async ({ server }) => {
          // Until its bound the mirror answers (200 valid, 401 revoked). From the valid token's first 503 on, it
          // answers 503 only; a token the mirror holds as revoked stays refused (401) whatever the state of Redis.
          let stale = false;
          let staleRounds = 0;
          const until = Date.now() + DEADLINE_MS;
          while (staleRounds < 5 && (stale || Date.now() < until)) {
            for (const token of [valid, ...revokedForms]) {
              const answer = await ask(server.url, token, tally);
              if (answer === 'hang') continue;
              if (answer.status === 503) {
                if (token === valid) stale = true;
                if (answer.retryAfter === undefined || answer.description === undefined) tally.wrongWhileStale += 1;
              } else if (stale && !(token !== valid && refusedAsRevoked(answer))) tally.wrongWhileStale += 1;
              if (answer.status === 200 && token !== valid) tally.revokedAccepted += 1;
              if (answer.status === 401 && token === valid) tally.validRefused += 1;
            }
            if (stale) staleRounds += 1;
            await sleep(50);
          }
          if (stale) reachedStale += 1;
        }),
      );
    } finally {
      redis.resume();
    }
    expect(reachedStale).toBe(fleet.length);

    // After SIGCONT each verifier proves its subscription live again, resyncs, and answers from its mirror.
    for (const { server } of fleet) {
      const back = await eventually(async () => {
        const answer = await ask(server.url, valid, tally);
        return answer !== 'hang' && answer.status === 200;
      }, 15_000);
      if (!back) tally.validRefused += 1;
      for (const token of revokedForms) {
        const answer = await ask(server.url, token, tally);
        if (answer !== 'hang' && answer.status === 200) tally.revokedAccepted += 1;
        expect(refusedAsRevoked(answer)).toBe(true);
      }
    }
    console.log(`fleet fault (Redis SIGSTOP past maxStalenessMs ${MAX_STALENESS_MS} ms, then SIGCONT) over ${fleet.length} adapters: ${JSON.stringify(tally)}`);
    expect(faults(tally)).toEqual(faults(zero()));
  });
});
