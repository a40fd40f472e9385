// The demo's fleet path: `node examples/demo/dist/demo.js` with REDIS_URL pointing at a real redis-server on a
// free loopback port runs the whole story on kms-local, then step 11 — three API processes sharing a
// kms-jwt-fleet revocation list on that Redis, a token revoked through one of them, refused by all.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../../packages/fleet/test/redis-server.js';

const DEMO = fileURLToPath(new URL('../../examples/demo/dist/demo.js', import.meta.url));
const REVOKED = 'the access token was revoked';
/** Three base64url segments long enough to be a JWS: a whole token. */
const WHOLE_JWT = /[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/;

describe('the demo with REDIS_URL (its fleet path)', () => {
  let redis: RedisServer;
  let output = '';
  let exitCode: number | null = null;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // Only PATH and REDIS_URL: no AWS_REGION or KMS_JWT_DEMO_KEY_ID, so kms-local, never AWS.
    const child = spawn(process.execPath, [DEMO], {
      env: { PATH: process.env['PATH'] ?? '', REDIS_URL: redis.url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  }, 180_000);

  afterAll(async () => {
    await redis?.stop();
  });

  /** Step 11's narration. */
  const fleetSection = (): string => output.slice(output.indexOf('▸ 11.'), output.indexOf('▸ Summary'));

  it('runs every step of the story and then the fleet step, and exits 0', () => {
    expect(output, output).toContain('Every step behaved as narrated');
    expect(exitCode).toBe(0);
    expect(output).toContain(`▸ 11. A fleet on Redis (REDIS_URL, 127.0.0.1:${redis.port}): 3 API processes share one revocation list (kms-jwt-fleet)`);
    expect(output).toContain('✔ a token revoked through one process is refused by every process of the fleet, its malleated copy too');
  });

  it('starts three API processes of their own on that Redis', () => {
    const pids = [...fleetSection().matchAll(/^ {2}fleet-(\d) {2}pid (\d+) {2}http:\/\/127\.0\.0\.1:\d+ /gm)].map(([, index, pid]) => [index, Number(pid)]);
    expect(pids.map(([index]) => index)).toEqual(['1', '2', '3']);
    const distinct = new Set(pids.map(([, pid]) => pid));
    expect(distinct.size).toBe(3);
  });

  it('every process accepts the token and its (r, n − s) copy, then, once it is revoked through fleet-1, refuses both', () => {
    const section = fleetSection();
    for (const name of ['fleet-1', 'fleet-2', 'fleet-3']) {
      const answers = [...section.matchAll(new RegExp(`^ {2}${name} {2}GET /orders with (it|its copy) → (.*)$`, 'gm'))].map(([, what, answer]) => `${what}: ${answer}`);
      expect(answers).toEqual(['it: 200', 'its copy: 200', `it: 401 ${REVOKED}`, `its copy: 401 ${REVOKED}`]);
    }
    expect(section).toContain('fleet-1  POST /logout with it → 204');
    expect(section).toContain('every process of the fleet refused the revoked token and its (r, n − s) copy');
  });

  it("counts the processes' KMS calls in a column of their own, so the table still accounts for every call kms-local received", () => {
    expect(output).toMatch(/operation\s+demo\s+issuer\s+express\s+koa\s+passport\s+fleet\s+total/);
    const totals = /^ +total((?: +\d+)+)$/m.exec(output)?.[1]?.trim().split(/ +/).map(Number) ?? [];
    expect(totals).toHaveLength(7);
    // Each process: one DescribeKey (the alias) and one GetPublicKey at start.
    expect(totals[5]).toBeGreaterThanOrEqual(6);
    expect(output).toContain(`kms-local received ${totals[6]} calls in all.`);
  });

  it('names Redis by host and port only, and never prints a whole token', () => {
    expect(output).not.toContain('redis://');
    expect(output).not.toMatch(WHOLE_JWT);
  });
});
