// Throughput of the kms-jwt adapters over HTTP on loopback, measured with autocannon in one run:
// per framework, a hello-world app; the same app behind our middleware with one reused token and
// with all-distinct tokens (signature checked synchronously, and on the threadpool); and the peer
// middleware (express-jwt, koa-jwt, passport-jwt, @fastify/jwt, hono/jwk) with the same ES256 key and distinct tokens.
// Then, per framework, production-shaped traffic (the *-production sections): BENCH_CLIENTS clients each
// reusing its token, drawn by Zipf weight (s = 1), with tokens replaced as they expire, against hello
// world (Passport: its accept-all strategy) and the peer (and @fastify/jwt with fast-jwt's cache).
// Each server runs in its own process (server.mjs); autocannon runs here. Every figure is reported
// as a ratio to the hello world, and to the peer, of this same run.
// Parameters (environment variables, defaults for a 2-core machine shared with other work): 10
// connections (autocannon's default: enough requests in flight for the threadpool to overlap
// signature checks with the event loop); a 3 s warm-up per server, as the JIT needs a few seconds
// of load to settle; then 5 rounds of 2 s per case, interleaved (the order rotated each round), keeping
// each case's best round, and each round's figures for the paired ratios (a case against its ceiling or
// peer of the same round; the median over rounds).
// Run with `pnpm bench` (builds first). Not a test: it asserts nothing and fails only on errors
// (including any non-2xx answer, which would mean a case measured rejections instead of work).
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startBenchKey } from './bench-key.mjs';

/** The median of a list of numbers. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// The SDK (the KMS client here, kms-pubkey-provider's in the servers) would warn about Node 20 once per process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 2);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 150_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10_000);
const REPLACEMENTS_PER_S = Number(process.env.BENCH_REPLACEMENTS_PER_S ?? 50);
const { kms, config, signToken } = await startBenchKey();
const serverScript = fileURLToPath(new URL('./server.mjs', import.meta.url));

/** Starts one server process; resolves with its port and a stop function. */
function startServer(app, mode) {
  const child = fork(serverScript, [app, mode], { env: { ...process.env, BENCH_CONFIG: config }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server ${app} exited with ${code} before listening`)));
    child.once('message', (message) => {
      child.removeAllListeners('exit');
      resolve({
        port: message.port,
        cpuMicros: () =>
          new Promise((done) => {
            child.once('message', (reply) => done(reply.cpuMicros));
            child.send('cpu');
          }),
        stop: () =>
          new Promise((done) => {
            child.once('exit', done);
            child.kill();
          }),
      });
    });
  });
}

/**
 * Runs autocannon. `tokens` is a string (one token in every request: autocannon builds the request
 * once, so the load generator costs the same as for a hello world) or a function giving each
 * request's token (autocannon builds every request anew).
 */
async function load(port, seconds, tokens, amount) {
  const request =
    typeof tokens === 'string'
      ? { headers: { authorization: `Bearer ${tokens}` } }
      : { setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${tokens()}` } }) };
  const length = amount === undefined ? { duration: seconds } : { amount };
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, pipelining: 1, ...length, requests: [request] });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${failed} of ${result.requests.total} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  return result;
}

let maxTokensUsed = 0;

/** A small seeded PRNG (mulberry32): every case of a section draws the same sequence of clients. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

// Production-shaped traffic: CLIENTS clients, client k (1-based) sending a share of requests proportional to 1/k (Zipf, s = 1).
const zipfCumulative = new Float64Array(CLIENTS);
for (let k = 0, sum = 0; k < CLIENTS; k++) zipfCumulative[k] = sum += 1 / (k + 1);
const clientTokens = Array.from({ length: CLIENTS }, (_, k) => signToken(`client-${k}`, `c-${k}-0`));

/**
 * Each request's token in production-shaped traffic: a client drawn by Zipf weight sends the token it
 * holds; REPLACEMENTS_PER_S times per second of this case's traffic, a client drawn uniformly gets a
 * new token (its old one expired), signed on the spot, so the verifier sees it as a new token (a miss,
 * then cached). The clock runs only while requests are drawn: the section's cases take turns, and a
 * case's server sees no traffic while the others are measured, so wall time would replace tokens for
 * it (four times as many with four cases) in seconds it served nothing. `source.prime()` is the
 * primer's source instead: every client's current token in turn.
 */
