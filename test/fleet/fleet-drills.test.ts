// Fault drills of kms-jwt-fleet through the HTTP adapters under load (issue 14): every adapter, failClosed and
// failOpen in turn, each with its own revocation list on its own connections to a real Redis, answering a steady stream
// of concurrent requests (valid, revoked and malleated-revoked tokens signed through kms-local) while Redis is
// SIGKILLed and restarted, SIGSTOPped and resumed, loses a Cluster master to its replica, or is cut off from the
// verifiers while 10,000 revocations are made. Prints what each drill measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRevocationList, type FleetRedisClient, type RevocationList } from 'kms-jwt-fleet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsWorld, type KmsWorld } from '../adapters/support/kms.js';
import { connectedClient, RedisClusterServers, RedisServer } from '../../packages/fleet/test/redis-server.js';
import { CuttableLink } from './support/cuttable-link.js';
import { expectDrillHeld, runDrill, type DrillOptions } from './support/drill.js';
import { claimsOf, eventually, MAX_STALENESS_MS, sleep, startFleet, type Verifier } from './support/fleet.js';

/** How long each fault lasts: past the staleness bound, so failClosed verifiers answer 503 and failOpen ones serve a stale mirror. */
const FAULT_MS = MAX_STALENESS_MS + 1000;
const STORM_ENTRIES = 10_000;

