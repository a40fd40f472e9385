import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { expect } from 'vitest';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(packageDir, '../..');
export const cliPath = join(packageDir, 'dist', 'cli.js');

/** Builds the workspace when the bin is missing (the root `pnpm test` builds before running the tests). */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(cliPath)) return;
  // As the root build does: tsc, then the bundled packages' JavaScript (tsc writes only their .d.ts).
  await promisify(execFile)(join(repoDir, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json'], { cwd: repoDir });
  await promisify(execFile)(process.execPath, [join(repoDir, 'scripts', 'bundle-packages.mjs')], { cwd: repoDir });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. Default: stdin closed at once. */
  readonly input?: string;
  /** Added to (or, when undefined, removed from) the base environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

/** Credentials kms-local accepts; no AWS profile, config file or instance metadata is consulted. */
export function baseEnv(home: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'kms-local',
    AWS_SECRET_ACCESS_KEY: 'kms-local',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** A scratch directory (also the HOME of the commands run in it). */
export async function scratchDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kms-jwt-cli-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs the built `kms-jwt` bin and collects its exit code and output. */
export function runKmsJwt(args: readonly string[], home: string, options: RunOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = baseEnv(home);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd ?? home, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // the command may exit before reading stdin
    child.stdin.end(options.input ?? '');
  });
}

/** kms-local in this process, on 127.0.0.1 and a free port, with the flags that point kms-jwt at it. */
export async function startKms(): Promise<{ kms: KmsLocal; kmsArgs: readonly string[] }> {
  const kms = await startKmsLocal({ port: 0, host: '127.0.0.1' });
  return { kms, kmsArgs: ['--endpoint', kms.endpoint, '--region', kms.region] };
}

/** A loopback URL nothing listens on: a free port, closed again. */
export async function unreachableEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return `http://127.0.0.1:${port}`;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Checks that `sign` exited 0, printed one compact JWS line and nothing else, and returns the
 * token. Failure messages show stderr and the output's shape, never the token.
 */
export function tokenFrom(result: CliResult): string {
  expect(result.code, `sign exited ${result.code}: ${result.stderr}`).toBe(0);
  const lines = result.stdout.split('\n');
  expect(lines.length === 2 && lines[1] === '' && COMPACT_JWS.test(lines[0] ?? ''), `sign printed ${lines.length - 1} line(s) that are not exactly one compact JWS`).toBe(true);
  return lines[0] ?? '';
}

/** The decoded header and payload of a compact JWS (for assertions; the test trusts its own tokens). */
export function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header = '', payload = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

/** The same token with another payload and the original signature. */
export function withPayload(token: string, change: (payload: Record<string, unknown>) => Record<string, unknown>): string {
  const [header = '', , signature = ''] = token.split('.');
  const payload = Buffer.from(JSON.stringify(change(decode(token).payload))).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** No stack trace lines (`    at fn (file:line)`) in the output. */
export function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at .+[:(]/m);
}
