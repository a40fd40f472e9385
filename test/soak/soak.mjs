// Soak: mixed valid, invalid and never-repeated tokens through kms-jwt-express (Express 5),
// kms-jwt-koa (Koa 3) and passport-kms-jwt (Express 5) over loopback HTTP with keep-alive, for
// SOAK_SECONDS; prints the server process's memory (after a forced full GC) every few seconds, and
// fails (exit 1) on any 5xx, unexpected status or request error, or when memory grows past the
// caches' bounds. See README.md for the bound, the parameters and how to read the output.
//
// Processes: this one runs kms-local, mints the tokens and drives the load; the three apps run in a
// child process (server.mjs, with --expose-gc), so the memory measured is the server's alone and
// the load generator's allocations do not pollute it.
import { fork } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { startKmsLocal } from 'kms-local';

// The SDK warns once per process that it will need Node 22 from 2027; the suite runs on 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function setting(name, fallback, min = 0) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`soak: ${name} must be a number >= ${min}, not ${raw}`);
  return value;
}

const SECONDS = setting('SOAK_SECONDS', 60, 10);
const SAMPLE_SECONDS = setting('SOAK_SAMPLE_SECONDS', 5, 1);
const CONNECTIONS = Math.floor(setting('SOAK_CONNECTIONS', 8, 1));
const CACHE_ENTRIES = Math.floor(setting('SOAK_CACHE_ENTRIES', 1000, 1));
const SLACK_MB = setting('SOAK_SLACK_MB', 5);
const TREND_MB = setting('SOAK_TREND_MB', 2);
const RSS_SLACK_MB = setting('SOAK_RSS_SLACK_MB', 32);
/** A check of the soak itself: the server keeps this many bytes per request, a leak the verdict must catch. */
const LEAK_BYTES_PER_REQUEST = Math.floor(setting('SOAK_LEAK_BYTES_PER_REQUEST', 0));
/** The warm-up lasts at least this share of the run, and must be over by half of it. */
const WARMUP_MIN_FRACTION = 0.2;
/** Each app's cache must have admitted this many times its capacity before the warm-up ends (filled, then wholly evicted). */
const WARMUP_FILLS = 2;

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';
const ALIAS = 'alias/soak-issuer';
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Keys and tokens. The issuer's key lives in kms-local (seeded with a private key made here, so the
// verifiers get its public key through KMS GetPublicKey, as in production); this process keeps a
// copy of the private key to mint never-repeated tokens cheaply (one local ECDSA signature each,
// the same compact JWS kms-jwt-signer makes: kid = key ARN, R‖S signature). The hot tokens are
// signed through KMS Sign by kms-jwt-signer.

const issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const attackerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keyId = randomUUID();
const kms = await startKmsLocal({
  host: '127.0.0.1',
  port: 0,
  onError: (error) => console.error(`kms-local: ${error instanceof Error ? error.message : String(error)}`),
  seed: { keys: [{ keyId, keySpec: 'ECC_NIST_P256', privateKeyPem: issuerKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), aliases: [ALIAS] }] },
});
const keyArn = `arn:aws:kms:${kms.region}:${kms.accountId}:key/${keyId}`;

const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const lifetimeSeconds = SECONDS + 3600;
const issuerHeader = encode({ alg: 'ES256', typ: 'JWT', kid: keyArn });
let serial = 0;

function claims(extra = {}) {
  const now = nowSeconds();
  serial += 1;
  return { iss: ISSUER, aud: AUDIENCE, sub: `user-${serial}`, scope: 'orders:read', iat: now, exp: now + lifetimeSeconds, jti: `soak-${serial}`, ...extra };
}

