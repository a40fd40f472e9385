// Costs of kms-jwt-fleet, against a redis-server and a kms-local it starts on free loopback ports:
// the per-request cost of isRevoked (an in-memory mirror) against a Redis EXISTS per request and
// against no check; the time from revoke() in this process to refusal in each of 4 verifier PROCESSES
// (fleet-verifier.mjs, forked); the time from DisableKey to refusal in each of those processes, each
// with its own KMSClient and kms-pubkey-provider, through the key signal; the heap the mirror takes for
// 1,000,000 live revocations. Run with `pnpm bench` (builds first; needs redis-server on PATH and node
// --expose-gc, which the bench script passes). Not a test: it asserts nothing.
//
// Sizes (environment, for a quick check): BENCH_LOOKUPS, BENCH_GETS, BENCH_REVOCATIONS, BENCH_KEY_EVENTS,
// BENCH_LIVE, BENCH_VERIFIERS.
//
// One clock for several processes: each verifier process reports when it refused as
// performance.timeOrigin + performance.now() (epoch milliseconds, monotonic within the process), and
// this process reads its own the same way. Two processes' readings can differ by a fixed offset (each
// timeOrigin is a sample of the system clock), so the bench measures each offset before it starts, by
// IPC ping-pong: the child answers with its clock, and the round trip with the shortest duration gives
// offset = child's reading − midpoint of the round trip, within ± half that round trip. Timestamping
// the IPC messages on arrival instead would add the IPC latency to every sample.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { fork, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { startKmsLocal } from 'kms-local';
import { createClient } from 'redis';
import { createKeySignal, createRevocationList } from '../dist/index.js';

const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 1_000_000);
const GETS = Number(process.env.BENCH_GETS ?? 100_000);
const IN_FLIGHT = 32;
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 500);
const KEY_EVENTS = Number(process.env.BENCH_KEY_EVENTS ?? 50);
const LIVE = Number(process.env.BENCH_LIVE ?? 1_000_000);
const VERIFIERS = Number(process.env.BENCH_VERIFIERS ?? 4);
const CLOCK_PINGS = 50;
/** The providers' re-check rate limit (kms-pubkey-provider's failureCooldownMs, default 5 s), short so the bench waits less. */
const FAILURE_COOLDOWN_MS = 1000;
/** A round whose refusals have not all arrived in this long is an error (a lost message), not a slow sample. */
const ROUND_TIMEOUT_MS = 10_000;
const ISS = 'https://issuer.example';
const AUDIENCE = 'bench-api';
const exp = Math.floor(Date.now() / 1000) + 3600;
const b64 = (text) => Buffer.from(text).toString('base64url');
const now = () => performance.timeOrigin + performance.now();

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc (the package.json bench script does)');

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** p50, p99 and max of `samples` (ms), as two table cells. */
function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(2);
  return [`p50 ${pct(50)} ms, p99 ${pct(99)} ms`, `max ${sorted.at(-1).toFixed(2)} ms`];
}

