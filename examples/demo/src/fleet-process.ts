import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetApiCommand, FleetApiConfig, FleetApiMessage } from './fleet-api.js';

/** One API process of the fleet, started and listening. */
export interface FleetApiProcess {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Stops it; resolves with the KMS calls it made, by operation. */
  stop(): Promise<Readonly<Record<string, number>>>;
}

// Built next to this file's source and its output alike: examples/demo/dist/fleet-api.js.
const SCRIPT = fileURLToPath(new URL('../dist/fleet-api.js', import.meta.url));
/** How long a process may take to stop before it is killed. */
const STOP_TIMEOUT_MS = 5000;

/** Forks dist/fleet-api.js and sends it its configuration over IPC; resolves once it listens. */
export function startFleetApi(config: FleetApiConfig): Promise<FleetApiProcess> {
  const child = fork(SCRIPT, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const command = (message: FleetApiCommand): void => void child.send(message);
  let kmsCalls: Readonly<Record<string, number>> = {};
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${config.name} exited with ${code} before it was ready`)));
    child.on('message', (message: FleetApiMessage) => {
      if ('failed' in message) {
        reject(new Error(`${config.name} could not start: ${message.failed}`));
      } else if ('kmsCalls' in message) {
        kmsCalls = message.kmsCalls;
      } else {
        child.removeAllListeners('exit');
        resolve({
          name: config.name,
          pid: message.pid,
          url: message.url,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(kmsCalls);
              const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
              child.once('exit', () => {
                clearTimeout(timer);
                done(kmsCalls);
              });
              command({ stop: true });
            }),
        });
      }
    });
    command({ start: config });
  });
}