function productionSource() {
  const draw = random(20);
  const tokensNow = [...clientTokens];
  let trafficMs = 0;
  let lastAt = Number.NEGATIVE_INFINITY;
  let nextReplacement = 0;
  let replaced = 0;
  let primed = 0;
  const source = () => {
    const at = performance.now();
    // A gap of more than 50 ms between two requests is a pause between loads, not traffic.
    const gap = at - lastAt;
    if (gap > 0 && gap < 50) trafficMs += gap;
    lastAt = at;
    for (; REPLACEMENTS_PER_S > 0 && nextReplacement <= trafficMs; nextReplacement += 1000 / REPLACEMENTS_PER_S) {
      const k = Math.floor(draw() * CLIENTS);
      tokensNow[k] = signToken(`client-${k}`, `c-${k}-${++replaced}`);
    }
    const target = draw() * zipfCumulative[CLIENTS - 1];
    let low = 0;
    let high = CLIENTS - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (zipfCumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return tokensNow[low];
  };
  source.prime = () => tokensNow[primed++ % CLIENTS];
  return source;
}

let tokens = [];
let signSeconds = 0;
/** The distinct tokens of the distinct-token cases, signed when a section first needs them. */
function distinctTokens() {
  if (tokens.length === 0) {
    const signStarted = performance.now();
    tokens = Array.from({ length: TOKENS }, (_, i) => signToken(`user-${i}`, `t-${i}`));
    signSeconds = (performance.now() - signStarted) / 1000;
  }
  return tokens;
}

/** The Authorization header source of a case: always the first token, the next unused token, or production-shaped. */
function tokenSource(kind) {
  if (kind === 'production') return productionSource();
  const tokens = distinctTokens();
  if (kind === 'reused') return tokens[0];
  let next = 0;
  return () => {
    maxTokensUsed = Math.max(maxTokensUsed, next + 1);
    return tokens[next++ % TOKENS];
  };
}

const allSections = [
  {
    name: 'Express 5',
    key: 'express',
    hello: 'express-hello',
    ours: 'kms-jwt-express',
    peer: 'express-jwt',
    peerLabel: 'express-jwt 8',
    // The ceiling of any Express middleware, for reading our rows: one that only calls next().
    // And one that calls next() at setImmediate, as kms-jwt-express does: what that scheduling saves by itself.
    ceilings: [
      { kind: 'baseline', label: 'a middleware that only calls next()', app: 'express-noop-middleware', tokens: 'reused' },
      { kind: 'baseline', label: 'a middleware that only calls next(), at setImmediate', app: 'express-deferred-middleware', tokens: 'reused' },
      // And the same putting an object on req.auth, as every JWT middleware of Express does: what that one property costs.
      { kind: 'baseline', label: 'the same, also setting req.auth', app: 'express-deferred-auth-middleware', tokens: 'reused' },
    ],
    floor: 'express-signature-only',
  },
  {
    name: 'Koa 3',
    key: 'koa',
    hello: 'koa-hello',
    ours: 'kms-jwt-koa',
    peer: 'koa-jwt',
    peerLabel: 'koa-jwt 4',
    // The ceiling of any Koa middleware: one that only awaits next().
    ceilings: [{ kind: 'baseline', label: 'a middleware that only awaits next()', app: 'koa-noop-middleware', tokens: 'reused' }],
    floor: 'koa-signature-only',
  },
  {
    name: 'Passport 0.7 on Express 5',
    key: 'passport',
    hello: 'passport-hello',
    ours: 'passport-kms-jwt',
    peer: 'passport-jwt',
    peerLabel: 'passport-jwt 4',
    // What passport.authenticate costs by itself, for reading the reused-token row.
    baseline: { kind: 'baseline', label: 'passport.authenticate with a strategy that accepts every request (ignores the token)', app: 'passport-accept-all', tokens: 'reused' },
    // The same strategy accepting at setImmediate, as passport-kms-jwt does: what that scheduling saves by itself.
    ceilings: [{ kind: 'baseline', label: 'the same strategy, accepting at setImmediate', app: 'passport-accept-all-deferred', tokens: 'reused' }],
    floor: 'passport-signature-only',
  },
  {
    name: 'Fastify 5',
    key: 'fastify',
    hello: 'fastify-hello',
    ours: 'kms-jwt-fastify',
    peer: '@fastify/jwt',
    peerLabel: '@fastify/jwt 10 (fast-jwt)',
    // The ceiling of any onRequest hook: one that only calls done().
    ceilings: [{ kind: 'baseline', label: 'an onRequest hook that only calls done()', app: 'fastify-noop-hook', tokens: 'reused' }],
    // fast-jwt's own verified-token cache (as large as ours), for the production-shaped traffic only.
    cachedPeer: { app: '@fastify/jwt-cache', label: "@fastify/jwt 10 with fast-jwt's token cache (`cache: 10000`)" },
  },
  {
    name: 'Hono 4 on Node (@hono/node-server)',
    key: 'hono',
    hello: 'hono-hello',
    ours: 'kms-jwt-hono',
    peer: 'hono/jwk',
    peerLabel: 'hono/jwk, static key',
    // The ceiling of any Hono middleware, for reading the reused-token row: one that only awaits next(), and one that also reads the Authorization header.
    ceilings: [
      { kind: 'baseline', label: 'a middleware that only awaits next()', app: 'hono-noop-middleware', tokens: 'reused' },
      { kind: 'baseline', label: 'a middleware that reads the Authorization header, then awaits next()', app: 'hono-header-middleware', tokens: 'reused' },
    ],
  },
];

/** The cases of a framework's section: hello world, the reused token, distinct tokens (sync and threadpool), the peer. */
function standardCases(section) {
  return [
    // The same requests as the reused-token case (the app ignores the Authorization header): the difference is the middleware alone.
    { kind: 'hello', label: 'hello world (no auth)', app: section.hello, tokens: 'reused' },
    ...(section.baseline ? [section.baseline] : []),
    ...(section.ceilings ?? []),
    { kind: 'reused', label: `${section.ours}, one reused token`, app: section.ours, tokens: 'reused' },
    { kind: 'sync', label: `${section.ours}, distinct tokens, \`signatureVerification: 'sync'\``, app: section.ours, tokens: 'distinct' },
    { kind: 'threadpool', label: `${section.ours}, distinct tokens, \`signatureVerification: 'threadpool'\``, app: section.ours, mode: 'threadpool', tokens: 'distinct' },
    { kind: 'peer', label: `${section.peerLabel}, distinct tokens`, app: section.peer, tokens: 'distinct' },
    // What any verifier that checks the signature on the event loop costs at least (node:crypto's check and a JSON.parse alone).
    ...(section.floor ? [{ kind: 'floor', label: 'the signature check alone (node:crypto `verify` and `JSON.parse` of the payload, no other check), distinct tokens', app: section.floor, tokens: 'distinct' }] : []),
  ];
}

/** The production-shaped cases of a framework: every case gets the same Zipf-drawn client tokens; the ceiling is hello world (Passport: its accept-all strategy). */
function productionCases(section) {
  return [
    { kind: 'hello', label: 'hello world (no auth)', app: section.hello, tokens: 'production' },
    ...(section.baseline ? [{ ...section.baseline, kind: 'ceiling', tokens: 'production' }] : []),
    // The middleware ceilings, but the one reading the header (the production rows are about the cache).
    ...(section.ceilings ?? []).filter((c) => c.app !== 'hono-header-middleware').map((c) => ({ ...c, tokens: 'production' })),
    { kind: 'ours', label: section.ours, app: section.ours, tokens: 'production' },
    { kind: 'peer', label: section.peerLabel, app: section.peer, tokens: 'production' },
    ...(section.cachedPeer ? [{ kind: 'cached-peer', label: section.cachedPeer.label, app: section.cachedPeer.app, tokens: 'production' }] : []),
  ];
}

// Per framework, a standard section (express, koa, passport, fastify, hono) and a production-shaped one (express-production, ...).
const allRuns = [
  ...allSections.map((section) => ({ section, key: section.key, title: section.name, cases: standardCases(section) })),
  ...allSections.map((section) => ({ section, key: `${section.key}-production`, title: `${section.name}, production-shaped traffic`, cases: productionCases(section) })),
];
// BENCH_SECTIONS=fastify,hono-production runs only those; `production` stands for all five production-shaped sections; default: all.
const wanted = (process.env.BENCH_SECTIONS ?? '').split(',').filter(Boolean);
const sections = allRuns.filter((run) => wanted.length === 0 || wanted.includes(run.key) || (wanted.includes('production') && run.key.endsWith('-production')));
if (sections.length === 0) throw new Error(`BENCH_SECTIONS=${process.env.BENCH_SECTIONS} names no section`);

const startedAt = new Date();
const lines = [];
for (const { title, cases } of sections) {
  // Every server of the section runs (idle) at once, so rounds can interleave: load from elsewhere on
  // the machine then hits every case alike, and the best round of each is the least disturbed one.
  const servers = await Promise.all(cases.map((c) => startServer(c.app, c.mode ?? 'sync')));
  try {
    const sources = cases.map((c) => tokenSource(c.tokens));
    // Production-shaped traffic is about a server that has been up a while: before its warm-up, each
    // case's server is sent every client's token twice (a reused token is cached from its second
    // request on), so the rounds measure the steady state, not the first seconds of a cold cache.
    for (const [i, c] of cases.entries()) if (c.tokens === 'production') await load(servers[i].port, 0, sources[i].prime, 2 * CLIENTS);
    for (const [i, c] of cases.entries()) await load(servers[i].port, WARMUP_S, sources[i]);
    const best = cases.map(() => ({ rate: 0, p99: 0, cpu: Infinity }));
    // Every round's figures too, for the paired ratios: a case against the ceiling, or the peer, of the
    // same round (measured seconds apart), whose median moves less with the machine than best-of does.
    const perRound = cases.map(() => ({ rates: [], cpus: [] }));
    for (let round = 1; round <= ROUNDS; round++) {
      // The order rotates from round to round, so that no case always follows the same one.
      for (let k = 0; k < cases.length; k++) {
        const i = (k + round - 1) % cases.length;
        const c = cases[i];
        const cpuBefore = await servers[i].cpuMicros();
        const result = await load(servers[i].port, DURATION_S, sources[i]);
        const cpuPerRequest = ((await servers[i].cpuMicros()) - cpuBefore) / result.requests.total;
        const rate = result.requests.total / DURATION_S;
        process.stderr.write(`  ${title}, round ${round}: ${c.label}: ${Math.round(rate)} req/s, ${cpuPerRequest.toFixed(0)} µs server CPU per request\n`);
        if (rate > best[i].rate) best[i] = { ...best[i], rate, p99: result.latency.p99 };
        best[i].cpu = Math.min(best[i].cpu, cpuPerRequest);
        perRound[i].rates.push(rate);
        perRound[i].cpus.push(cpuPerRequest);
      }
    }
    const indexOf = (kind) => cases.findIndex((c) => c.kind === kind);
    const rate = (kind) => best[indexOf(kind)]?.rate;
    // The ceiling: hello world, or (Passport, production-shaped) its accept-all strategy.
    const ceilingIndex = indexOf('ceiling') === -1 ? indexOf('hello') : indexOf('ceiling');
    const ceiling = best[ceilingIndex].rate;
    const peerIndex = indexOf('peer');
    /** The median over rounds of `field` of case i over the same round's `field` of case j, with its range. */
    const paired = (field, i, j) => {
      const ratios = perRound[i][field].map((value, round) => value / perRound[j][field][round]);
      return `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
    };
    lines.push(`| **${title}** | | | | | | | |`);
    for (const [i, c] of cases.entries()) {
      const againstPeer = peerIndex !== -1 && ['sync', 'threadpool', 'peer', 'ours', 'cached-peer', 'floor'].includes(c.kind);
      const vsPeer = againstPeer ? `${(best[i].rate / rate('peer')).toFixed(2)}×` : '';
      const cpuVsPeer = againstPeer && i !== peerIndex ? paired('cpus', i, peerIndex) : '';
      const rateVsCeiling = i === ceilingIndex ? '' : paired('rates', i, ceilingIndex);
      lines.push(
        `| ${c.label} | ${Math.round(best[i].rate).toLocaleString('en-US')} | ${(best[i].rate / ceiling).toFixed(2)}× | ${rateVsCeiling} | ${vsPeer} | ${best[i].p99} | ${Math.round(best[i].cpu)} | ${cpuVsPeer} |`,
      );
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
await kms.close();

const cpu = cpus();
console.log(
  `\nautocannon, ${CONNECTIONS} connections, pipelining 1, GET / on 127.0.0.1; per case the best of ${ROUNDS} rounds of ${DURATION_S} s, interleaved across the section's cases, after a ${WARMUP_S} s warm-up; ` +
    `each server in its own process, autocannon in this one; requests/s and p99 from each case's best round, server CPU per request (main thread and libuv threadpool together) the least of its rounds; the paired columns: the median over rounds of a case's figure over its ceiling's, or its peer's, in the same round (cases in an order rotated each round), with the range. ES256 (P-256) key; ` +
    (tokens.length > 0
      ? `${TOKENS.toLocaleString('en-US')} distinct tokens signed in ${signSeconds.toFixed(1)} s, most used by one case ${maxTokensUsed.toLocaleString('en-US')}${maxTokensUsed > TOKENS ? ' (cycled: still larger than the verifier cache of 10,000 entries, so no cache hits)' : ' (none reused)'}. `
      : '') +
    (sections.some((run) => run.key.endsWith('-production'))
      ? `Production-shaped traffic: ${CLIENTS.toLocaleString('en-US')} clients drawn by Zipf weight (s = 1), ${REPLACEMENTS_PER_S} token replacements per second of a case's traffic, each case primed with every client's token twice before its warm-up; "vs hello world" is vs the accept-all strategy for Passport. `
      : '') +
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, ${startedAt.toISOString().slice(0, 10)}.\n`,
);
console.log(
  '| case | requests/s | vs hello world | vs hello world, paired: median of rounds (range) | vs peer | p99 latency (ms) | server CPU per request (µs) | server CPU vs peer, paired: median of rounds (range) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(lines.join('\n'));
