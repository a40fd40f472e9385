import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, createCluster } from 'redis';

/** A free loopback port (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis test support: ${what} did not happen`);
}

/** What `redis-cli` prints for one command to the server on `port` (an empty string when it cannot connect). */
export function cli(port: number, ...command: string[]): string {
  return spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...command], { encoding: 'utf8' }).stdout ?? '';
}

function ping(port: number): boolean {
  return cli(port, 'ping').trim() === 'PONG';
}

/** A real redis-server on a loopback port, no persistence; `kill`/`restart`/`pause`/`resume` for fault tests. */
export class RedisServer {
  readonly port: number;
  readonly #args: string[];
  #child: ChildProcess | undefined;

  private constructor(port: number, args: string[]) {
    this.port = port;
    this.#args = args;
  }

  static async start(extraArgs: string[] = [], port?: number): Promise<RedisServer> {
    const chosen = port ?? (await freePort());
    const server = new RedisServer(chosen, ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs]);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Whether the process runs (it may be paused). */
  get alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async restart(): Promise<void> {
    this.#child = spawn('redis-server', this.#args, { stdio: 'ignore' });
    await until(async () => ping(this.port), `redis-server on port ${this.port} answering`);
  }

  /** SIGKILL: the server vanishes without a word, its data with it. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.alive) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
  }
}

/** A connected client to `url` that keeps retrying quickly (fault tests restart Redis under it). */
export async function connectedClient(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: () => 50, connectTimeout: 1000 } });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Options of {@link RedisClusterServers.start}. */
export interface RedisClusterOptions {
  /** Replicas of each of the 3 masters (`--cluster-replicas`). Default: `0`. */
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a node may not answer before it is failed (and its replica promoted), in ms. Default: Redis's `15000`. */
  readonly nodeTimeoutMs?: number;
}

/** A Redis Cluster of 3 masters (and their replicas) made by `redis-cli --cluster create`, each node with its config file in a temp dir. */
export class RedisClusterServers {
  readonly servers: RedisServer[];
  readonly #dir: string;

  private constructor(servers: RedisServer[], dir: string) {
    this.servers = servers;
    this.#dir = dir;
  }

  static async start(options: RedisClusterOptions = {}): Promise<RedisClusterServers> {
    const replicas = options.replicasPerMaster ?? 0;
    const dir = mkdtempSync(join(tmpdir(), 'kms-jwt-fleet-cluster-'));
    const servers: RedisServer[] = [];
    // A replica syncs with its master at once (not after Redis's 5 s diskless-sync delay): one never synced cannot be promoted.
    const timeout = [...(options.nodeTimeoutMs === undefined ? [] : ['--cluster-node-timeout', String(options.nodeTimeoutMs)]), '--repl-diskless-sync-delay', '0'];
    for (let i = 0; i < 3 * (1 + replicas); i += 1) {
      const port = await freePort();
      servers.push(await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, ...timeout], port));
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    const cluster = new RedisClusterServers(servers, dir);
    await until(async () => servers.every((s) => cluster.#healthy(s, 3 * (1 + replicas))), 'the cluster reaching cluster_state:ok with every node known');
    await until(async () => cluster.servers.every((s) => !cli(s.port, 'role').startsWith('slave') || cli(s.port, 'info', 'replication').includes('master_link_status:up')), 'every replica in sync with its master');
    return cluster;
  }

  /** The nodes that are masters now (by ROLE), among those alive. */
  masters(): RedisServer[] {
    return this.servers.filter((s) => s.alive && cli(s.port, 'role').startsWith('master'));
  }

  /** The replica of `master` (by ROLE), among those alive. */
  replicaOf(master: RedisServer): RedisServer | undefined {
    return this.servers.find((s) => s !== master && s.alive && cli(s.port, 'role').startsWith(`slave\n127.0.0.1\n${master.port}\n`));
  }

  /** Whether every node alive reports `cluster_state:ok` and sees `masters` masters not failed, each owning slots. */
  async healthy(masters = 3): Promise<boolean> {
    return this.servers.filter((s) => s.alive).every((s) => this.#healthy(s, undefined, masters));
  }

  #healthy(server: RedisServer, nodes?: number, masters?: number): boolean {
    if (!cli(server.port, 'cluster', 'info').includes('cluster_state:ok')) return false;
    const lines = cli(server.port, 'cluster', 'nodes').trim().split('\n');
    if (nodes !== undefined && lines.filter((line) => line.includes('connected')).length !== nodes) return false;
    // <id> <addr> <flags> <master> <ping> <pong> <epoch> <link> <slot>...
    if (masters !== undefined && lines.filter((line) => { const f = line.split(' '); return f[2]?.includes('master') === true && !f[2].includes('fail') && f.length > 8; }).length !== masters) return false;
    return true;
  }

  /**
   * A connected cluster client. With `refreshTopologyAfterMs` its node connections retry every 50 ms and it
   * rediscovers the topology that long after a node stopped answering (node-redis's default: 5000 ms).
   */
  async connect(options: { refreshTopologyAfterMs?: number } = {}) {
    const cluster = createCluster({
      rootNodes: this.servers.map((s) => ({ url: s.url })),
      ...(options.refreshTopologyAfterMs === undefined
        ? {}
        : { topologyRefreshOnReconnectionAttemptStrategy: options.refreshTopologyAfterMs, defaults: { socket: { reconnectStrategy: () => 50, connectTimeout: 1000 } } }),
    });
    cluster.on('error', () => undefined);
    await cluster.connect();
    return cluster;
  }

  async stop(): Promise<void> {
    for (const server of this.servers) await server.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
