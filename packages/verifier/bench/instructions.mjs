// Instructions per verification of kms-jwt-verifier against raw node:crypto, counted by valgrind's
// callgrind (Debian package `valgrind`): unlike verify.bench.mjs's wall-clock rates, the counts do not
// move with other load on the machine, so they compare paths on a busy or shared host. Each candidate
// runs twice in its own process under callgrind, verifying WARM + N1 and WARM + N2 distinct tokens;
// (instructions at N2 − instructions at N1) / (N2 − N1) is the cost of one verification, start-up,
// module loading and JIT warm-up cancelled out. Garbage-collector timing still moves a count by about
// ±10,000 instructions between runs (about 1 % of an ES256 check). Not a test; slow (minutes per candidate).
// Run: `node bench/instructions.mjs` after building (BENCH_CANDIDATES=raw,default picks candidates).
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WARM = Number(process.env.BENCH_WARM ?? 3000);
const N1 = Number(process.env.BENCH_N1 ?? 1000);
const N2 = Number(process.env.BENCH_N2 ?? 3000);
const IN_FLIGHT = 8;
const issuer = 'https://issuer.example';
const audience = 'orders-api';

/** The candidates: each verifies token i (sync, or a promise); `inFlight` runs that many at once. */
const candidates = {
  raw: { name: 'raw node:crypto verify (sync)' },
  nocache: { name: 'kms-jwt-verifier, distinct tokens (sync, cache off)' },
  default: { name: 'kms-jwt-verifier, distinct tokens (sync, default cache)' },
  rawpool: { name: `raw node:crypto verify (threadpool, ${IN_FLIGHT} in flight)`, inFlight: IN_FLIGHT },
  pool: { name: `kms-jwt-verifier, distinct tokens (threadpool, ${IN_FLIGHT} in flight, default cache)`, inFlight: IN_FLIGHT },
};

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], Number(process.argv[5]));
else parent();

/** One counted process: loads the tokens, builds the candidate, verifies WARM + count tokens. */
async function child(file, which, count) {
  const { kid, publicKeyPem, tokens } = JSON.parse(readFileSync(file, 'utf8'));
  const publicKey = createPublicKey(publicKeyPem);
  const { createVerifier } = await import('../dist/index.js');
  const raw = tokens.map((token) => {
    const dot = token.lastIndexOf('.');
    return [Buffer.from(token.slice(0, dot)), Buffer.from(token.slice(dot + 1), 'base64url')];
  });
  const rawKey = { key: publicKey, dsaEncoding: 'ieee-p1363' };
  const options = { keys: [{ kid, key: publicKey }], issuer, audience };
  const verifier =
    which === 'nocache' ? createVerifier({ ...options, cache: false }) : which === 'pool' ? createVerifier({ ...options, signatureVerification: 'threadpool' }) : createVerifier(options);
  const run = {
    raw: (i) => verify('sha256', raw[i][0], rawKey, raw[i][1]),
    rawpool: (i) => new Promise((resolve, reject) => verify('sha256', raw[i][0], rawKey, raw[i][1], (error, valid) => (error ? reject(error) : resolve(valid)))),
  }[which] ?? ((i) => verifier.verify(tokens[i]));
  const total = WARM + count;
  let verified = 0;
  if (candidates[which].inFlight) {
    let next = 0;
    const lane = async () => {
      while (next < total) if (await run(next++)) verified++;
    };
    await Promise.all(Array.from({ length: candidates[which].inFlight }, lane));
  } else {
    for (let i = 0; i < total; i++) {
      const result = run(i);
      if (result && typeof result.then === 'function' ? await result : result) verified++;
    }
  }
  if (verified !== total) throw new Error(`${which}: ${total - verified} of ${total} tokens did not verify`);
}

/** Total instructions of one child process under callgrind. */
function count(file, which, n, out) {
  const result = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, fileURLToPath(import.meta.url), '--child', file, which, String(n)],
    { encoding: 'utf8' },
  );
  if (result.error) throw new Error(`valgrind did not start (${result.error.message}); install it (apt-get install valgrind)`);
  if (result.status !== 0) throw new Error(`${which} failed under callgrind:\n${result.stderr.slice(-2000)}`);
  const totals = /^totals: (\d+)/m.exec(readFileSync(out, 'utf8'));
  if (!totals) throw new Error(`no totals in ${out}`);
  return Number(totals[1]);
}

function parent() {
  const wanted = (process.env.BENCH_CANDIDATES ?? Object.keys(candidates).join(',')).split(',').filter(Boolean);
  for (const which of wanted) if (!(which in candidates)) throw new Error(`unknown candidate ${which}; one of ${Object.keys(candidates).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'kms-jwt-instructions-'));
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    const now = Math.floor(Date.now() / 1000);
    const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const tokens = Array.from({ length: WARM + Math.max(N1, N2) }, (_, i) => {
      const input = `${encode({ alg: 'ES256', typ: 'JWT', kid })}.${encode({ iss: issuer, aud: audience, sub: `user-${i}`, iat: now, exp: now + 3600 })}`;
      return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    });
    const file = join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify({ kid, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }), tokens }));
    const rows = [];
    let rawCost;
    for (const which of wanted) {
      const cost = (count(file, which, N2, join(dir, `${which}.2`)) - count(file, which, N1, join(dir, `${which}.1`))) / (N2 - N1);
      if (which === 'raw') rawCost = cost;
      process.stderr.write(`  ${candidates[which].name}: ${Math.round(cost).toLocaleString('en-US')} instructions per verification\n`);
      rows.push([which, cost]);
    }
    console.log(`\nES256, instructions per verification (callgrind, (I(${WARM}+${N2}) − I(${WARM}+${N1})) / ${N2 - N1}), Node ${process.version}\n`);
    console.log('| path | instructions per verification | raw node:crypto (sync) ÷ path |');
    console.log('| --- | ---: | ---: |');
    for (const [which, cost] of rows) console.log(`| ${candidates[which].name} | ${Math.round(cost).toLocaleString('en-US')} | ${rawCost === undefined ? '' : `${(rawCost / cost).toFixed(3)}×`} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
