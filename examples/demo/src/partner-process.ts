import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PartnerConfig, PartnerMessage } from './partner.js';

/** A partner verdict on one token. */
export type PartnerVerdict = { readonly valid: true; readonly key: string } | { readonly valid: false; readonly code: string };

/** The partner's process, started and ready. */
export interface PartnerProcess {
  /** AWS_* variables the partner's process sees (none). */
  readonly awsVariables: readonly string[];
  /** The kids of the JWKS it loaded at start. */
  readonly keys: readonly string[];
  verify(token: string): Promise<PartnerVerdict>;
  stop(): Promise<void>;
}

// Built next to this file's source and its output alike: examples/demo/dist/partner.js.
const SCRIPT = fileURLToPath(new URL('../dist/partner.js', import.meta.url));

/** Forks dist/partner.js with only PATH in its environment; resolves once it loaded the JWKS. */
export function startPartner(config: PartnerConfig): Promise<PartnerProcess> {
  const child = fork(SCRIPT, [JSON.stringify(config)], { env: { PATH: process.env['PATH'] ?? '' }, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (verdict: PartnerVerdict) => void>();
  let nextId = 0;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the partner's process exited with ${code} before it was ready`)));
    child.on('message', (message: PartnerMessage) => {
      if ('ready' in message) {
        child.removeAllListeners('exit');
        resolve({
          awsVariables: message.awsVariables,
          keys: message.keys,
          verify: (token) =>
            new Promise((done) => {
              nextId += 1;
              pending.set(nextId, done);
              child.send({ id: nextId, token });
            }),
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.disconnect();
            }),
        });
        return;
      }
      pending.get(message.id)?.(message.valid ? { valid: true, key: message.key } : { valid: false, code: message.code });
      pending.delete(message.id);
    });
  });
}
