import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve as resolvePath } from 'node:path';
import { Faults, type FaultController } from './faults.js';
import type { KmsOperationName } from './operations/index.js';
import { applySeed, readSeedFile, type KmsLocalSeed } from './seed.js';
import { createRequestHandler } from './server.js';
import { KmsAccount, type KmsAccountOptions } from './account.js';
import { REGION_NAME } from './partition.js';

/** Options of {@link startKmsLocal}. */
export interface KmsLocalOptions {
  /** TCP port. Default: `0`, a free port chosen by the system. */
  readonly port?: number;
  /** Address to listen on. Default: `127.0.0.1` (loopback only). */
  readonly host?: string;
  /**
   * The Region of `clientConfig`, of the seed and of unsigned requests. kms-local serves every Region:
   * a request goes to the Region its SigV4 credential scope names (the client's `region`), and a key's
   * ARN names its Region and partition (`aws-cn` for cn-*, `aws-us-gov` for us-gov-*). Default: `us-east-1`.
   */
  readonly region?: string;
  /** Account id that appears in key ARNs (12 digits). Default: `111122223333`. */
  readonly accountId?: string;
  /** JSON file that keys and aliases are persisted to (atomically) and loaded from. Default: none, in memory only. */
  readonly dataFile?: string;
  /** Keys and aliases to preload: a seed object or the path of a JSON seed file. Default: none. */
  readonly seed?: KmsLocalSeed | string;
  /** Largest request body accepted, in bytes. Default: `262144` (256 KiB). */
  readonly maxBodyBytes?: number;
  /** Clock in epoch milliseconds, for key timestamps and deletion dates. Default: `Date.now`. */
  readonly now?: () => number;
  /** Source of randomness for fault rates, from 0 (inclusive) to 1. Default: `Math.random`. */
  readonly random?: () => number;
  /** Called with unexpected internal errors (never with key material). Default: writes to stderr. */
  readonly onError?: (error: unknown) => void;
}

/** Settings that point `new KMSClient(...)` at this kms-local. */
export interface KmsLocalClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A running kms-local. */
export interface KmsLocal {
  /** `http://host:port`, for the SDK's `endpoint` option. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** `{ endpoint, region, credentials }` to spread into `new KMSClient(...)`. */
  readonly clientConfig: KmsLocalClientConfig;
  /** Fault injection, changeable while the server runs. */
  readonly faults: FaultController;
  /** Requests received for an operation (or all operations), faulted ones included. */
  callCount(operation?: KmsOperationName): number;
  /** Sets every call count back to zero. */
  resetCallCounts(): void;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Opens the store; every failure to load the data file names the file, including those the store
 * reports without it (a key whose PEM does not parse, a file holding `null`, a malformed entry).
 */
function openAccount(options: KmsAccountOptions): KmsAccount {
  if (options.dataFile !== undefined) {
    const directory = dirname(resolvePath(options.dataFile));
    if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`kms-local: the directory of the data file ${options.dataFile} does not exist; create it first`);
    }
  }
  try {
    return new KmsAccount(options);
  } catch (error) {
    const file = options.dataFile;
    const message = error instanceof Error ? error.message : String(error);
    if (file === undefined || message.includes(file)) throw error;
    throw new Error(`kms-local: cannot load the data file ${file}: ${message.replace(/^kms-local: /, '')}`, { cause: error });
  }
}

/** Starts a KMS-compatible endpoint on loopback. */
export async function startKmsLocal(options: KmsLocalOptions = {}): Promise<KmsLocal> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '111122223333';
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 262_144;
  if (!REGION_NAME.test(region)) throw new TypeError(`kms-local: region ${region} is not a region name like us-east-1`);
  if (!ACCOUNT_ID.test(accountId)) throw new TypeError('kms-local: accountId must be 12 digits');
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024) throw new RangeError('kms-local: maxBodyBytes must be an integer >= 1024');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('kms-local: port must be an integer from 0 to 65535');

  const account = openAccount({ region, accountId, dataFile: options.dataFile, now: options.now ?? Date.now });
  if (options.seed !== undefined) await applySeed(account.region(region), typeof options.seed === 'string' ? readSeedFile(options.seed) : options.seed);

  const faults = new Faults(options.random);
  const calls = new Map<KmsOperationName, number>();
  const onError = options.onError ?? ((error: unknown) => process.stderr.write(`kms-local: internal error: ${(error as Error)?.message ?? String(error)}\n`));
  const server = createServer(
    createRequestHandler({
      account,
      faults,
      maxBodyBytes,
      countCall: (operation) => calls.set(operation, (calls.get(operation) ?? 0) + 1),
      onError,
    }),
  );
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const endpoint = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    endpoint,
    port: address.port,
    region,
    accountId,
    clientConfig: { endpoint, region, credentials: { accessKeyId: 'kms-local', secretAccessKey: 'kms-local' } },
    faults,
    callCount: (operation) => (operation === undefined ? [...calls.values()].reduce((sum, n) => sum + n, 0) : (calls.get(operation) ?? 0)),
    resetCallCounts: () => calls.clear(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * The shell lines that point the AWS SDK and the AWS CLI at a running kms-local (its endpoint,
 * region and the placeholder credentials it accepts), for banners of the commands that start one.
 */
export function kmsLocalEnvironment(kms: Pick<KmsLocal, 'endpoint' | 'region'>): string[] {
  return [
    `export AWS_ENDPOINT_URL_KMS=${kms.endpoint}`,
    `export AWS_REGION=${kms.region}`,
    'export AWS_ACCESS_KEY_ID=kms-local AWS_SECRET_ACCESS_KEY=kms-local',
  ];
}
