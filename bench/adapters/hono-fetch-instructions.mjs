// Instructions per request of Hono's own dispatch (`app.fetch`, no HTTP server, the same Request
// each time) for hello world, a middleware that only awaits next(), one that also reads the
// Authorization header, and kms-jwt-hono with a cached token, counted by valgrind's callgrind: what
// Hono charges for a middleware at all (its compose step, which a route with one handler skips)
// apart from what ours adds. Each app runs twice under callgrind, N1 and N2 requests;
// (I(N2) − I(N1)) / (N2 − N1) cancels start-up. `c.env.incoming` holds raw header lines as
// @hono/node-server's does. Not a test; minutes per app. `node hono-fetch-instructions.mjs` after building.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { kmsJwt } from 'kms-jwt-hono';
import { createVerifier } from 'kms-jwt-verifier';

const N1 = Number(process.env.BENCH_N1 ?? 50_000);
const N2 = Number(process.env.BENCH_N2 ?? 250_000);
const APPS = ['hello', 'noop', 'header', 'ours'];

async function serve(which, n) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${encode({ alg: 'ES256', typ: 'JWT', kid })}.${encode({ iss: 'https://issuer.example', aud: 'api', sub: 'user-1', iat: now, exp: now + 3600 })}`;
  const token = `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  const verifier = createVerifier({ keys: [{ kid, key: publicKey }], issuer: 'https://issuer.example', audience: 'api' });
  await verifier.verify(token);
  await verifier.verify(token);
  const app = new Hono();
  if (which === 'noop') {
    app.use(async (_c, next) => {
      await next();
    });
  }
  if (which === 'header') {
    app.use(async (c, next) => {
      if (c.req.header('authorization') === undefined) throw new Error('no Authorization header');
      await next();
    });
  }
  if (which === 'ours') app.use(kmsJwt({ verifier, respond: true }));
  app.get('/', (c) => c.text('hello world'));
  const header = Buffer.from(`Bearer ${token}`, 'latin1');
  const request = new Request('http://127.0.0.1/', { headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; i < n; i++) {
    // A new header string per request, as Node's HTTP parser makes one.
    const env = { incoming: { url: '/', rawHeaders: ['Host', '127.0.0.1:3000', 'Authorization', header.toString('latin1'), 'Connection', 'keep-alive'] } };
    const response = await app.fetch(request, env);
    if (response.status !== 200) throw new Error(`${which} answered ${response.status}`);
  }
}

if (process.argv[2] !== undefined) {
  await serve(process.argv[2], Number(process.argv[3]));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'kms-jwt-hono-instructions-'));
  const count = (which, n) => {
    const out = join(dir, `${which}.${n}`);
    execFileSync('valgrind', ['-q', '--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, fileURLToPath(import.meta.url), which, String(n)], { stdio: 'inherit' });
    return Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(out, 'utf8'))[1]);
  };
  console.log(`\nHono's app.fetch, instructions per request (callgrind, (I(${N2}) − I(${N1})) / ${N2 - N1}), Node ${process.version}\n`);
  console.log('| app | instructions per request |\n| --- | ---: |');
  try {
    for (const which of APPS) console.log(`| ${which} | ${Math.round((count(which, N2) - count(which, N1)) / (N2 - N1)).toLocaleString('en-US')} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
