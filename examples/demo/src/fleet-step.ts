/*
 * The demo's fleet path (step 11, only with REDIS_URL): three API processes, each an HTTP verifier
 * with its own KMS client, key provider and Redis connections, share one kms-jwt-fleet revocation
 * list on that Redis. A token is revoked through one of them (POST /logout), and every process
 * refuses it — and its malleated copy, the same claims under the twin signature (r, n − s).
 */
import type { KMSClientConfig } from '@aws-sdk/client-kms';
import type { Checklist } from './checklist.js';
import { startFleetApi, type FleetApiProcess } from './fleet-process.js';
import type { KmsCallLog } from './kms-calls.js';

/** What the fleet step needs from the demo. */
export interface FleetStepContext {
  readonly redisUrl: string;
  readonly kms: KMSClientConfig;
  /** The keys (the alias) the processes trust. */
  readonly keyIds: readonly string[];
  readonly issuer: string;
  readonly audience: string;
  /** A token from the issuer, narrated. */
  readonly issue: (clientId: string) => Promise<string>;
  /** A token by its first characters only. */
  readonly short: (token: string) => string;
  readonly heading: (text: string) => void;
  readonly detail: (text: string) => void;
  readonly checklist: Checklist;
  /** The processes' KMS calls are added to it, under `fleet`, once they stopped. */
  readonly calls: KmsCallLog;
  /** Where the processes' stops are registered. */
  readonly cleanups: (() => Promise<unknown> | void)[];
  /** How long to wait for something that should happen at once. */
  readonly patienceMs: number;
}

const FLEET_SIZE = 3;
const REVOKED = 'the access token was revoked';
/** The order of the P-256 group (ES256). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Where a Redis URL points, as host:port (never its user or password); throws for anything but a redis(s):// URL. */
export function redisLocation(redisUrl: string): string {
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch {
    throw new Error('REDIS_URL is not a URL; expected redis://host:port');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`REDIS_URL must start with redis:// or rediss://, not ${url.protocol}//`);
  return `${url.hostname}:${url.port === '' ? '6379' : url.port}`;
}