function mint(payload, { header = issuerHeader, key = issuerKey.privateKey } = {}) {
  const input = `${header}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const admin = new KMSClient(kms.clientConfig);
const signer = createKmsJwtSigner({ keyId: ALIAS, client: admin, expiresInSeconds: lifetimeSeconds, issuer: ISSUER, audience: AUDIENCE });
/** Tokens every client reuses (cache hits): signed through KMS Sign; a quarter also carry orders:write. */
const hot = await Promise.all(
  Array.from({ length: 32 }, async (_, i) => {
    const write = i % 4 === 0;
    const sub = `hot-${i}`;
    return { sub, write, token: await signer.sign({ sub, scope: write ? 'orders:read orders:write' : 'orders:read' }) };
  }),
);
admin.destroy();
for (const { token } of hot) {
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
  if (header.kid !== keyArn || header.alg !== 'ES256') throw new Error('soak: kms-jwt-signer did not sign with the seeded key');
}

// ---------------------------------------------------------------------------------------------
// The server process.

const serverScript = fileURLToPath(new URL('./server.mjs', import.meta.url));
const child = fork(serverScript, [], {
  execArgv: ['--expose-gc'],
  env: {
    ...process.env,
    SOAK_CONFIG: JSON.stringify({
      clientConfig: kms.clientConfig,
      alias: ALIAS,
      issuer: ISSUER,
      audience: AUDIENCE,
      cacheEntries: CACHE_ENTRIES,
      keyRefreshMs: 30_000,
      aliasRefreshMs: 10_000,
      leakBytesPerRequest: LEAK_BYTES_PER_REQUEST,
    }),
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const failures = [];
let stopping = false;
const pendingMeasures = new Map();
child.on('exit', (code, signal) => {
  if (!stopping) failures.push(`the server process exited during the soak (code ${code}, signal ${signal})`);
  for (const resolve of pendingMeasures.values()) resolve(undefined);
  pendingMeasures.clear();
});
let measureId = 0;
child.on('message', (message) => {
  if (message?.type === 'fatal') failures.push(`server process: ${message.message}`);
  if (message?.type === 'memory') {
    pendingMeasures.get(message.id)?.(message.memory);
    pendingMeasures.delete(message.id);
  }
});
const ports = await new Promise((resolve, reject) => {
  child.once('exit', () => reject(new Error(`soak: the server process exited before listening: ${failures.join('; ')}`)));
  const onReady = (message) => {
    if (message?.type !== 'ready') return;
    child.off('message', onReady);
    resolve(message.ports);
  };
  child.on('message', onReady);
});

/** The server's memory after a forced full GC; `undefined` once the server process is gone. */
function measure() {
  if (!child.connected) return Promise.resolve(undefined);
  measureId += 1;
  const id = measureId;
  return new Promise((resolve) => {
    pendingMeasures.set(id, resolve);
    child.send({ type: 'measure', id });
  });
}

// ---------------------------------------------------------------------------------------------
// The traffic. Each app gets CONNECTIONS workers on one keep-alive agent; each worker loops: pick a
// kind of request by weight, send it, check the status (and for 200 the subject answered).

const apps = Object.entries(ports).map(([name, port]) => ({
  name,
  port,
  agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }),
  admitted: 0,
}));

const stats = { requests: 0, byStatus: new Map(), byKind: new Map(), unexpected: 0, errors: 0, serverErrors: 0, details: [] };

function send(app, path, authorization) {
  return new Promise((resolve, reject) => {
    const headers = authorization === undefined ? {} : { authorization };
    const outgoing = request({ host: '127.0.0.1', port: app.port, path, agent: app.agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Sends one request and checks its status; for a 200, that the answer names `sub`. Never prints a token. */
async function expect(kind, app, path, authorization, status, sub) {
  let reply;
  try {
    reply = await send(app, path, authorization);
  } catch (error) {
    stats.errors += 1;
    if (stats.details.length < 10) stats.details.push(`${kind} on ${app.name}: request failed (${error.code ?? error.message})`);
    return false;
  }
  stats.requests += 1;
  stats.byStatus.set(reply.status, (stats.byStatus.get(reply.status) ?? 0) + 1);
  stats.byKind.set(kind, (stats.byKind.get(kind) ?? 0) + 1);
  if (reply.status >= 500) stats.serverErrors += 1;
  let ok = reply.status === status;
  if (ok && status === 200) {
    try {
      ok = JSON.parse(reply.body).sub === sub;
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    stats.unexpected += 1;
    if (stats.details.length < 10) stats.details.push(`${kind} on ${app.name} ${path}: expected ${status}, got ${reply.status} ${reply.body.slice(0, 160)}`);
  }
  return ok;
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];
const randomChars = (n) => randomUUID().replace(/-/g, '').repeat(Math.ceil(n / 32)).slice(0, n);

/** Kinds of requests, with their weight in the mix and what each must get. */
const KINDS = [
  {
    // Reused tokens: cache hits after their second request.
    name: 'hot (reused, cache hits)',
    weight: 28,
    run: (app) => {
      const { sub, write, token } = pick(hot);
      return write && Math.random() < 0.5 ? expect('hot', app, '/orders/write', `Bearer ${token}`, 200, sub) : expect('hot', app, '/orders', `Bearer ${token}`, 200, sub);
    },
  },
  {
    // A new token sent twice: admitted to the cache on its second verification, evicting the least recently used.
    name: 'twice (new token sent twice: cache admission and eviction)',
    weight: 30,
    // Three times as often during the warm-up, which fills every cache sooner.
    warmupWeight: 90,
    run: async (app) => {
      const payload = claims();
      const token = mint(payload);
      const first = await expect('twice', app, '/orders', `Bearer ${token}`, 200, payload.sub);
      const second = await expect('twice', app, '/orders', `Bearer ${token}`, 200, payload.sub);
      if (first && second) app.admitted += 1;
    },
  },
  {
    // Never repeated: verified once, never cached (only the doorkeeper's bounded first-sighting set sees them).
    name: 'distinct (never repeated)',
    weight: 12,
    run: (app) => {
      const payload = claims();
      return expect('distinct', app, '/orders', `Bearer ${mint(payload)}`, 200, payload.sub);
    },
  },
  {
    name: 'tampered (signature or payload changed)',
    weight: 6,
    run: (app) => {
      const [header, payload, signature] = mint(claims()).split('.');
      const at = Math.floor(Math.random() * (signature.length - 2));
      const flipped = `${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
      const token = pick([`${header}.${payload}.${flipped}`, `${header}.${encode(claims({ sub: 'admin' }))}.${signature}`, `${pick(hot).token.split('.').slice(0, 2).join('.')}.${signature}`]);
      return expect('tampered', app, '/orders', `Bearer ${token}`, 401);
    },
  },
  {
    name: 'claims (expired, not yet valid, wrong iss or aud, no exp)',
    weight: 6,
    run: (app) => {
      const now = nowSeconds();
      const payload = pick([
        claims({ iat: now - 600, exp: now - 60 }),
        claims({ nbf: now + 600 }),
        claims({ iss: 'https://evil.example' }),
        claims({ aud: 'other-api' }),
        claims({ exp: undefined }),
      ]);
      return expect('claims', app, '/orders', `Bearer ${mint(payload)}`, 401);
    },
  },
  {
    // A new untrusted kid every time (never KMS-fetched, no per-kid state), or the trusted kid with another key.
    name: 'untrusted kid (distinct every time)',
    weight: 6,
    run: (app) => {
      const kid = pick([`arn:aws:kms:${kms.region}:${kms.accountId}:key/${randomUUID()}`, `alias/${randomUUID()}`, randomUUID(), keyArn]);
      const token = mint(claims(), { header: encode({ alg: 'ES256', typ: 'JWT', kid }), key: attackerKey.privateKey });
      return expect('untrusted kid', app, '/orders', `Bearer ${token}`, 401);
    },
  },
  {
    name: 'algorithm (none, HS256 keyed with the public key, no kid)',
    weight: 3,
    run: (app) => {
      const payload = encode(claims());
      const none = `${encode({ alg: 'none', kid: keyArn })}.${payload}.`;
      const hsInput = `${encode({ alg: 'HS256', kid: keyArn })}.${payload}`;
      const hs = `${hsInput}.${createHmac('sha256', issuerKey.publicKey.export({ type: 'spki', format: 'pem' })).update(hsInput).digest('base64url')}`;
      const noKid = mint(claims(), { header: encode({ alg: 'ES256', typ: 'JWT' }) });
      return expect('algorithm', app, '/orders', `Bearer ${pick([none, hs, noKid])}`, 401);
    },
  },
  {
    name: 'malformed token (segments, base64url, JSON)',
    weight: 3,
    run: (app) => {
      const token = pick([
        randomChars(40),
        `${randomChars(20)}.${randomChars(30)}`,
        `${randomChars(10)}.${randomChars(10)}.${randomChars(10)}.${randomChars(10)}`,
        `${issuerHeader}.${encode(claims())}.~~${randomChars(20)}`,
        `${Buffer.from(`{"alg":"ES256",${randomChars(8)}`).toString('base64url')}.${encode(claims())}.${randomChars(86)}`,
        `${issuerHeader}.${Buffer.from(`[${randomChars(12)}]`).toString('base64url')}.${randomChars(86)}`,
      ]);
      return expect('malformed token', app, '/orders', `Bearer ${token}`, 401);
    },
  },
  {
    name: 'oversize token (> 8192 bytes)',
    weight: 2,
    run: (app) => expect('oversize', app, '/orders', `Bearer ${mint(claims({ pad: randomChars(9000) }))}`, 401),
  },
  {
    name: 'bad Authorization header (400)',
    weight: 2,
    run: (app) => {
      const value = pick(['Bearer', `Bearer ${randomChars(20)} ${randomChars(20)}`, `Bearer ${randomChars(10)}!${randomChars(10)}`, [`Bearer ${pick(hot).token}`, `Bearer ${randomChars(30)}`]]);
      return expect('bad header', app, '/orders', value, 400);
    },
  },
  {
    name: 'no credentials',
    weight: 1,
    run: (app) => expect('no credentials', app, '/orders', undefined, 401),
  },
  {
    name: 'insufficient scope (403)',
    weight: 1,
    run: (app) => {
      const { token } = pick(hot.filter(({ write }) => !write));
      return expect('insufficient scope', app, '/orders/write', `Bearer ${token}`, 403);
    },
  },
];
const weightOf = (kind) => (warmupEnd === undefined ? (kind.warmupWeight ?? kind.weight) : kind.weight);
function pickKind() {
  let draw = Math.random() * KINDS.reduce((sum, kind) => sum + weightOf(kind), 0);
  for (const kind of KINDS) {
    draw -= weightOf(kind);
    if (draw < 0) return kind;
  }
  return KINDS[KINDS.length - 1];
}

