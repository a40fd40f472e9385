/*
 * The ENS as its own process: `node dist/ens.js --trust evs.pem --kid <EVS key ARN> --issuer ...
 * --audience ...`. It prints one JSON line per event on stdout — `listening` first, then one
 * `upload` per decision — and stops on SIGTERM or SIGINT, and with `--exit-with-parent` also when
 * its stdin closes (the process that spawned it went away). It needs no AWS credentials, endpoint
 * or region: it never talks to KMS.
 */
import { parseArgs } from 'node:util';
import type { OfflineKey } from 'kms-pubkey-provider';
import { startEns, type UploadEvent } from './ens-server.js';

const USAGE = `usage: node dist/ens.js --trust <evs.pem | evs-jwks.json> [--kid <EVS key ARN>] --issuer <iss> --audience <aud>
                        [--port 0] [--host 127.0.0.1] [--clock-tolerance-seconds 30] [--exit-with-parent]
  --trust  the EVS public key, imported offline: a PEM (then --kid binds it to the EVS key ARN) or a JWKS (whose keys carry their kid)`;

function line(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} must be a whole number >= 0`);
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trust: { type: 'string' },
      kid: { type: 'string' },
      issuer: { type: 'string', multiple: true },
      audience: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'clock-tolerance-seconds': { type: 'string' },
      'exit-with-parent': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { trust, kid, issuer, audience } = values;
  if (trust === undefined || issuer === undefined || issuer.length === 0 || audience === undefined) throw new Error(`--trust, --issuer and --audience are required\n${USAGE}`);
  const trusted: OfflineKey = kid === undefined ? { file: trust } : { kid, file: trust };

  const ens = await startEns({
    trustedKeys: [trusted],
    issuer,
    audience,
    port: integer('port', values.port, 0),
    host: values.host ?? '127.0.0.1',
    clockToleranceSeconds: integer('clock-tolerance-seconds', values['clock-tolerance-seconds'], 30),
    onUpload: (event: UploadEvent) => line({ event: 'upload', ...event }),
  });
  line({ event: 'listening', url: ens.url, pid: process.pid, trustedKids: ens.trustedKids });

  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    ens.close().then(
      () => {
        line({ event: 'stopped', why });
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (values['exit-with-parent']) {
    process.stdin.once('end', () => stop('parent gone'));
    process.stdin.once('error', () => stop('parent gone'));
    process.stdin.resume();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ENS: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
