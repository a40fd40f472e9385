import { createRevocationList, type RevocationList } from 'kms-jwt-fleet';
import type { VerifiedToken } from 'kms-jwt-verifier';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer, freePort } from '../../fleet/test/redis-server.js';
import { ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir } from './support.js';

const ISS = 'https://issuer.example';
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what} did not happen`);
}

interface Listed {
  readonly iss: string;
  readonly jti: string;
  readonly exp: number;
}

describe('kms-jwt revoke, revoked list and keys recheck against a real redis-server', () => {
  let redis: RedisServer;
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    [redis, { dir, remove }] = await Promise.all([RedisServer.start(), scratchDir()]);
  }, 180_000);
  afterAll(async () => {
    for (const run of cleanup.reverse()) await run().catch(() => undefined);
    await redis?.stop();
    await remove();
  });

  async function verifierList(keyPrefix?: string): Promise<RevocationList> {
    const client = createClient({ url: redis.url });
    client.on('error', () => undefined);
    await client.connect();
    const list = createRevocationList({ client, ...(keyPrefix === undefined ? {} : { keyPrefix }) });
    cleanup.push(() => client.close(), () => list.close());
    await list.ready();
    return list;
  }

  // What an adapter hands isRevoked after verification: the list looks at iss and jti only.
  const claims = (jti: string, exp: number): VerifiedToken => ({ header: { alg: 'ES256', kid: KEY_ARN }, payload: { iss: ISS, jti, exp }, key: KEY_ARN });

  it('revoke: a verifier of the fleet refuses the token once the command returns, and revoked list shows it', async () => {
    const verifier = await verifierList();
    const exp = Math.floor(Date.now() / 1000) + 600;
    expect(verifier.isRevoked(claims('cli-1', exp))).toBe(false);
    const revoked = await runKmsJwt(['revoke', '--iss', ISS, '--jti', 'cli-1', '--exp', String(exp), '--redis-url', redis.url, '--json'], dir);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ iss: ISS, jti: 'cli-1', exp, revoked: true });
    expect(revoked.stderr).toMatch(/^revoked in Redis at 127\.0\.0\.1:\d+ until /);
    await eventually(() => verifier.isRevoked(claims('cli-1', exp)), 'the verifier refusing the revoked token');
    expect(verifier.isRevoked(claims('cli-2', exp))).toBe(false);

    const listed = await runKmsJwt(['revoked', 'list', '--json', '--redis-url', redis.url], dir);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout) as Listed[]).toContainEqual({ iss: ISS, jti: 'cli-1', exp });
    const text = await runKmsJwt(['revoked', 'list'], dir, { env: { REDIS_URL: redis.url } });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`  ${ISS}  cli-1\n`);
    expect(text.stderr).toMatch(/^\d+ unexpired revocations? in Redis at 127\.0\.0\.1:\d+\n$/);
  });

  it('revoke --exp takes a duration from now, epoch seconds, and ignores a token long expired (exit 0, revoked false)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const inFifteen = await runKmsJwt(['revoke', '--iss', ISS, '--jti', 'cli-duration', '--exp', '15m', '--redis-url', redis.url, '--json'], dir);
    expect(inFifteen.code).toBe(0);
    const { exp } = JSON.parse(inFifteen.stdout) as Listed;
    expect(exp).toBeGreaterThanOrEqual(before + 900);
    expect(exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 900);

    const gone = await runKmsJwt(['revoke', '--iss', ISS, '--jti', 'cli-expired', '--exp', String(before - 3600), '--redis-url', redis.url, '--json'], dir);
    expect(gone.code).toBe(0);
    expect(JSON.parse(gone.stdout)).toMatchObject({ jti: 'cli-expired', revoked: false });
    expect(gone.stderr).toContain('nothing to revoke');
    const listed = JSON.parse((await runKmsJwt(['revoked', 'list', '--json', '--redis-url', redis.url], dir)).stdout) as Listed[];
    expect(listed.map((entry) => entry.jti)).toContain('cli-duration');
    expect(listed.map((entry) => entry.jti)).not.toContain('cli-expired');
  });

  it('revoke and revoked list use --key-prefix, keeping lists apart', async () => {
    const other = await verifierList('other-list');
    const exp = Math.floor(Date.now() / 1000) + 600;
    expect((await runKmsJwt(['revoke', '--iss', ISS, '--jti', 'cli-prefixed', '--exp', String(exp), '--key-prefix', 'other-list', '--redis-url', redis.url], dir)).code).toBe(0);
    await eventually(() => other.isRevoked(claims('cli-prefixed', exp)), 'the other list refusing the token');
    const inOther = JSON.parse((await runKmsJwt(['revoked', 'list', '--json', '--key-prefix', 'other-list', '--redis-url', redis.url], dir)).stdout) as Listed[];
    expect(inOther).toEqual([{ iss: ISS, jti: 'cli-prefixed', exp }]);
    const inDefault = JSON.parse((await runKmsJwt(['revoked', 'list', '--json', '--redis-url', redis.url], dir)).stdout) as Listed[];
    expect(inDefault.map((entry) => entry.jti)).not.toContain('cli-prefixed');
  });

  it('keys recheck publishes the key event on the fleet channel', async () => {
    const subscriber = createClient({ url: redis.url });
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    cleanup.push(() => subscriber.close());
    const heard: unknown[] = [];
    await subscriber.subscribe('kms-jwt:key-events', (message) => void heard.push(JSON.parse(message)));
    const recheck = await runKmsJwt(['keys', 'recheck', KEY_ARN, '--redis-url', redis.url, '--json'], dir);
    expect(recheck.code).toBe(0);
    expect(JSON.parse(recheck.stdout)).toEqual({ keyArn: KEY_ARN, event: 'recheck', receivers: 1 });
    const disabled = await runKmsJwt(['keys', 'recheck', KEY_ARN, '--disabled', '--redis-url', redis.url], dir);
    expect(disabled.code).toBe(0);
    expect(disabled.stderr).toContain("published 'disabled'");
    await eventually(() => heard.length === 2, 'both events arriving');
    expect(heard).toEqual([
      { keyArn: KEY_ARN, event: 'recheck' },
      { keyArn: KEY_ARN, event: 'disabled' },
    ]);
  });

  it.each([
    [['revoke', '--iss', ISS, '--jti', 'j', '--exp', '15m'], /^kms-jwt revoke: no Redis given: pass --redis-url redis:\/\/host:port or set REDIS_URL\n/],
    [['revoked', 'list'], /^kms-jwt revoked list: no Redis given/],
    [['keys', 'recheck', KEY_ARN], /^kms-jwt keys recheck: no Redis given/],
    [['revoked', 'list', '--redis-url', 'http://127.0.0.1:6379'], /^kms-jwt revoked list: --redis-url \(or REDIS_URL\) must start with redis:\/\/ or rediss:\/\/, not http:\/\//],
    [['revoked', 'list', '--redis-url', 'not a url'], /^kms-jwt revoked list: --redis-url \(or REDIS_URL\) must be a URL/],
    [['revoke', '--jti', 'j', '--exp', '15m', '--redis-url', 'redis://127.0.0.1:1'], /^kms-jwt revoke: --iss is required/],
    [['revoke', '--iss', ISS, '--exp', '15m', '--redis-url', 'redis://127.0.0.1:1'], /^kms-jwt revoke: --jti is required/],
    [['revoke', '--iss', ISS, '--jti', 'j', '--redis-url', 'redis://127.0.0.1:1'], /^kms-jwt revoke: --exp is required/],
    [['revoke', '--iss', ISS, '--jti', 'j', '--exp', 'tomorrow', '--redis-url', 'redis://127.0.0.1:1'], /^kms-jwt revoke: --exp must be epoch seconds/],
    [['revoke', '--iss', ISS, '--jti', 'j'.repeat(1025), '--exp', '15m', '--redis-url', 'redis://127.0.0.1:1'], /^kms-jwt revoke: --jti is longer than 1024 characters/],
    [['keys', 'recheck', 'alias/orders', '--redis-url', 'redis://127.0.0.1:1'], /^kms-jwt keys recheck: the key must be a KMS key ARN/],
    [['keys', 'recheck', '--redis-url', 'redis://127.0.0.1:1'], /^kms-jwt keys recheck: no key given/],
  ])('exits 2 for %j, saying what to fix, with nothing on stdout', async (args, message) => {
    const result = await runKmsJwt(args, dir, { env: { REDIS_URL: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('exits 3 when Redis is unavailable, for each command, without a stack trace', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    for (const args of [
      ['revoke', '--iss', ISS, '--jti', 'j', '--exp', '15m', '--redis-url', nobody],
      ['revoked', 'list', '--redis-url', nobody],
      ['keys', 'recheck', KEY_ARN, '--redis-url', nobody],
    ]) {
      const result = await runKmsJwt(args, dir);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/: cannot connect: Redis at 127\.0\.0\.1:\d+ is unavailable \(.*ECONNREFUSED.*\); check that it is running and reachable\n$/);
      expectNoStackTrace(result.stderr);
      expect(result.stdout).toBe('');
    }
  });

  it('never prints the password of a Redis URL', async () => {
    const port = await freePort();
    const result = await runKmsJwt(['revoked', 'list', '--redis-url', `redis://fleet:s3cret-pa55@127.0.0.1:${port}`], dir);
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain('s3cret-pa55');
  });
});
