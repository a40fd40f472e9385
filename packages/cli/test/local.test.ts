import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, cliPath, ensureBuilt, runKmsJwt, scratchDir } from './support.js';

interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

describe('kms-jwt local', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  const running = new Set<Running>();

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
  }, 180_000);

  afterEach(async () => {
    for (const entry of running) {
      entry.child.kill('SIGKILL');
      await entry.exited;
    }
    running.clear();
  });

  afterAll(() => remove());

  function start(args: readonly string[]): Running {
    const child = spawn(process.execPath, [cliPath, 'local', ...args], { cwd: dir, env: baseEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    const started: Running = { child, stdout: '', stderr: '', exited };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (started.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (started.stderr += chunk));
    running.add(started);
    void exited.then(() => running.delete(started));
    return started;
  }

  async function banner(started: Running): Promise<{ endpoint: string; env: Record<string, string> }> {
    const deadline = Date.now() + 20_000;
    while (!started.stdout.includes('Press Ctrl+C to stop.')) {
      if (started.child.exitCode !== null || Date.now() > deadline) throw new Error(`kms-jwt local did not start: ${started.stderr}`);
      await new Promise((wake) => setTimeout(wake, 20));
    }
    const endpoint = /^kms-local listening on (http:\/\/127\.0\.0\.1:\d+) \(account 111122223333, region us-east-1\)$/m.exec(started.stdout)?.[1] ?? '';
    const env: Record<string, string> = {};
    for (const [, assignments = ''] of started.stdout.matchAll(/^ {2}export (.+)$/gm)) {
      for (const assignment of assignments.split(' ')) {
        const [name = '', ...value] = assignment.split('=');
        env[name] = value.join('=');
      }
    }
    return { endpoint, env };
  }

  it('starts kms-local on a free port, prints its endpoint and environment, serves kms-jwt from that environment, and exits 0 on SIGTERM', async () => {
    const local = start(['--port', '0']);
    const { endpoint, env } = await banner(local);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint).not.toBe('http://127.0.0.1:4599');
    expect(env).toEqual({ AWS_ENDPOINT_URL_KMS: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'kms-local', AWS_SECRET_ACCESS_KEY: 'kms-local' });

    const created = await runKmsJwt(['keys', 'create', '--alias', 'alias/from-local'], dir, { env });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);

    local.child.kill('SIGTERM');
    expect(await local.exited).toBe(0);
    expect(local.stderr).toBe('kms-local stopped\n');
  });

  it('takes kms-local\'s flags (--region, --account-id) and exits 0 on SIGINT', async () => {
    const local = start(['--port', '0', '--region', 'eu-west-1', '--account-id', '123456789012']);
    await banner(local);
    expect(local.stdout).toContain('(account 123456789012, region eu-west-1)');
    expect(local.stdout).toContain('export AWS_REGION=eu-west-1');
    local.child.kill('SIGINT');
    expect(await local.exited).toBe(0);
  });

  it('exits 1 with one line when the port is taken', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await runKmsJwt(['local', '--port', String(port)], dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`kms-jwt local: cannot start kms-local: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`);
      expect(result.stdout).toBe('');
    } finally {
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    }
  });
});
