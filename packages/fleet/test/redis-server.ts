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

function ping(port: number): boolean {
  return spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
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

  async restart(): Promise<void> {
    this.#child = spawn('redis-server', this.#args, { stdio: 'ignore' });
    await until(async () => ping(this.port), `redis-server on port ${this.port} answering`);
  }

  /** SIGKILL: the server vanishes without a word, its data with it. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
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

/** A 3-master Redis Cluster made by `redis-cli --cluster create`, each node with its config file in a temp dir. */
export class RedisClusterServers {
  readonly servers: RedisServer[];
  readonly #dir: string;

  private constructor(servers: RedisServer[], dir: string) {
    this.servers = servers;
    this.#dir = dir;
  }

  static async start(): Promise<RedisClusterServers> {
    const dir = mkdtempSync(join(tmpdir(), 'kms-jwt-fleet-cluster-'));
    const servers: RedisServer[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      servers.push(await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir], port));
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await until(async () => servers.every((s) => spawnSync('redis-cli', ['-p', String(s.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout.includes('cluster_state:ok')), 'the cluster reaching cluster_state:ok');
    return new RedisClusterServers(servers, dir);
  }

  async connect() {
    const cluster = createCluster({ rootNodes: this.servers.map((s) => ({ url: s.url })) });
    cluster.on('error', () => undefined);
    await cluster.connect();
    return cluster;
  }

  async stop(): Promise<void> {
    for (const server of this.servers) await server.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