/** The same header and payload under the twin ES256 signature (r, n − s): a second valid token string with the same claims. */
export function malleate(token: string): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const rs = Buffer.from(signature, 'base64url');
  if (rs.length !== 64) throw new Error('the token is not signed with ES256');
  const s = BigInt(`0x${rs.subarray(32).toString('hex')}`);
  const twin = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([rs.subarray(0, 32), twin]).toString('base64url')}`;
}

interface Answer {
  readonly name: string;
  readonly status: number;
  readonly description: string | undefined;
}

const outcome = (answer: Answer): string => (answer.description === undefined ? String(answer.status) : `${answer.status} ${answer.description}`);

function verdict(answers: readonly Answer[]): string {
  const outcomes = answers.map(outcome);
  return outcomes.every((text) => text === outcomes[0]) ? `all three: ${outcomes[0] ?? 'no answer'}` : answers.map((answer) => `${answer.name} ${outcome(answer)}`).join('; ');
}

async function request(api: FleetApiProcess, method: 'GET' | 'POST', path: string, token: string): Promise<Answer> {
  const response = await fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  const challenge = /error_description="([^"]*)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];
  let described: string | undefined;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    described = typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
  } catch {
    described = undefined;
  }
  return { name: api.name, status: response.status, description: challenge ?? described };
}

/** Runs step 11; a step that misbehaves is recorded in the checklist, a failure to start throws. */
export async function runFleetStep(context: FleetStepContext): Promise<void> {
  const { heading, detail, checklist } = context;
  const location = redisLocation(context.redisUrl);
  heading(`11. A fleet on Redis (REDIS_URL, ${location}): ${FLEET_SIZE} API processes share one revocation list (kms-jwt-fleet)`);
  const names = Array.from({ length: FLEET_SIZE }, (_, index) => `fleet-${index + 1}`);
  const started = await Promise.allSettled(
    names.map(async (name) => {
      const api = await startFleetApi({ name, redisUrl: context.redisUrl, redisLocation: location, kms: context.kms, keyIds: context.keyIds, issuer: context.issuer, audience: context.audience });
      context.cleanups.push(async () => {
        const kmsCalls = await api.stop();
        for (const [operation, count] of Object.entries(kmsCalls)) context.calls.record('fleet', operation, count);
      });
      return api;
    }),
  );
  const fleet: FleetApiProcess[] = [];
  for (const outcome of started) {
    if (outcome.status === 'rejected') throw outcome.reason;
    fleet.push(outcome.value);
  }
  for (const api of fleet) {
    detail(`${api.name}  pid ${api.pid}  ${api.url}  GET /orders, POST /logout; its own KMS client, key provider and Redis connections`);
  }
  detail(`isRevoked answers from each process's in-memory mirror of the list (no Redis round trip per request); a revocation is one Redis key per (iss, jti), expiring at the token's exp, announced to every process by pub/sub`);

  const token = await context.issue('orders-app');
  const twin = malleate(token);
  detail(`its (r, n − s) copy, the same claims under the twin signature: ${context.short(twin)}`);
  const ask = async (what: string, tokenToSend: string): Promise<Answer[]> => {
    const answers: Answer[] = [];
    for (const api of fleet) {
      const answer = await request(api, 'GET', '/orders', tokenToSend);
      answers.push(answer);
      detail(`${api.name}  GET /orders ${what} → ${outcome(answer)}`);
    }
    return answers;
  };
  const before = await ask('with it', token);
  const beforeTwin = await ask('with its copy', twin);

  const [first] = fleet as [FleetApiProcess];
  const logout = await request(first, 'POST', '/logout', token);
  const loggedOutMs = Date.now();
  detail(`${first.name}  POST /logout with it → ${outcome(logout)}: ${first.name} revoked its (iss, jti) until its exp, for the whole fleet (SET … PXAT and PUBLISH in one MULTI)`);
  // Each process refuses it once the announcement reached its mirror: pub/sub is about as fast as a request, so most likely at once.
  const refusals = await Promise.all(
    fleet.map(async (api) => {
      const deadline = Date.now() + context.patienceMs;
      let requests = 1;
      let answer = await request(api, 'GET', '/orders', token);
      while (answer.description !== REVOKED && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        requests += 1;
        answer = await request(api, 'GET', '/orders', token);
      }
      return { api, answer, requests, atMs: Date.now() };
    }),
  );
  for (const { api, answer, requests, atMs } of refusals) {
    const when = `${atMs - loggedOutMs} ms after the logout answered, the request's round trip included`;
    if (answer.description !== REVOKED) detail(`${api.name}  still ${outcome(answer)} ${context.patienceMs} ms after the logout`);
    else detail(requests === 1 ? `${api.name}  refused it from its first request after the logout (${when})` : `${api.name}  refused it from its request number ${requests} after the logout (${when})`);
  }
  const after = await ask('with it', token);
  const afterTwin = await ask('with its copy', twin);
  const everyRefused = [...after, ...afterTwin].every((answer) => answer.status === 401 && answer.description === REVOKED);
  if (everyRefused) detail(`every process of the fleet refused the revoked token and its (r, n − s) copy: revocation is by (iss, jti), never by the token string`);
  checklist.check(
    'fleet',
    'a token revoked through one process is refused by every process of the fleet, its malleated copy too',
    `before: all three: 200, copy: all three: 200; logout: 204; after: all three: 401 ${REVOKED}, copy: all three: 401 ${REVOKED}`,
    `before: ${verdict(before)}, copy: ${verdict(beforeTwin)}; logout: ${outcome(logout)}; after: ${verdict(after)}, copy: ${verdict(afterTwin)}`,
  );
}
