// Verification throughput of kms-jwt-verifier against raw node:crypto and other JWT libraries,
// all in this one process, so every figure is a ratio to a baseline measured under the same load.
// Run with `pnpm bench` (builds first). Not a test: it asserts nothing and fails only on errors.
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { createVerifier } from '../dist/index.js';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 100_000);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 400);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 5);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);
const IN_FLIGHT = 32;

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const kid = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const issuer = 'https://issuer.example';
const audience = 'orders-api';
const now = Math.floor(Date.now() / 1000);
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

const tokens = [];
const rawInputs = [];
for (let i = 0; i < TOKENS; i++) {
  const input = `${encode({ alg: 'ES256', typ: 'JWT', kid })}.${encode({ iss: issuer, aud: audience, sub: `user-${i}`, iat: now, exp: now + 3600 })}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  tokens.push(`${input}.${signature.toString('base64url')}`);
  rawInputs.push([Buffer.from(input), signature]);
}

const keys = [{ kid, key: publicKey }];
const uncached = createVerifier({ keys, issuer, audience, cache: false });
const uncachedThreadpool = createVerifier({ keys, issuer, audience, cache: false, signatureVerification: 'threadpool' });
const cached = createVerifier({ keys, issuer, audience });
const defaults = createVerifier({ keys, issuer, audience });
const fastJwt = createFastJwtVerifier({ key: publicKeyPem, algorithms: ['ES256'], allowedIss: issuer, allowedAud: audience, cache: false });
const rawKey = { key: publicKey, dsaEncoding: 'ieee-p1363' };

/** Each candidate verifies token i (sync, or a promise); `inFlight` runs that many at once. */
const candidates = [
  { name: 'raw node:crypto verify (sync)', run: (i) => verify('sha256', rawInputs[i][0], rawKey, rawInputs[i][1]) },
  // The same check from the token as a verifier receives it: its signing input and signature decoded, then its payload
  // parsed, and nothing else (no header, algorithm, key or claim checks): what any JWT verifier cannot do without.
  {
    name: 'node:crypto verify from the token (decoded per call, payload JSON.parse, no checks)',
    run: (i) => {
      const token = tokens[i];
      const dot = token.lastIndexOf('.');
      if (!verify('sha256', Buffer.from(token.slice(0, dot), 'latin1'), rawKey, Buffer.from(token.slice(dot + 1), 'base64url'))) return false;
      return JSON.parse(Buffer.from(token.slice(token.indexOf('.') + 1, dot), 'base64url').toString());
    },
  },
  { name: 'kms-jwt-verifier, distinct tokens (sync, cache off)', run: (i) => uncached.verify(tokens[i]) },
  { name: 'kms-jwt-verifier, distinct tokens (sync, default cache)', run: (i) => defaults.verify(tokens[i]) },
  { name: 'kms-jwt-verifier, one token repeated (cache)', run: () => cached.verify(tokens[0]) },
  {
    name: `raw node:crypto verify (threadpool, ${IN_FLIGHT} in flight)`,
    inFlight: IN_FLIGHT,
    run: (i) => new Promise((resolve, reject) => verify('sha256', rawInputs[i][0], rawKey, rawInputs[i][1], (error, ok) => (error ? reject(error) : resolve(ok)))),
  },
  { name: `kms-jwt-verifier, distinct tokens (threadpool, ${IN_FLIGHT} in flight, cache off)`, inFlight: IN_FLIGHT, run: (i) => uncachedThreadpool.verify(tokens[i]) },
  { name: 'jose 6 jwtVerify', run: (i) => jwtVerify(tokens[i], publicKey, { algorithms: ['ES256'], issuer, audience }) },
  { name: 'fast-jwt', run: (i) => fastJwt(tokens[i]) },
  { name: 'jsonwebtoken (KeyObject key)', run: (i) => jsonwebtoken.verify(tokens[i], publicKey, { algorithms: ['ES256'], issuer, audience }) },
];

/** Each candidate walks the token list from where it stopped, so no token repeats within a run. */
const cursors = new Map();

/** Runs `count` verifications of `candidate` (with `inFlight` of them at once, if set); returns the milliseconds taken. */
async function runBatch(candidate, count) {
  const start = cursors.get(candidate) ?? 0;
  cursors.set(candidate, start + count);
  const t0 = performance.now();
  if (candidate.inFlight) {
    let next = start;
    const end = start + count;
    const lane = async () => {
      while (next < end) await candidate.run(next++ % TOKENS);
    };
    await Promise.all(Array.from({ length: candidate.inFlight }, lane));
  } else {
    for (let k = 0; k < count; k++) {
      const result = candidate.run((start + k) % TOKENS);
      if (result && typeof result.then === 'function') await result;
    }
  }
  return performance.now() - t0;
}

// Warm up every path (JIT) and size its batch so that one takes about SLICE_MS (ten times that with verifications in flight).
const batches = [];
for (const candidate of candidates) {
  let count = 64;
  let ms = 0;
  try {
    for (let warm = performance.now(); performance.now() - warm < WARMUP_MS; ) {
      ms = await runBatch(candidate, count);
      if (ms < SLICE_MS / 2) count *= 2;
    }
  } catch (error) {
    throw new Error(`${candidate.name} failed: ${error.message}`);
  }
  // A path with verifications in flight fills and drains the threadpool in every batch: ten slices a batch keep that small.
  const slice = candidate.inFlight ? 10 * SLICE_MS : SLICE_MS;
  batches.push(Math.max(candidate.inFlight ?? 1, Math.round((count * slice) / Math.max(ms, 0.001))));
}

// The cycles: every candidate runs one batch per cycle, in an order rotated from cycle to cycle, so
// that a change in the machine's speed (other processes, a shared host's neighbours) lands on every
// candidate alike within a few milliseconds. A rate is all of a candidate's verifications over all of
// its time (garbage collection included); the spread is the same ratio over each fifth of the cycles.
const BLOCKS = 5;
const time = candidates.map(() => new Float64Array(BLOCKS));
const done = candidates.map(() => new Float64Array(BLOCKS));
for (let cycle = 0; cycle < CYCLES; cycle++) {
  const block = Math.floor((cycle * BLOCKS) / CYCLES);
  for (let k = 0; k < candidates.length; k++) {
    const index = (k + cycle) % candidates.length;
    time[index][block] += await runBatch(candidates[index], batches[index]);
    done[index][block] += batches[index];
  }
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
const rates = candidates.map((_, index) => (sum(done[index]) / sum(time[index])) * 1000);
const blockRates = candidates.map((_, index) => Array.from({ length: BLOCKS }, (_, block) => done[index][block] / time[index][block]));
const raw = rates[0];
const rows = candidates.map((candidate, index) => {
  const ratios = blockRates[index].map((rate, block) => rate / blockRates[0][block]);
  const spread = index === 0 ? '' : `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`;
  return `| ${candidate.name} | ${Math.round(rates[index]).toLocaleString('en-US')} | ${(rates[index] / raw).toFixed(2)}× | ${spread} |`;
});
console.log(
  `ES256 verification, ${TOKENS} distinct tokens (never repeated within a run), ${CYCLES} cycles of one batch of about ${SLICE_MS} ms per path (${10 * SLICE_MS} ms with verifications in flight; order rotated each cycle), Node ${process.version}\n`,
);
console.log(`| path | verifications/s | vs raw node:crypto (sync) | the same, over each fifth of the run |`);
console.log('| --- | ---: | ---: | ---: |');
console.log(rows.join('\n'));
