import { createClient, type RedisClientType } from 'redis';
import { CliError, UsageError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';

/** `--redis-url`, accepted by every command that talks to the fleet's Redis. */
export const REDIS_OPTIONS = { 'redis-url': { type: 'string' } } as const;

/** The help lines of {@link REDIS_OPTIONS}. */
export const REDIS_OPTIONS_USAGE = `  --redis-url <url>     the fleet's Redis, redis://[user:password@]host:port[/db] or rediss://
                        (default: REDIS_URL; one of them is required)`;

/** How long connecting may take before Redis counts as unavailable (exit 3). */
const CONNECT_TIMEOUT_MS = 5000;

/** The flags of {@link REDIS_OPTIONS}, as parsed. */
export interface RedisFlags {
  readonly 'redis-url'?: string | undefined;
}

/** `host:port` of a Redis URL, for messages: never its user name or password. */
export interface RedisTarget {
  readonly url: string;
  readonly where: string;
}

/** The Redis URL from `--redis-url`, else REDIS_URL; a usage error (exit 2) when neither is set or it is not a redis:// URL. */
export function redisTarget(flags: RedisFlags, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const url = flags['redis-url'] ?? (env['REDIS_URL'] === '' ? undefined : env['REDIS_URL']);
  if (url === undefined) throw new UsageError('no Redis given: pass --redis-url redis://host:port or set REDIS_URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('--redis-url (or REDIS_URL) must be a URL such as redis://127.0.0.1:6379');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new UsageError(`--redis-url (or REDIS_URL) must start with redis:// or rediss://, not ${parsed.protocol}//`);
  return { url, where: `Redis at ${parsed.host || 'localhost:6379'}` };
}

/** Redis did not answer or failed a command: exit 3, retrying may help. */
export function redisUnavailable(error: unknown, what: string, where: string): CliError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CliError(`cannot ${what}: ${where} is unavailable (${reason}); check that it is running and reachable`, EXIT_CODES.unavailable, { cause: error });
}

/**
 * One connected Redis client for the command, from `--redis-url` or REDIS_URL. It does not
 * reconnect: a command fails (exit 3) rather than wait for a Redis that went away.
 */
export async function connectRedis(target: RedisTarget): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url: target.url, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false } });
  // Errors surface through the commands' rejections; the client's own 'error' events would only repeat them.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw redisUnavailable(error, 'connect', target.where);
  }
  return client;
}