/** A forked verifier process: `ask` sends a message and awaits the reply of a type with the same id; `wait` awaits a message; `toParentClock` maps its clock onto this one. */
async function startVerifier(start) {
  const child = fork(fileURLToPath(new URL('./fleet-verifier.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map();
  let failure;
  child.on('message', (message) => {
    if (message.type === 'error' || message.type === 'failed') {
      failure = new Error(`verifier process ${child.pid}: ${message.message}`);
      for (const { reject } of waiting.values()) reject(failure);
      waiting.clear();
      return;
    }
    const key = `${message.type}:${message.id ?? ''}`;
    const entry = waiting.get(key);
    waiting.delete(key);
    entry?.resolve(message);
  });
  child.on('exit', (code) => {
    const error = failure ?? new Error(`verifier process ${child.pid} exited with ${code}`);
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  });
  const member = {
    child,
    offsetMs: 0,
    rttMs: Infinity,
    wait(type, id = '') {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`verifier process ${child.pid}: no ${type} ${id} within ${ROUND_TIMEOUT_MS} ms`)), ROUND_TIMEOUT_MS);
        waiting.set(`${type}:${id}`, {
          resolve: (message) => {
            clearTimeout(timer);
            resolve({ member, ...message });
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      });
    },
    ask(message, replyType) {
      const reply = member.wait(replyType, message.id);
      child.send(message);
      return reply;
    },
    toParentClock: (at) => at - member.offsetMs,
  };
  await member.ask({ type: 'start', ...start }, 'ready');
  for (let i = 0; i < CLOCK_PINGS; i++) {
    const sent = now();
    const { at } = await member.ask({ type: 'clock', id: `c${i}` }, 'clock');
    const received = now();
    if (received - sent < member.rttMs) {
      member.rttMs = received - sent;
      member.offsetMs = at - (sent + received) / 2;
    }
  }
  return member;
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
const kms = await startKmsLocal({ onError: () => undefined });
const admin = new KMSClient(kms.clientConfig);
const clients = [];
const lists = [];
const fleet = [];
const rows = [];
const notes = [];
let signal;
const stopFleet = () =>
  Promise.all(
    fleet.splice(0).map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.send({ type: 'stop' });
        }),
    ),
  );

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

  // The verifier processes: each its own Redis connections, revocation list, KMSClient, provider (trusting the keys of section 4) and key signal.
  const eventKeys = [];
  for (let k = 0; k < KEY_EVENTS; k++) {
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    eventKeys.push(KeyMetadata.Arn);
  }
  const start = { redisUrl: url, kms: kms.clientConfig, keyArns: eventKeys, issuer: ISS, audience: AUDIENCE, failureCooldownMs: FAILURE_COOLDOWN_MS };
  for (let i = 0; i < VERIFIERS; i++) fleet.push(await startVerifier(start));
  const readyAt = Date.now();
  signal = createKeySignal({ client: writer });

  // 2. Propagation across processes: revoke() in this process until each of the verifier processes refuses the token.
  const samples = [];
  for (let r = 0; r < REVOCATIONS; r++) {
    const payload = { iss: ISS, jti: randomUUID(), exp };
    const id = `r${r}`;
    await Promise.all(fleet.map((member) => member.ask({ type: 'watch-revocation', id, ...payload }, 'watching')));
    const refusals = fleet.map((member) => member.wait('refused', id));
    const t0 = now();
    await list.revoke(payload);
    for (const { member, at } of await Promise.all(refusals)) samples.push(member.toParentClock(at) - t0);
  }
  rows.push([`revoke() → refused by each of ${VERIFIERS} verifier processes (${REVOCATIONS} revocations, ${samples.length} samples)`, ...percentiles(samples)]);

  // 3. Key disabled → refused: DisableKey in kms-local, then the key event, until each process's provider re-checked the key and its verifier refuses a token of it.
  // Each key was fetched at the processes' start: wait out the re-check rate limit (failureCooldownMs) so the event is acted on.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, readyAt + FAILURE_COOLDOWN_MS + 100 - Date.now())));
  const fromDisable = [];
  const fromEvent = [];
  const codes = new Set();
  for (const [k, keyArn] of eventKeys.entries()) {
    const id = `k${k}`;
    const token = await createKmsJwtSigner({ client: admin, keyId: keyArn, issuer: ISS, audience: AUDIENCE, expiresInSeconds: 600 }).sign({ sub: 'u' });
    await Promise.all(fleet.map((member) => member.ask({ type: 'watch-key', id, keyArn, token }, 'watching')));
    const refusals = fleet.map((member) => member.wait('key-refused', id));
    const t0 = now();
    await admin.send(new DisableKeyCommand({ KeyId: keyArn }));
    const t1 = now();
    await signal.publishKeyEvent({ keyArn, event: 'disabled' });
    for (const { member, at, code } of await Promise.all(refusals)) {
      codes.add(code);
      fromDisable.push(member.toParentClock(at) - t0);
      fromEvent.push(member.toParentClock(at) - t1);
    }
  }
  rows.push([`DisableKey → refused by each of ${VERIFIERS} processes' providers (key event; ${eventKeys.length} keys, ${fromDisable.length} samples)`, ...percentiles(fromDisable)]);
  rows.push([`publishKeyEvent → refused, same samples (each provider re-checks the key with kms-local: one GetPublicKey)`, ...percentiles(fromEvent)]);
  notes.push(`Clocks: each verifier process reports performance.timeOrigin + performance.now() (epoch ms); this process estimated each one's offset from it by ${CLOCK_PINGS} IPC ping-pongs (the one with the shortest round trip, NTP-style) and subtracted it: offsets ${fleet.map((m) => m.offsetMs.toFixed(3)).join(', ')} ms, each known within ±${Math.max(...fleet.map((m) => m.rttMs / 2)).toFixed(3)} ms.`);

  await stopFleet();
  notes.push(`The verifier processes refused the disabled keys' tokens with ${[...codes].join(', ')}.`);

  // 4. Memory: 1,000,000 live revocations (UUID jti), loaded by SCAN into a fresh list's mirror.
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
  await stopFleet();
  await signal?.close();
  for (const list of lists) await list.close().catch(() => undefined);
  for (const client of clients) client.destroy();
  redis.kill('SIGKILL');
  admin.destroy();
  await kms.close();
}

console.log(`kms-jwt-fleet, Node ${process.version}, redis-server and kms-local on loopback, ${VERIFIERS} verifier processes\n`);
console.log('| measure | cost | ratio / notes |');
console.log('| --- | ---: | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
for (const note of notes) console.log(`\n${note}`);
