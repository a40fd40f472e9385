import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRevocationList, RevocationListUnavailableError, type RevocationList } from '../src/index.js';
import { verified } from './tokens.js';
import { connectedClient, RedisClusterServers, RedisServer } from './redis-server.js';

const ISS = 'https://issuer.example';
const exp = (): number => Math.floor(Date.now() / 1000) + 600;

async function eventually(check: () => boolean, what: string, tries = 400): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < tries; i += 1) {
    if (check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what} did not happen`);
}

function unavailable(list: RevocationList, claims: { iss: string; jti: string; exp: number }): RevocationListUnavailableError | undefined {
  try {
    list.isRevoked(verified(claims));
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RevocationListUnavailableError);
    return error as RevocationListUnavailableError;
  }
}

describe('createRevocationList on one Redis server', () => {
  let redis: RedisServer;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    for (const run of cleanup.reverse()) await run().catch(() => undefined);
    await redis.stop();
  });

  async function verifierList(options: Parameters<typeof createRevocationList>[0] = {}) {
    const client = await connectedClient(redis.url);
    const list = createRevocationList({ client, ...options });
    cleanup.push(() => client.close(), () => list.close());
    await list.ready();
    return { client, list };
  }

  it('a revocation made on one verifier is refused by every verifier, each with its own connections, from memory', async () => {
    const fleet = await Promise.all([1, 2, 3, 4].map(() => verifierList()));
    const claims = { iss: ISS, jti: 'fleet-1', exp: exp() };
    for (const { list } of fleet) expect(list.isRevoked(verified(claims))).toBe(false);
    await fleet[0]!.list.revoke(claims);
    for (const [i, { list }] of fleet.entries()) {
      const ms = await eventually(() => list.isRevoked(verified(claims)), `verifier ${i} refusing the token`);
      console.log(`verifier ${i} refused the revoked token ${ms.toFixed(1)} ms after revoke() resolved`);
      // A second token string with the same claims (a malleated signature) is the same (iss, jti).
      expect(list.isRevoked({ adapter: 'koa' }, verified({ ...claims }))).toBe(true);
    }
    // A verifier that starts later loads it by SCAN.
    const late = await verifierList();
    expect(late.list.isRevoked(verified(claims))).toBe(true);
    expect(late.list.list()).toContainEqual(claims);
  });

  it('syncedAtMs(): undefined before ready(), then when the mirror was last known complete, moved on by heartbeats that come back', async () => {
    const client = await connectedClient(redis.url);
    const list = createRevocationList({ client, maxStalenessMs: 600, heartbeatIntervalMs: 100 });
    cleanup.push(() => client.close(), () => list.close());
    expect(list.syncedAtMs()).toBeUndefined();
    const before = Date.now();
    await list.ready();
    const loaded = list.syncedAtMs() ?? 0;
    expect(loaded).toBeGreaterThanOrEqual(before);
    await eventually(() => (list.syncedAtMs() ?? 0) > loaded, 'a heartbeat confirming the mirror');
    const embedded = createRevocationList({ nowMs: () => 42 });
    expect(embedded.syncedAtMs()).toBe(42);
    await embedded.close();
  });

  it('stores one key per entry that Redis expires on its own at exp + tolerance', async () => {
    const { client, list } = await verifierList({ clockToleranceSeconds: 0, keyPrefix: 'ttl-test' });
    const soon = Math.floor(Date.now() / 1000) + 2;
    await list.revoke({ iss: ISS, jti: 'short', exp: soon });
    const keys = await client.keys('ttl-test:*');
    expect(keys).toHaveLength(1);
    expect(await client.pExpireTime(keys[0]!)).toBe(soon * 1000);
  });

  it('resyncs in full after its subscription was cut: 10,000 revocations whose announcements it never got', async () => {
    const { list } = await verifierList({ keyPrefix: 'bulk', maxStalenessMs: 600, heartbeatIntervalMs: 100 });
    const writer = await connectedClient(redis.url);
    cleanup.push(() => writer.close());
    const e = exp();
    const multi = writer.multi();
    const payload = (i: number) => Buffer.from(`j-${i}`).toString('base64url');
    // Written without announcements, as if they had been lost while the verifier was cut off.
    for (let i = 0; i < 10_000; i += 1) multi.set(`bulk:${e}:${Buffer.from(ISS).toString('base64url')}:${payload(i)}`, '1', { expiration: { type: 'PXAT', value: e * 1000 + 60_000 } });
    await multi.exec();
    expect(list.isRevoked(verified({ iss: ISS, jti: 'j-9999', exp: e }))).toBe(false);
    let resyncs = 0;
    const watched = createRevocationList({ client: writer, keyPrefix: 'bulk', maxStalenessMs: 600, heartbeatIntervalMs: 100, onResync: () => (resyncs += 1) });
    cleanup.push(() => watched.close());
    await watched.ready();
    expect(watched.list()).toHaveLength(10_000);
    // Cut every pub/sub connection: the verifier's subscriber reconnects and must resync.
    await writer.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    const ms = await eventually(() => list.list().length === 10_000, 'the resync after reconnect');
    console.log(`resync of 10,000 entries done ${ms.toFixed(0)} ms after the subscription was cut`);
    expect(list.isRevoked(verified({ iss: ISS, jti: 'j-0', exp: e }))).toBe(true);
    expect(list.isRevoked(verified({ iss: ISS, jti: 'j-9999', exp: e }))).toBe(true);
    await eventually(() => resyncs >= 2, 'the second verifier resyncing too');
  });

  it('refuses to start when Redis holds more than maxEntries, and answers 503-typed errors until then', async () => {
    const client = await connectedClient(redis.url);
    cleanup.push(() => client.close());
    const writerList = createRevocationList({ client, keyPrefix: 'small' });
    cleanup.push(() => writerList.close());
    await writerList.ready();
    for (const jti of ['a', 'b', 'c']) await writerList.revoke({ iss: ISS, jti, exp: exp() });
    const small = createRevocationList({ client, keyPrefix: 'small', maxEntries: 2 });
    cleanup.push(() => small.close());
    expect(unavailable(small, { iss: ISS, jti: 'z', exp: exp() })?.reason).toBe('not-ready');
    await expect(small.ready()).rejects.toMatchObject({ code: 'ERR_REVOCATION_LIST_FULL' });
    expect(unavailable(small, { iss: ISS, jti: 'z', exp: exp() })?.code).toBe('ERR_REVOCATION_CHECK_UNAVAILABLE');
  });
});

describe('createRevocationList when Redis fails', () => {
  it('failClosed: SIGKILL → serves the mirror, then throws (503) past maxStalenessMs; after a restart it resyncs and sees revocations made meanwhile', async () => {
    const redis = await RedisServer.start();
    const verifierClient = await connectedClient(redis.url);
    const list = createRevocationList({ client: verifierClient, maxStalenessMs: 600, heartbeatIntervalMs: 100 });
    try {
      await list.ready();
      const before = { iss: ISS, jti: 'before', exp: exp() };
      await list.revoke(before);
      const other = { iss: ISS, jti: 'other', exp: exp() };
      await redis.kill();
      const killedAt = performance.now();
      // A revoked token stays refused whatever the state of Redis.
      expect(list.isRevoked(verified(before))).toBe(true);
      await eventually(() => unavailable(list, other) !== undefined, 'the list failing closed');
      const after = performance.now() - killedAt;
      console.log(`failClosed after ${after.toFixed(0)} ms (maxStalenessMs 600)`);
      expect(unavailable(list, other)).toMatchObject({ reason: 'stale', status: 503 });

      await redis.restart();
      const writer = await connectedClient(redis.url);
      // Made while the verifier was still reconnecting (its announcement may be lost): the resync finds it.
      const meanwhile = { iss: ISS, jti: 'meanwhile', exp: exp() };
      await createRevocationList({ client: writer }).revoke(meanwhile);
      await eventually(() => unavailable(list, other) === undefined && list.isRevoked(verified(meanwhile)), 'the resync after the restart');
      expect(list.isRevoked(verified(meanwhile))).toBe(true);
      await writer.close();
    } finally {
      await list.close();
      verifierClient.destroy();
      await redis.stop();
    }
  });

  it('SIGSTOP / SIGCONT: failClosed while paused, fresh again once resumed; failOpen serves the mirror and reports onStale', async () => {
    const redis = await RedisServer.start();
    const closedClient = await connectedClient(redis.url);
    const openClient = await connectedClient(redis.url);
    const staleEvents: number[] = [];
    const closed = createRevocationList({ client: closedClient, maxStalenessMs: 600, heartbeatIntervalMs: 100 });
    const open = createRevocationList({ client: openClient, maxStalenessMs: 600, heartbeatIntervalMs: 100, failurePolicy: 'failOpen', onStale: (e) => staleEvents.push(e.staleForMs) });
    try {
      await closed.ready();
      await open.ready();
      const revoked = { iss: ISS, jti: 'paused', exp: exp() };
      await closed.revoke(revoked);
      await eventually(() => open.isRevoked(verified(revoked)), 'the announcement');
      const fresh = { iss: ISS, jti: 'fresh', exp: exp() };
      redis.pause();
      await eventually(() => unavailable(closed, fresh) !== undefined, 'failing closed while paused');
      // The failOpen list's own last confirmation can be a heartbeat later than the failClosed one's.
      await eventually(() => !open.isRevoked(verified(fresh)) && staleEvents.length >= 1, 'onStale from the failOpen list while paused');
      expect(open.isRevoked(verified(revoked))).toBe(true);
      expect(staleEvents[0]).toBeGreaterThan(600);
      redis.resume();
      await eventually(() => unavailable(closed, fresh) === undefined, 'fresh again after SIGCONT');
      expect(closed.isRevoked(verified(revoked))).toBe(true);
    } finally {
      redis.resume();
      await closed.close();
      await open.close();
      closedClient.destroy();
      openClient.destroy();
      await redis.stop();
    }
  });
});

describe('createRevocationList on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterServers;
  beforeAll(async () => {
    cluster = await RedisClusterServers.start();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('revocations spread over the masters reach every verifier, and a new verifier loads them all by SCAN on each master', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => cluster.connect()));
    const lists = clients.map((client) => createRevocationList({ client }));
    try {
      for (const list of lists) await list.ready();
      const revoked = Array.from({ length: 30 }, (_, i) => ({ iss: ISS, jti: `c-${i}`, exp: exp() }));
      for (const [i, claims] of revoked.entries()) await lists[i % 3]!.revoke(claims);
      for (const list of lists) await eventually(() => revoked.every((claims) => list.isRevoked(verified(claims))), 'every cluster verifier refusing');
      const late = await cluster.connect();
      const lateList = createRevocationList({ client: late });
      await lateList.ready();
      expect(lateList.list()).toHaveLength(30);
      await lateList.close();
      await late.close();
    } finally {
      for (const list of lists) await list.close();
      for (const client of clients) await client.close();
    }
  });
});

describe('createRevocationList on a Redis Cluster whose master fails over', () => {
  let cluster: RedisClusterServers;
  beforeAll(async () => {
    cluster = await RedisClusterServers.start({ replicasPerMaster: 1, nodeTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  // A master that dies may have published an announcement the other nodes never relayed while its replica (promoted)
  // holds the key: a list whose subscription and heartbeats never touched that master must still reload in full.
  it('every list resyncs in full after a master dies and its replica is promoted, wherever its subscription lives', async () => {
    const lists = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const client = await cluster.connect({ refreshTopologyAfterMs: 500 });
        const resyncs: number[] = [];
        // Heartbeats far apart: the first after the kill goes out once the topology is refreshed, so only the loss of
        // a node of the list's own cluster client can tell it announcements may have been lost.
        const list = createRevocationList({ client, heartbeatIntervalMs: 4000, maxStalenessMs: 60_000, onError: () => undefined, onResync: () => void resyncs.push(Date.now()) });
        await list.ready();
        return { client, list, resyncs };
      }),
    );
    try {
      const victim = cluster.masters()[0]!;
      const replica = cluster.replicaOf(victim)!;
      const killedAt = Date.now();
      await victim.kill();
      await eventually(() => cluster.masters().includes(replica), 'the replica promoted', 2000);
      for (const { resyncs } of lists) await eventually(() => resyncs.some((at) => at > killedAt), 'a resync after the failover', 2000);
      // The subscription works across the failover: a revocation made now reaches every list.
      const claims = { iss: ISS, jti: 'after-failover', exp: exp() };
      await lists[0]!.list.revoke(claims);
      for (const { list } of lists) await eventually(() => list.isRevoked(verified(claims)), 'every list refusing a revocation made after the failover');
    } finally {
      for (const { list, client } of lists) {
        await list.close();
        client.destroy();
      }
    }
  });
});
