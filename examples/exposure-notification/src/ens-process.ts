/*
 * Runs the ENS as a child process (`node dist/ens.js`) and reads its JSON-line events. The child
 * gets its arguments and a PATH, nothing else from this process's environment: no AWS variables.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { UploadEvent } from './ens-server.js';

/** Where the built ENS entry point is, from src/ (tests) and from dist/ alike. */
export const ENS_ENTRY = fileURLToPath(new URL('../dist/ens.js', import.meta.url));

/** Options of {@link spawnEns}. */
export interface SpawnEnsOptions {
  /** The imported EVS public key file: a PEM or a JWKS. */
  readonly trustFile: string;
  /** The EVS key ARN the PEM is bound to; leave out for a JWKS. */
  readonly kid?: string;
  readonly issuer: string;
  readonly audience: string;
  /** How long to wait for the ENS to listen, in milliseconds. Default: `10000`. */
  readonly startTimeoutMs?: number;
}

/** A running ENS child process. */
export interface EnsProcess {
  readonly pid: number;
  readonly url: string;
  readonly trustedKids: readonly string[];
  /** The names of the environment variables the child was given. */
  readonly environment: readonly string[];
  /** Resolves to the ENS's own log of the upload sent with this `X-Request-Id`. */
  uploadEvent(requestId: string, timeoutMs?: number): Promise<UploadEvent>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process has exited. */
  stop(timeoutMs?: number): Promise<void>;
}

interface ListeningEvent {
  readonly url: string;
  readonly trustedKids: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Starts the ENS and resolves once it listens; rejects (and kills it) if it does not. */
export async function spawnEns(options: SpawnEnsOptions): Promise<EnsProcess> {
  if (!existsSync(ENS_ENTRY)) throw new Error(`${ENS_ENTRY} does not exist: build the example first (npx tsc -b tsconfig.build.json)`);
  const args = [ENS_ENTRY, '--trust', options.trustFile, '--issuer', options.issuer, '--audience', options.audience, '--exit-with-parent'];
  if (options.kid !== undefined) args.push('--kid', options.kid);
  const env = { PATH: process.env['PATH'] ?? '' };
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });

  const uploads = new Map<string, UploadEvent>();
  const waiters = new Map<string, (event: UploadEvent) => void>();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const listening = new Promise<ListeningEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ENS did not start within ${options.startTimeoutMs ?? 10_000} ms`)), options.startTimeoutMs ?? 10_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the ENS could not be started: ${error.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the ENS exited with code ${String(code)} before listening: ${stderr.trim()}`));
    });
    createInterface({ input: child.stdout }).on('line', (text) => {
      let event: unknown;
      try {
        event = JSON.parse(text);
      } catch {
        return;
      }
      if (!isRecord(event)) return;
      if (event['event'] === 'listening' && typeof event['url'] === 'string' && Array.isArray(event['trustedKids'])) {
        clearTimeout(timer);
        resolve({ url: event['url'], trustedKids: event['trustedKids'].filter((kid): kid is string => typeof kid === 'string') });
      } else if (event['event'] === 'upload' && typeof event['requestId'] === 'string') {
        const upload = event as unknown as UploadEvent & { requestId: string };
        uploads.set(upload.requestId, upload);
        waiters.get(upload.requestId)?.(upload);
      }
    });
  });

  async function stop(timeoutMs = 5_000): Promise<void> {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  let started: ListeningEvent;
  try {
    started = await listening;
  } catch (error) {
    await stop();
    throw error;
  }
  if (child.pid === undefined) throw new Error('the ENS process has no pid');
  return {
    pid: child.pid,
    url: started.url,
    trustedKids: started.trustedKids,
    environment: Object.keys(env),
    uploadEvent: (requestId, timeoutMs = 5_000) => {
      const known = uploads.get(requestId);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise<UploadEvent>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(requestId);
          reject(new Error(`the ENS logged no decision for ${requestId} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(requestId, (event) => {
          clearTimeout(timer);
          waiters.delete(requestId);
          resolve(event);
        });
      });
    },
    stop,
  };
}
