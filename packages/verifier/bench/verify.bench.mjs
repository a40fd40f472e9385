// Verification throughput of kms-jwt-verifier against raw node:crypto and other JWT libraries,
// all in this one process, so every figure is a ratio to a baseline measured under the same load.
// Run with `pnpm bench` (builds first). Not a test: it asserts nothing and fails only on errors.
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { createVerifier } from '../dist/index.js';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 250);
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

async function measure(candidate) {
  const start = cursors.get(candidate) ?? 0;
  const deadline = performance.now() + ROUND_MS;
  let done = 0;
  const t0 = performance.now();
  if (candidate.inFlight) {
    let next = start;
    const lane = async () => {
      while (performance.now() < deadline) {
        await candidate.run(next++ % TOKENS);
        done++;
      }
    };
    await Promise.all(Array.from({ length: candidate.inFlight }, lane));
  } else {
    while (performance.now() < deadline) {
      for (let k = 0; k < 50; k++) {
        const result = candidate.run((start + done + k) % TOKENS);
        if (result && typeof result.then === 'function') await result;
      }
      done += 50;
    }
  }
  cursors.set(candidate, start + done + (candidate.inFlight ?? 0));
  return done / ((performance.now() - t0) / 1000);
}

// The best round is the one least disturbed by other work on the machine: the closest to the path's own cost.
const best = (values) => Math.max(...values);

// Warm up every path, then interleave rounds so that load changes hit every candidate alike.
for (const candidate of candidates) await measure(candidate).catch((error) => {
  throw new Error(`${candidate.name} failed: ${error.message}`);
});
const samples = candidates.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, candidate] of candidates.entries()) samples[index].push(await measure(candidate));
}

const rates = samples.map(best);
const raw = rates[0];
const rows = candidates.map((candidate, index) => `| ${candidate.name} | ${Math.round(rates[index]).toLocaleString('en-US')} | ${(rates[index] / raw).toFixed(2)}× |`);
console.log(`ES256 verification, ${TOKENS} distinct tokens (never repeated within a run), best of ${ROUNDS} interleaved rounds of ${ROUND_MS} ms, Node ${process.version}\n`);
console.log('| path | verifications/s | vs raw node:crypto (sync) |');
console.log('| --- | ---: | ---: |');
console.log(rows.join('\n'));
