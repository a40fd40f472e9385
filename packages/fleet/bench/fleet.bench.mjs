// Costs of kms-jwt-fleet's revocation list, in one process against a redis-server it starts on a free
// loopback port: the per-request cost of isRevoked (an in-memory mirror) against a Redis EXISTS per
// request and against no check; the time from revoke() to refusal on 4 verifier lists; the heap
// the mirror takes for 1,000,000 live revocations. Run with `pnpm bench` (builds first; needs
// redis-server on PATH and node --expose-gc, which the bench script passes). Not a test: it asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import { createRevocationList } from '../dist/index.js';

const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 1_000_000);
const GETS = Number(process.env.BENCH_GETS ?? 100_000);
const IN_FLIGHT = 32;
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 500);
const LIVE = Number(process.env.BENCH_LIVE ?? 1_000_000);
const ISS = 'https://issuer.example';
const exp = Math.floor(Date.now() / 1000) + 3600;
const b64 = (text) => Buffer.from(text).toString('base64url');

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc (the package.json bench script does)');

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const port = await freePort();
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
for (let i = 0; i < 200; i++) {
  if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const url = `redis://127.0.0.1:${port}`;
const connect = async () => {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
};
const clients = [];
const lists = [];
const rows = [];

try {
  const writer = await connect();
  clients.push(writer);

  // 1. Per-request cost: 10,000 revoked, lookups alternate a revoked and a never-revoked token.
  const revokedJtis = Array.from({ length: 10_000 }, () => randomUUID());
  const pipeline = writer.multi();
  for (const jti of revokedJtis) pipeline.set(`kms-jwt:revoked:${exp}:${b64(ISS)}:${b64(jti)}`, '1', { expiration: { type: 'PXAT', value: exp * 1000 + 60_000 } });
  await pipeline.execAsPipeline();
  const list = createRevocationList({ client: writer });
  lists.push(list);
  await list.ready();
  const tokens = Array.from({ length: 20_000 }, (_, i) => ({ header: { alg: 'ES256', kid: 'k' }, payload: { sub: 'u', iss: ISS, jti: i % 2 === 0 ? revokedJtis[i / 2] : randomUUID(), exp }, key: 'k' }));
  const loop = (check) => {
    let hits = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < LOOKUPS; i++) if (check(tokens[i % tokens.length])) hits++;
    return { ns: Number(process.hrtime.bigint() - started) / LOOKUPS, hits };
  };
  const none = () => false;
  for (let round = 0; round < 2; round++) loop(none), loop(list.isRevoked); // warm up
  const noCheck = loop(none);
  const mirror = loop(list.isRevoked);
  if (mirror.hits !== LOOKUPS / 2) throw new Error(`mirror answered ${mirror.hits} hits, expected ${LOOKUPS / 2}`);
  let next = 0;
  let found = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < GETS) {
        const { payload } = tokens[next++ % tokens.length];
        if ((await writer.exists(`kms-jwt:revoked:${payload.exp}:${b64(payload.iss)}:${b64(payload.jti)}`)) === 1) found++;
      }
    }),
  );
  const perGet = Number(process.hrtime.bigint() - started) / GETS;
  if (found !== GETS / 2) throw new Error(`EXISTS found ${found}, expected ${GETS / 2}`);
  rows.push(['no check (baseline loop)', `${noCheck.ns.toFixed(1)} ns`, '1.0×']);
  rows.push([`isRevoked, in-memory mirror (${LOOKUPS.toLocaleString('en')} lookups, half hits)`, `${mirror.ns.toFixed(1)} ns`, `${(mirror.ns / noCheck.ns).toFixed(1)}×`]);
  rows.push([`Redis EXISTS per request (${GETS.toLocaleString('en')}, ${IN_FLIGHT} in flight, loopback)`, `${(perGet / 1000).toFixed(2)} µs`, `${Math.round(perGet / noCheck.ns).toLocaleString('en')}× (${Math.round(perGet / mirror.ns).toLocaleString('en')}× the mirror)`]);

  // 2. Propagation: revoke() on one list until each of 4 verifier lists (own connections) refuses.
  const fleet = [];
  for (let i = 0; i < 4; i++) {
    const client = await connect();
    clients.push(client);
    const verifier = createRevocationList({ client });
    lists.push(verifier);
    await verifier.ready();
    fleet.push(verifier);
  }
  const samples = [];
  for (let r = 0; r < REVOCATIONS; r++) {
    const token = { header: { alg: 'ES256', kid: 'k' }, payload: { iss: ISS, jti: randomUUID(), exp }, key: 'k' };
    const t0 = performance.now();
    await list.revoke(token.payload);
    const pending = new Set(fleet);
    while (pending.size > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      for (const verifier of pending) {
        if (verifier.isRevoked(token)) {
          samples.push(performance.now() - t0);
          pending.delete(verifier);
        }
      }
    }
  }
  samples.sort((a, b) => a - b);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))].toFixed(2);
  rows.push([`revoke() → refused by each of 4 lists (${REVOCATIONS} revocations, ${samples.length} samples)`, `p50 ${pct(50)} ms, p99 ${pct(99)} ms`, `max ${samples.at(-1).toFixed(2)} ms`]);

  // 3. Memory: 1,000,000 live revocations (UUID jti), loaded by SCAN into a fresh list's mirror.
  for (let written = 0; written < LIVE; written += 10_000) {
    const batch = writer.multi();
    for (let i = written; i < Math.min(LIVE, written + 10_000); i++) batch.set(`mem:${exp}:${b64(ISS)}:${b64(randomUUID())}`, '1', { expiration: { type: 'PXAT', value: exp * 1000 + 60_000 } });
    await batch.execAsPipeline();
  }
  const memClient = await connect();
  clients.push(memClient);
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const memList = createRevocationList({ client: memClient, keyPrefix: 'mem', maxEntries: LIVE + 1 });
  lists.push(memList);
  const loadStarted = performance.now();
  await memList.ready();
  const loadMs = performance.now() - loadStarted;
  globalThis.gc();
  const delta = process.memoryUsage().heapUsed - before;
  const loaded = memList.list().length;
  rows.push([`mirror of ${loaded.toLocaleString('en')} live revocations (UUID jti), heapUsed after GC`, `${(delta / 1024 / 1024).toFixed(0)} MiB`, `${Math.round(delta / loaded)} B/entry; ready() (SCAN) ${(loadMs / 1000).toFixed(1)} s`]);
} finally {
  for (const list of lists) await list.close().catch(() => undefined);
  for (const client of clients) client.destroy();
  redis.kill('SIGKILL');
}

console.log(`kms-jwt-fleet, Node ${process.version}, redis-server on loopback\n`);
console.log('| measure | cost | ratio / notes |');
console.log('| --- | ---: | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
