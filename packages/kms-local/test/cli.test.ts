import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient, ListKeysCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(packageDir, '../..');
const cliPath = join(packageDir, 'dist', 'cli.js');

interface Cli {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Announcement {
  readonly endpoint: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
}

describe('the kms-local command', () => {
  const children = new Set<Cli>();
  let dir = '';

  function run(args: readonly string[]): Cli {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
      child.once('exit', (code, signal) => resolveExit({ code, signal }));
    });
    const cli: Cli = { child, stdout: '', stderr: '', exited };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (cli.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (cli.stderr += chunk));
    children.add(cli);
    void exited.then(() => children.delete(cli));
    return cli;
  }

  /** Waits for the startup banner and reads the endpoint and the `export` lines from it. */
  async function announcement(cli: Cli): Promise<Announcement> {
    const deadline = Date.now() + 20_000;
    while (!cli.stdout.includes('Press Ctrl+C to stop.')) {
      if (cli.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`kms-local did not announce itself; stdout: ${cli.stdout} stderr: ${cli.stderr}`);
      }
      await new Promise((wake) => setTimeout(wake, 20));
    }
    const listening = /^kms-local listening on (http:\/\/127\.0\.0\.1:(\d+)) \(account (\d{12}), region ([a-z0-9-]+)\)$/m.exec(cli.stdout);
    if (!listening) throw new Error(`no "listening on" line in: ${cli.stdout}`);
    const env: Record<string, string> = {};
    for (const line of cli.stdout.split('\n')) {
      const exported = /^\s*export (.+)$/.exec(line);
      for (const assignment of exported?.[1]?.split(/\s+/) ?? []) {
        const [name, ...value] = assignment.split('=');
        if (name !== undefined) env[name] = value.join('=');
      }
    }
    return { endpoint: listening[1] ?? '', port: Number(listening[2]), env };
  }

  function clientFor(env: Readonly<Record<string, string>>): KMSClient {
    const endpoint = env.AWS_ENDPOINT_URL_KMS;
    const region = env.AWS_REGION;
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (endpoint === undefined || region === undefined || accessKeyId === undefined || secretAccessKey === undefined) {
      throw new Error(`the banner lacks an export: ${JSON.stringify(env)}`);
    }
    return new KMSClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  }

  function portIsClosed(port: number): Promise<boolean> {
    return new Promise((resolveClosed) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolveClosed(false);
      });
      socket.once('error', () => resolveClosed(true));
    });
  }

  beforeAll(async () => {
    // The command runs from dist/: build it from the current sources first (an incremental build is quick).
    await execFileAsync(join(repoDir, 'node_modules', '.bin', 'tsc'), ['-b', join(packageDir, 'tsconfig.build.json')], { cwd: repoDir });
  }, 120_000);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-local-cli-'));
  });

  afterEach(async () => {
    for (const cli of [...children]) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the real port of --port 0 and the SDK environment, serves the SDK, and exits 0 on SIGTERM', async () => {
    const cli = run(['--port', '0']);
    const { endpoint, port, env } = await announcement(cli);
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(4599);
    expect(env).toEqual({ AWS_ENDPOINT_URL_KMS: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'kms-local', AWS_SECRET_ACCESS_KEY: 'kms-local' });

    const client = clientFor(env);
    try {
      const created = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
      expect(created.KeyMetadata?.Arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
      const message = Buffer.from('header.payload');
      const signed = await client.send(new SignCommand({ KeyId: created.KeyMetadata?.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
      const verified = await client.send(new VerifyCommand({ KeyId: created.KeyMetadata?.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256', Signature: signed.Signature }));
      expect(verified.SignatureValid).toBe(true);
    } finally {
      client.destroy();
    }

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stderr).toBe('');
    expect(await portIsClosed(port)).toBe(true);
  });

  it('exits 0 on SIGINT (Ctrl+C)', async () => {
    const cli = run(['--port', '0']);
    await announcement(cli);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it.each([['--help'], ['-h']])('prints the usage and exits 0 for %s', async (flag) => {
    const cli = run([flag]);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stdout).toMatch(/^Usage: kms-local \[options\]/);
    expect(cli.stdout).toContain('--port <n>');
    expect(cli.stdout).toContain('--data <file>');
    expect(cli.stdout).toContain('--seed <file>');
    expect(cli.stderr).toBe('');
  });

  it.each([
    [['--nope'], /Unknown option '--nope'[\s\S]*Usage: kms-local/],
    [['--port'], /Option '--port <value>' argument missing[\s\S]*Usage: kms-local/],
    [['stray-argument'], /Unexpected argument 'stray-argument'[\s\S]*Usage: kms-local/],
    [['--port', 'abc'], /--port must be a port number from 0 to 65535, not abc/],
    [['--port', '70000'], /--port must be a port number from 0 to 65535, not 70000/],
    [['--port', '-1'], /Option '--port' argument is ambiguous[\s\S]*Usage: kms-local/],
    [['--port=-1'], /--port must be a port number from 0 to 65535, not -1/],
  ])('exits 2 with a usage error for %j', async (args, message) => {
    const cli = run(args);
    expect(await cli.exited).toEqual({ code: 2, signal: null });
    expect(cli.stderr).toMatch(message);
    expect(cli.stdout).toBe('');
  });

  it('preloads keys from --seed into --data, keeps run-time keys in the data file, and reuses them on the next run', async () => {
    const seedFile = join(dir, 'seed.json');
    const dataFile = join(dir, 'kms.json');
    await writeFile(
      seedFile,
      JSON.stringify({
        keys: [
          { keyId: '2d3c4b5a-6978-4a6b-8c7d-1e2f3a4b5c6d', keySpec: 'ECC_NIST_P256', aliases: ['alias/jwt-signer'], tags: { app: 'cli-test' } },
          { keySpec: 'ECC_NIST_EDWARDS25519', aliases: ['alias/ed'] },
        ],
      }),
    );
    const args = ['--port', '0', '--data', dataFile, '--seed', seedFile, '--region', 'eu-west-1', '--account-id', '123456789012'];

    const first = run(args);
    const announced = await announcement(first);
    expect(first.stdout).toContain('(account 123456789012, region eu-west-1)');
    expect(announced.env.AWS_REGION).toBe('eu-west-1');
    let runtimeArn = '';
    const client = clientFor(announced.env);
    try {
      const signer = await client.send(new DescribeKeyCommand({ KeyId: 'alias/jwt-signer' }));
      expect(signer.KeyMetadata?.Arn).toBe('arn:aws:kms:eu-west-1:123456789012:key/2d3c4b5a-6978-4a6b-8c7d-1e2f3a4b5c6d');
      expect((await client.send(new DescribeKeyCommand({ KeyId: 'alias/ed' }))).KeyMetadata?.KeySpec).toBe('ECC_NIST_EDWARDS25519');
      runtimeArn = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
    } finally {
      client.destroy();
    }
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect((await stat(dataFile)).mode & 0o777).toBe(0o600);
    const stored = await readFile(dataFile, 'utf8');

    const second = run(args);
    const again = clientFor((await announcement(second)).env);
    try {
      const arns = ((await again.send(new ListKeysCommand({}))).Keys ?? []).map((key) => key.KeyArn);
      expect(arns).toHaveLength(3);
      expect(arns).toContain(runtimeArn);
      expect((await again.send(new DescribeKeyCommand({ KeyId: 'alias/jwt-signer' }))).KeyMetadata?.KeyId).toBe('2d3c4b5a-6978-4a6b-8c7d-1e2f3a4b5c6d');
    } finally {
      again.destroy();
    }
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const storedAgain = JSON.parse(await readFile(dataFile, 'utf8')) as { keys: unknown[] };
    expect(storedAgain.keys).toHaveLength(3);
    expect(JSON.parse(stored)).toEqual(storedAgain);
  });

  it('exits 1 with the reason when the data file is corrupt', async () => {
    const dataFile = join(dir, 'kms.json');
    await writeFile(dataFile, 'not json');
    const cli = run(['--port', '0', '--data', dataFile]);
    expect(await cli.exited).toEqual({ code: 1, signal: null });
    expect(cli.stderr).toMatch(new RegExp(`^kms-local: cannot read the data file ${dataFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(cli.stdout).toBe('');
  });

  it('exits 1 with the reason when the seed is invalid', async () => {
    const seedFile = join(dir, 'seed.json');
    await writeFile(seedFile, JSON.stringify({ keys: [{ keySpec: 'ECC_NIST_P999' }] }));
    const cli = run(['--port', '0', '--seed', seedFile]);
    expect(await cli.exited).toEqual({ code: 1, signal: null });
    expect(cli.stderr).toMatch(/^kms-local: seed key 0 has unknown keySpec ECC_NIST_P999/);
  });

  it('exits 1 with the reason when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening));
    try {
      const { port } = blocker.address() as AddressInfo;
      const cli = run(['--port', String(port)]);
      expect(await cli.exited).toEqual({ code: 1, signal: null });
      expect(cli.stderr).toMatch(new RegExp(`^kms-local: cannot start: listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}`));
    } finally {
      await new Promise<void>((closed) => blocker.close(() => closed()));
    }
  });
});