/** While set, workers finish their request and wait here (the baseline is measured with no request in flight). */
let pause;
let parked = 0;

async function worker(app) {
  while (!stopping) {
    if (pause !== undefined) {
      parked += 1;
      await pause.promise;
      parked -= 1;
    }
    await pickKind().run(app);
  }
}

/** Stops the load until the returned function is called; resolves once no request is in flight. */
async function pauseLoad() {
  let release;
  pause = { promise: new Promise((resolve) => (release = resolve)) };
  while (parked < workers.length) await new Promise((resolve) => setTimeout(resolve, 5));
  return () => {
    pause = undefined;
    release();
  };
}

// ---------------------------------------------------------------------------------------------
// The run: a sample before any traffic, then one every SAMPLE_SECONDS while the load runs, then
// one after it stops.

const fmt = (bytes) => (bytes / MB).toFixed(1).padStart(6);
const samples = [];
let warmupEnd;
const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;

async function sample(label) {
  const memory = await measure();
  if (memory === undefined) return undefined;
  const entry = { t: elapsed(), requests: stats.requests, ...memory, js: memory.heapUsed + memory.external };
  samples.push(entry);
  const admitted = apps.map((app) => app.admitted).join('/');
  console.log(
    `${entry.t.toFixed(0).padStart(5)} s ${String(entry.requests).padStart(9)} req  rss ${fmt(entry.rss)} MB  heapUsed ${fmt(entry.heapUsed)} MB  external ${fmt(entry.external)} MB  heapUsed+external ${fmt(entry.js)} MB  admitted ${admitted}${label ? `  ${label}` : ''}`,
  );
  return entry;
}

