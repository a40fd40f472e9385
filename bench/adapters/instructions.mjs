// Instructions per request of a server of the adapters benchmark with one reused token (a
// verified-token cache hit), counted by valgrind's callgrind (Debian package `valgrind`): unlike
// autocannon's requests/s, the counts hardly move with other load on the machine, so they compare
// an adapter with its framework's hello world on a busy or shared host. Each app (server.mjs, as the
// autocannon benchmark runs it: key from kms-local through kms-pubkey-provider) runs twice under
// callgrind; this process (not counted) sends it WARM + N1, then WARM + N2 requests on loopback,
// CONNECTIONS at a time over keep-alive connections, every one with the same `Authorization: Bearer`
// header (the hello worlds ignore it). (instructions at N2 − instructions at N1) / (N2 − N1) is the
// server's cost of one request, start-up, module loading and JIT warm-up cancelled out. Garbage
// collection still moves a count by a few hundred instructions per request between runs. Not a test;
// slow (minutes per app). Run after building: `node instructions.mjs` (BENCH_APPS=fastify-hello,kms-jwt-fastify picks apps).
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchKey } from './bench-key.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const WARM = Number(process.env.BENCH_WARM ?? 3000);
const N1 = Number(process.env.BENCH_N1 ?? 2000);
const N2 = Number(process.env.BENCH_N2 ?? 6000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const APPS = (process.env.BENCH_APPS ?? 'fastify-hello,kms-jwt-fastify,hono-hello,kms-jwt-hono').split(',').filter(Boolean);
/** `reused` (default): every request carries one token; `distinct`: every request of a count carries a token never sent before. */
const TOKENS = process.env.BENCH_TOKENS ?? 'reused';
if (TOKENS !== 'reused' && TOKENS !== 'distinct') throw new Error('BENCH_TOKENS is reused or distinct');
const { kms, config, signToken } = await startBenchKey();
const tokens = Array.from({ length: TOKENS === 'reused' ? 1 : WARM + Math.max(N1, N2) }, (_, i) => signToken(`client-${i}`, `c-${i}-0`));
const serverScript = fileURLToPath(new URL('./server.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kms-jwt-adapter-instructions-'));

/** Sends `total` GET / requests, `CONNECTIONS` at a time; every answer must be 200. */
async function send(port, total) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const token = tokens[next++ % tokens.length];
      const status = await new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        req.end();
      });
      if (status !== 200) throw new Error(`answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  agent.destroy();
}

/** Total instructions of the server process `app` under callgrind answering WARM + n requests. */
async function count(app, n) {
  const out = join(dir, `${app}.${n}`);
  const child = fork(serverScript, [app], {
    execPath: 'valgrind',
    execArgv: ['-q', '--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath],
    // A day between key refreshes: a refresh's KMS call in the middle of a slow count would be counted as requests.
    env: { ...process.env, BENCH_CONFIG: config, BENCH_KEY_MAX_AGE_MS: '86400000' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${app} exited with ${code} before listening`)));
  });
  await send(port, WARM + n);
  child.disconnect();
  const code = await exited;
  if (code !== 0) throw new Error(`${app} exited with ${code}`);
  const totals = /^totals: (\d+)/m.exec(readFileSync(out, 'utf8'));
  if (!totals) throw new Error(`no totals in ${out}`);
  return Number(totals[1]);
}

try {
  console.log(`\n${TOKENS === 'reused' ? 'Reused token' : 'Distinct tokens'}, server instructions per request (callgrind, (I(${WARM}+${N2}) − I(${WARM}+${N1})) / ${N2 - N1}, ${CONNECTIONS} connections), Node ${process.version}\n`);
  console.log('| app | instructions per request |');
  console.log('| --- | ---: |');
  for (const app of APPS) {
    const cost = ((await count(app, N2)) - (await count(app, N1))) / (N2 - N1);
    console.log(`| ${app} | ${Math.round(cost).toLocaleString('en-US')} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await kms.close();
}
