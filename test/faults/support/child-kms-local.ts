/*
 * kms-local's bin as a child process, so a drill can SIGKILL it and start it again on the same port
 * with the same data file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const BIN = join(dirname(require.resolve('kms-local/package.json')), 'dist', 'cli.js');

/**
 * A free port on 127.0.0.1 below the system's ephemeral range: the system never hands it to an
 * outgoing connection, so it stays free while kms-local is down between a kill and its restart
 * (a port picked by listening on port 0 comes from that range, and any test's client may take it).
 */
export async function freeLoopbackPort(): Promise<number> {
  let ephemeralFrom = 32_768;
  try {
    ephemeralFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralFrom;
  } catch {
    // Not Linux: keep the common default.
  }
  const low = Math.min(20_000, ephemeralFrom - 1_000);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = low + Math.floor(Math.random() * (ephemeralFrom - low));
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  throw new Error('no free loopback port found below the ephemeral range');
}

export interface ChildKmsLocal {
  readonly endpoint: string;
  readonly port: number;
  /** Sends `signal` (if it still runs) and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `kms-local --port <port> --data <dataFile>` and resolves once it listens (on the port read
 * back from its banner); rejects with its stderr if it exits or stays silent for 15 s.
 */
export function startChildKmsLocal(port: number, dataFile: string): Promise<ChildKmsLocal> {
  const child: ChildProcess = spawn(process.execPath, [BIN, '--port', String(port), '--data', dataFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const exited = once(child, 'exit');
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop('SIGKILL');
      reject(new Error(`kms-local (child) ${why}: ${stderr.trim() || stdout.trim() || 'no output'}`));
    };
    const timer = setTimeout(() => fail('did not start listening within 15 s'), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      child.off('exit', early);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      resolve({ endpoint: match[1] as string, port: Number(match[2]), stop });
    });
    const early = (code: number | null, signal: NodeJS.Signals | null): void => fail(`exited (${signal ?? `code ${code}`}) before listening`);
    child.once('exit', early);
  });
}