if (LEAK_BYTES_PER_REQUEST > 0) console.log(`soak: SOAK_LEAK_BYTES_PER_REQUEST=${LEAK_BYTES_PER_REQUEST}: the server leaks on purpose; this run must FAIL`);
console.log(
  `soak: ${SECONDS} s of mixed traffic through ${apps.map((app) => app.name).join(', ')}; ${CONNECTIONS} keep-alive connections per app; verified-token cache ${CACHE_ENTRIES} entries per app; a sample (after forced GC in the server) every ${SAMPLE_SECONDS} s`,
);
console.log('    time   requests   server memory after forced GC                                      cache admissions per app');
const initial = await sample('before traffic');
if (initial === undefined) throw new Error(`soak: the server process did not report its memory: ${failures.join('; ')}`);
const workers = apps.flatMap((app) => Array.from({ length: CONNECTIONS }, () => worker(app)));
const warmupMin = SECONDS * WARMUP_MIN_FRACTION;
const admissionsNeeded = WARMUP_FILLS * CACHE_ENTRIES;

await new Promise((resolve) => {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const t = elapsed();
    const last = t >= SECONDS - 0.5;
    const warmed = warmupEnd === undefined && t >= warmupMin && apps.every((app) => app.admitted >= admissionsNeeded);
    // The baseline is measured idle (load paused for a moment), like the last sample after the load stops.
    const resume = warmed ? await pauseLoad() : undefined;
    const entry = await sample(warmed ? 'warm-up over: baseline (load paused)' : '');
    resume?.();
    if (warmed && entry !== undefined) warmupEnd = entry;
    busy = false;
    if (last || failures.length > 0 || entry === undefined) {
      clearInterval(timer);
      resolve();
    }
  }, SAMPLE_SECONDS * 1000);
});
stopping = true;
await Promise.all(workers);
const seconds = elapsed();
const final = await sample('load stopped');
for (const app of apps) app.agent.destroy();
if (child.connected) child.disconnect();
await kms.close();