describe('fault drills of a fleet of HTTP verifiers (every adapter; failClosed and failOpen in turn) under load', () => {
  let world: KmsWorld;
  let jtiCounter = 0;
  const sign = () => world.sign({ jti: `drill-${process.pid}-${(jtiCounter += 1)}`, scope: 'orders:read' });
  const signMany = (n: number) => Promise.all(Array.from({ length: n }, () => sign()));
  /** The tokens of one drill: 4 valid, 4 revoked before it, 20 revoked while it runs. */
  const drillTokens = async () => {
    const [valid, confirmed, steady] = await Promise.all([signMany(4), signMany(4), signMany(20)]);
    return { valid, confirmed, steady };
  };

  beforeAll(async () => {
    world = await startKmsWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  /** An operator's list on its own connection, through which the drill revokes. */
  async function adminList(connect: () => Promise<FleetRedisClient>, cleanup: (() => Promise<unknown>)[]): Promise<RevocationList> {
    const client = await connect();
    const admin = createRevocationList({ client, onError: () => undefined });
    cleanup.push(async () => client.destroy(), () => admin.close());
    await admin.ready();
    return admin;
  }

  describe('on one Redis with an append-only file fsynced at every write (Redis run with persistence, as the README asks)', () => {
    let redis: RedisServer;
    let dir: string;
    let fleet: Verifier[];
    let admin: RevocationList;
    const cleanup: (() => Promise<unknown>)[] = [];
    const connect = () => connectedClient(redis.url);
    const drill = async (fault: DrillOptions['fault'], recover: DrillOptions['recover']) => runDrill({ fleet, admin, connect, ...(await drillTokens()), fault, recover });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kms-jwt-fleet-drill-'));
      redis = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]);
      fleet = await startFleet({ world, connect, policies: ['failClosed', 'failOpen'], cleanup });
      admin = await adminList(connect, cleanup);
    });
    afterAll(async () => {
      for (const run of cleanup.reverse()) await run().catch(() => undefined);
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('(a) Redis SIGKILLed past maxStalenessMs, then restarted: no revoked token accepted past the bound, no valid one refused, no 5xx but 503, no hang; all back to 200', async () => {
      const counts = await drill(
        async () => {
          await redis.kill();
          await sleep(FAULT_MS);
        },
        () => redis.restart(),
      );
      // The AOF kept every acknowledged revocation; the fault was felt (failClosed answered 503) and load ran through it.
      expectDrillHeld(`(a) Redis SIGKILL for ${FAULT_MS} ms, restart, over ${fleet.length} verifiers`, counts, { redisKeptEverything: true, failClosedAnswered503: true });
    });

    it('(b) Redis SIGSTOPped past maxStalenessMs, then SIGCONT: the same counts', async () => {
      const counts = await drill(
        async () => {
          redis.pause();
          await sleep(FAULT_MS);
        },
        async () => redis.resume(),
      );
      expectDrillHeld(`(b) Redis SIGSTOP for ${FAULT_MS} ms, SIGCONT, over ${fleet.length} verifiers`, counts, { redisKeptEverything: true, failClosedAnswered503: true });
    });
  });

  describe('on one Redis, the verifiers reaching it through a link that is cut', () => {
    let redis: RedisServer;
    let link: CuttableLink;
    let fleet: Verifier[];
    let admin: RevocationList;
    const cleanup: (() => Promise<unknown>)[] = [];

    beforeAll(async () => {
      redis = await RedisServer.start();
      link = await CuttableLink.open(redis.port);
      fleet = await startFleet({ world, connect: () => connectedClient(link.url), policies: ['failClosed', 'failOpen'], cleanup });
      admin = await adminList(() => connectedClient(redis.url), cleanup);
    });
    afterAll(async () => {
      for (const run of cleanup.reverse()) await run().catch(() => undefined);
      await link?.close();
      await redis?.stop();
    });

    it(`(d) ${STORM_ENTRIES.toLocaleString('en')} revocations made while every verifier is cut off, then the resync storm when the link is back: the same counts`, async () => {
      const { valid, confirmed } = await drillTokens();
      const signed = await signMany(20);
      const { iss } = claimsOf(signed[0]!);
      const exp = Math.floor(Date.now() / 1000) + 600;
      const counts = await runDrill({
        fleet,
        admin,
        connect: () => connectedClient(redis.url),
        valid,
        confirmed,
        steady: [],
        fault: async ({ revoke }) => {
          const cutAt = Date.now();
          link.cut();
          // 20 signed tokens spread among 9,980 revocations of claims alone, 500 in flight at a time.
          const every = STORM_ENTRIES / signed.length;
          for (let start = 0; start < STORM_ENTRIES; start += 500) {
            await Promise.all(
              Array.from({ length: 500 }, (_, k) => {
                const i = start + k;
                return i % every === 0 ? revoke(signed[i / every]!) : admin.revoke({ iss, jti: `storm-${process.pid}-${i}`, exp });
              }),
            );
          }
          await sleep(Math.max(0, cutAt + FAULT_MS - Date.now()));
        },
        recover: async () => link.restore(),
      });
      expectDrillHeld(`(d) ${STORM_ENTRIES} revocations while cut off, then resync, over ${fleet.length} verifiers`, counts, { redisKeptEverything: true, failClosedAnswered503: true });
      expect(counts.revokeRejected).toBe(0);
      for (const { list } of fleet) expect(list.list().length).toBeGreaterThanOrEqual(STORM_ENTRIES + confirmed.length);
    });
  });

  describe('on a Redis Cluster of 3 masters, each with a replica', () => {
    let cluster: RedisClusterServers;
    let fleet: Verifier[];
    let admin: RevocationList;
    const cleanup: (() => Promise<unknown>)[] = [];
    // Clients that retry a lost node every 50 ms and rediscover the topology 500 ms after losing one (node-redis's default: 5 s).
    const connect = () => cluster.connect({ refreshTopologyAfterMs: 500 });

    beforeAll(async () => {
      cluster = await RedisClusterServers.start({ replicasPerMaster: 1, nodeTimeoutMs: 1000 });
      fleet = await startFleet({ world, connect, policies: ['failClosed', 'failOpen'], cleanup });
      admin = await adminList(connect, cleanup);
    });
    afterAll(async () => {
      for (const run of cleanup.reverse()) await run().catch(() => undefined);
      await cluster?.stop();
    });

    it('(c) a master SIGKILLed and its replica promoted: the same counts', async () => {
      let promoted = false;
      const counts = await runDrill({
        fleet,
        admin,
        connect,
        ...(await drillTokens()),
        fault: async () => {
          const victim = cluster.masters()[0]!;
          const replica = cluster.replicaOf(victim);
          await victim.kill();
          promoted = await eventually(async () => (await cluster.healthy()) && replica !== undefined && cluster.masters().includes(replica), 20_000);
        },
        recover: async () => undefined,
        healsItself: true,
      });
      expect(promoted).toBe(true);
      expectDrillHeld(`(c) Redis Cluster master SIGKILL, replica promoted, over ${fleet.length} verifiers`, counts, { redisKeptEverything: false, failClosedAnswered503: false });
    });
  });
});
