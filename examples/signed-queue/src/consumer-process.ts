/*
 * Runs the consumer as a child process (`node dist/consumer-main.js`) and invokes its handler with
 * SQS events over stdin. The child gets its arguments and PATH, nothing else from this process's
 * environment: no AWS credentials, region or KMS endpoint.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProcessedMessage } from './consumer-protocol.js';
import type { RecordDecision } from './decision.js';
import type { SqsBatchResponse, SqsEvent } from './sqs-types.js';

/** Where the built consumer entry point is, from src/ (tests) and from dist/ alike. */
export const CONSUMER_ENTRY = fileURLToPath(new URL('../dist/consumer-main.js', import.meta.url));

/** Options of {@link spawnConsumer}. */
export interface SpawnConsumerOptions {
  /** The producer's JWKS, exported at deploy time. Required. */
  readonly jwksFile: string;
  /** Passed as `--max-message-age-seconds`. Default: the consumer's (`3600`). */
  readonly maxMessageAgeSeconds?: number;
  /** How long to wait for the child to be ready, and for each invocation, in milliseconds. Default: `10000`. */
  readonly timeoutMs?: number;
}

/** What one invocation of the handler answered, and what it did. */
export interface InvocationResult {
  readonly response: SqsBatchResponse;
  readonly decisions: readonly RecordDecision[];
  readonly processed: readonly ProcessedMessage[];
}

/** The consumer child process. */
export interface ConsumerProcess {
  readonly pid: number;
  /** The kids of the keys it trusts, as it reported them. */
  readonly trustedKids: readonly string[];
  /** The names of the environment variables it saw, as it reported them. */
  readonly environment: readonly string[];
  /** Invokes the handler with `event`, as Lambda would. */
  invoke(event: SqsEvent): Promise<InvocationResult>;
  /** Closes its stdin (it exits when done) and resolves to its exit code; SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
}

interface Pending {
  readonly resolve: (result: InvocationResult) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/** Starts the consumer and resolves once it is ready; rejects (and kills it) if it is not. */
export async function spawnConsumer(options: SpawnConsumerOptions): Promise<ConsumerProcess> {
  if (!existsSync(CONSUMER_ENTRY)) throw new Error(`${CONSUMER_ENTRY} does not exist: build the example first (npx tsc -b tsconfig.build.json)`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const args = [CONSUMER_ENTRY, '--jwks', options.jwksFile];
  if (options.maxMessageAgeSeconds !== undefined) args.push('--max-message-age-seconds', String(options.maxMessageAgeSeconds));
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '' } });

  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr = (stderr + chunk).slice(-4096)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pending = new Map<number, Pending>();
  let nextId = 1;
  const failAll = (error: Error): void => {
    for (const [id, waiter] of pending) {
      clearTimeout(waiter.timer);
      pending.delete(id);
      waiter.reject(error);
    }
  };
  void exited.then((code) => failAll(new Error(`the consumer exited with code ${String(code)}: ${stderr.trim()}`)));

  const ready = new Promise<{ pid: number; trustedKids: string[]; environment: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the consumer was not ready within ${timeoutMs} ms`)), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the consumer could not be started: ${error.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the consumer exited with code ${String(code)} before it was ready: ${stderr.trim()}`));
    });
    createInterface({ input: child.stdout }).on('line', (text) => {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return;
      }
      if (!isRecord(message)) return;
      if (message['type'] === 'ready' && typeof message['pid'] === 'number') {
        clearTimeout(timer);
        resolve({ pid: message['pid'], trustedKids: strings(message['trustedKids']), environment: strings(message['environment']) });
      } else if (message['type'] === 'result' && typeof message['id'] === 'number') {
        const waiter = pending.get(message['id']);
        if (waiter === undefined) return;
        clearTimeout(waiter.timer);
        pending.delete(message['id']);
        waiter.resolve(message as unknown as InvocationResult);
      } else if (message['type'] === 'error') {
        failAll(new Error(`the handler threw: ${String(message['message'])}`));
      }
    });
  });

  async function stop(stopTimeoutMs = 5_000): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  let started: { pid: number; trustedKids: string[]; environment: string[] };
  try {
    started = await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ...started,
    invoke(event) {
      const id = nextId++;
      return new Promise<InvocationResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`the consumer did not answer invocation ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        child.stdin.write(`${JSON.stringify({ id, event })}\n`);
      });
    },
    stop,
  };
}