// ---------------------------------------------------------------------------------------------
// The verdict.

/** Least-squares slope of `value` over `t`, per second. */
function slope(points, value) {
  const n = points.length;
  const meanT = points.reduce((sum, p) => sum + p.t, 0) / n;
  const meanV = points.reduce((sum, p) => sum + value(p), 0) / n;
  const num = points.reduce((sum, p) => sum + (p.t - meanT) * (value(p) - meanV), 0);
  const den = points.reduce((sum, p) => sum + (p.t - meanT) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

if (stats.serverErrors > 0) failures.push(`${stats.serverErrors} answers were 5xx`);
if (stats.unexpected > 0) failures.push(`${stats.unexpected} answers had an unexpected status (or a 200 naming another subject)`);
if (stats.errors > 0) failures.push(`${stats.errors} requests failed at the connection level`);
let trend;
let worst;
let rssEnvelope;
if (warmupEnd === undefined) {
  failures.push(
    `the warm-up did not fill the caches: each app's cache needs ${admissionsNeeded} admissions (${WARMUP_FILLS} × ${CACHE_ENTRIES} entries), got ${apps.map((app) => app.admitted).join('/')}; run longer (SOAK_SECONDS) or with a smaller SOAK_CACHE_ENTRIES`,
  );
} else {
  if (warmupEnd.t > SECONDS / 2 + 1) failures.push(`the warm-up took ${warmupEnd.t.toFixed(0)} s, more than half the run: too little left to judge the trend; run longer`);
  const after = samples.filter((s) => s.t > warmupEnd.t);
  worst = after.reduce((max, s) => (s.js > max.js ? s : max), after[0] ?? warmupEnd);
  if (worst.js > warmupEnd.js + SLACK_MB * MB) {
    failures.push(`heapUsed+external reached ${fmt(worst.js).trim()} MB at ${worst.t.toFixed(0)} s, past the baseline ${fmt(warmupEnd.js).trim()} MB + ${SLACK_MB} MB slack`);
  }
  const secondHalf = samples.filter((s) => s !== final && s.t >= SECONDS / 2);
  if (secondHalf.length < 3) failures.push(`only ${secondHalf.length} samples in the second half: lower SOAK_SAMPLE_SECONDS or run longer`);
  else {
    const span = secondHalf[secondHalf.length - 1].t - secondHalf[0].t;
    trend = { perMinute: slope(secondHalf, (s) => s.js) * 60, overHalf: slope(secondHalf, (s) => s.js) * span };
    if (trend.overHalf > TREND_MB * MB) failures.push(`heapUsed+external grows ${(trend.perMinute / MB).toFixed(2)} MB/min over the second half (${(trend.overHalf / MB).toFixed(2)} MB over it; limit ${TREND_MB} MB)`);
  }
  // RSS swings by tens of MB between samples, under load and even idle (allocator arenas, socket
  // buffers, when the allocator hands pages back), so its bound is the warm-up's envelope: every
  // later sample stays within the highest RSS seen up to the baseline + RSS_SLACK_MB.
  rssEnvelope = Math.max(...samples.filter((s) => s.t <= warmupEnd.t).map((s) => s.rss));
  const rssWorst = after.reduce((max, s) => (s.rss > max.rss ? s : max), after[0] ?? warmupEnd);
  if (rssWorst.rss > rssEnvelope + RSS_SLACK_MB * MB) {
    failures.push(`RSS reached ${fmt(rssWorst.rss).trim()} MB at ${rssWorst.t.toFixed(0)} s, past the warm-up's highest ${fmt(rssEnvelope).trim()} MB + ${RSS_SLACK_MB} MB`);
  }
}

const kmsCalls = kms.callCount();
console.log('\nsummary');
console.log(`  ran ${seconds.toFixed(1)} s: ${stats.requests} requests (${(stats.requests / seconds).toFixed(0)}/s), ${stats.errors} connection errors`);
console.log(`  statuses: ${[...stats.byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status} × ${n}`).join(', ')}; 5xx: ${stats.serverErrors}; unexpected: ${stats.unexpected}`);
console.log(`  by kind: ${[...stats.byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
console.log(`  cache admissions per app (new tokens verified twice): ${apps.map((app) => `${app.name} ${app.admitted}`).join(', ')}; capacity ${CACHE_ENTRIES} each`);
console.log(`  KMS calls (all operations, including the hot tokens' signing and the server's background refreshes): ${kmsCalls}`);
console.log(`  server heapUsed+external after GC: before traffic ${fmt(initial.js).trim()} MB`);
if (warmupEnd !== undefined) {
  console.log(
    `    baseline (caches full, at ${warmupEnd.t.toFixed(0)} s) ${fmt(warmupEnd.js).trim()} MB; highest after ${fmt(worst.js).trim()} MB (at ${worst.t.toFixed(0)} s); after the load stopped ${final === undefined ? '(no sample)' : `${fmt(final.js).trim()} MB`}; bound ${fmt(warmupEnd.js + SLACK_MB * MB).trim()} MB (baseline + ${SLACK_MB} MB)`,
  );
  console.log(`    filling the caches cost ${fmt(warmupEnd.js - initial.js).trim()} MB over the idle server (${apps.length} caches × ${CACHE_ENTRIES} entries, plus JIT code and pools)`);
}
if (trend !== undefined) {
  console.log(`    second-half trend: ${(trend.perMinute / MB).toFixed(2)} MB/min (${(trend.overHalf / MB).toFixed(2)} MB over the second half; limit ${TREND_MB} MB)`);
}
if (warmupEnd !== undefined) {
  const loaded = samples.filter((s) => s.t > warmupEnd.t && s !== final).map((s) => s.rss);
  console.log(
    `  server RSS: before traffic ${fmt(initial.rss).trim()} MB; highest up to the baseline ${fmt(rssEnvelope).trim()} MB; after it ${fmt(Math.min(...loaded)).trim()}–${fmt(Math.max(...loaded)).trim()} MB under load, ${final === undefined ? '(no sample)' : `${fmt(final.rss).trim()} MB`} after the load stopped; bound ${fmt(rssEnvelope + RSS_SLACK_MB * MB).trim()} MB (+ ${RSS_SLACK_MB} MB)`,
  );
}
for (const detail of stats.details) console.log(`  ! ${detail}`);
if (failures.length > 0) {
  console.log(`\nSOAK FAILED:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('\nSOAK PASSED: no 5xx, no unexpected status, memory within the caches\' bound and flat');
}
