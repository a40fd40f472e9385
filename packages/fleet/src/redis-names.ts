import type { Revocation } from './revocation.js';

/** The Redis client types the fleet takes: a node-redis client or cluster, created and connected by the caller. */
export type { RedisClientType, RedisClusterType } from 'redis';

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decode(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  return Buffer.from(text, 'base64url').toString('utf8');
}

/**
 * One Redis key per revocation, `<prefix>:<exp>:<base64url(iss)>:<base64url(jti)>`: the key name
 * carries the whole entry (SCAN alone loads the list, no GET per key), it expires on its own at `exp`
 * plus the tolerance (PXAT), and, with no hash tag, entries spread over a cluster's slots.
 */
export function revocationKey(prefix: string, revocation: Revocation): string {
  return `${prefix}:${revocation.exp}:${encode(revocation.iss)}:${encode(revocation.jti)}`;
}

/** The entry a key names; `undefined` for a key that is not one of ours. */
export function parseRevocationKey(prefix: string, key: string): Revocation | undefined {
  if (!key.startsWith(`${prefix}:`)) return undefined;
  const [exp, iss, jti, ...rest] = key.slice(prefix.length + 1).split(':');
  if (exp === undefined || iss === undefined || jti === undefined || rest.length > 0 || !/^[1-9][0-9]{0,15}$/.test(exp)) return undefined;
  const issuer = decode(iss);
  const id = decode(jti);
  return issuer === undefined || id === undefined || issuer === '' || id === '' ? undefined : { iss: issuer, jti: id, exp: Number(exp) };
}

/** The pub/sub message announcing a revocation. */
export function revocationMessage(revocation: Revocation): string {
  return JSON.stringify({ iss: revocation.iss, jti: revocation.jti, exp: revocation.exp });
}

/** The revocation a message announces; `undefined` for anything else. */
export function parseRevocationMessage(message: string): Revocation | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { iss, jti, exp } = value as Record<string, unknown>;
  if (typeof iss !== 'string' || typeof jti !== 'string' || iss === '' || jti === '' || typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp <= 0) return undefined;
  return { iss, jti, exp };
}
