// What the fleet tests share: a fleet of HTTP verifiers (every adapter, each with its own revocation list on its
// own Redis connections), the tokens they are asked about, and how an answer is judged.
import { createRevocationList, type FleetRedisClient, type RevocationList } from 'kms-jwt-fleet';
import { ADAPTERS } from '../../adapters/support/apps.js';
import { listen, RequestTimeoutError, send, type Running } from '../../adapters/support/http.js';
import type { KmsWorld } from '../../adapters/support/kms.js';

/** How long each verifier serves its mirror without Redis confirming it; small so the fault tests are short. */
export const MAX_STALENESS_MS = 1500;
/** How often each verifier proves its subscription live. */
export const HEARTBEAT_MS = 250;
/** "Eventually": the staleness bound plus a margin for a machine shared with other work. Never asserted as a duration. */
export const DEADLINE_MS = MAX_STALENESS_MS + 4000;
/** A request without an answer in this long is counted as a hang. */
export const HANG_MS = 5000;
/** The order of the P-256 group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export const REVOKED = 'the access token was revoked';

/** The same header and payload under the twin signature (r, n − s): a second token string with the same claims. */
export function malleate(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const rs = Buffer.from(signature, 'base64url');
  const s = BigInt(`0x${rs.subarray(32).toString('hex')}`);
  const twin = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([rs.subarray(0, 32), twin]).toString('base64url')}`;
}

export function claimsOf(token: string): { iss: string; jti: string; exp: number } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss: string; jti: string; exp: number };
}

/** What the fleet did wrong, summed over every request (all must stay 0), and how many requests were sent. */
export interface Tally {
  revokedAccepted: number;
  validRefused: number;
  other5xx: number;
  hangs: number;
  /** A 503 without Retry-After, or from a verifier past its staleness bound while Redis is paused, any answer but 503 (or 401 for a token it holds as revoked). */
  wrongWhileStale: number;
  requests: number;
}

export const zero = (): Tally => ({ revokedAccepted: 0, validRefused: 0, other5xx: 0, hangs: 0, wrongWhileStale: 0, requests: 0 });
export const faults = ({ requests: _requests, ...rest }: Tally) => rest;

export type Answer = { status: number; description: unknown; retryAfter: string | undefined } | 'hang';

/** One authenticated request; a 5xx other than 503 and a request unanswered within HANG_MS are counted in `tally`. */
export async function ask(url: string, token: string, tally: Tally): Promise<Answer> {
  tally.requests += 1;
  try {
    const reply = await send(`${url}/orders`, { authorization: `Bearer ${token}` }, 'GET', { timeoutMs: HANG_MS });
    const body = reply.json as { error_description?: unknown } | undefined;
    const retryAfter = reply.headers['retry-after'];
    if (reply.status >= 500 && reply.status !== 503) tally.other5xx += 1;
    return { status: reply.status, description: body?.error_description, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined };
  } catch (error) {
    if (!(error instanceof RequestTimeoutError)) throw error;
    tally.hangs += 1;
    return 'hang';
  }
}

export const refusedAsRevoked = (answer: Answer) => answer !== 'hang' && answer.status === 401 && answer.description === REVOKED;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `step` says done, for at most DEADLINE_MS (or `deadlineMs`); returns whether it happened. */
export async function eventually(step: () => Promise<boolean>, deadlineMs = DEADLINE_MS): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await step()) return true;
    await sleep(20);
  }
  return false;
}

export type FailurePolicy = 'failClosed' | 'failOpen';

/** One HTTP verifier of the fleet: an adapter's app on its own port, answering `isRevoked` from its own list. */
export interface Verifier {
  readonly name: string;
  readonly policy: FailurePolicy;
  readonly list: RevocationList;
  readonly server: Running;
  /** When (epoch ms) each full reload of its mirror finished (`onResync`). */
  readonly resyncs: number[];
}

/** Options of {@link startFleet}. */
export interface FleetOptions {
  readonly world: KmsWorld;
  /** A new connected client (or cluster) for one verifier: each verifier has its own connections, as separate processes would. */
  readonly connect: () => Promise<FleetRedisClient>;
  /** The adapters take these policies in turn (adapter i has `policies[i % policies.length]`). Default: `['failClosed']`. */
  readonly policies?: readonly FailurePolicy[];
  /** Where the clean-up steps go, run in reverse by the caller. */
  readonly cleanup: (() => Promise<unknown>)[];
}

/** Every adapter (Express 4/5, Koa 2/3, Passport on Express 4/5, Fastify, Hono) once, each list ready. */
export async function startFleet({ world, connect, policies = ['failClosed'], cleanup }: FleetOptions): Promise<Verifier[]> {
  const fleet: Verifier[] = [];
  for (const [i, adapter] of ADAPTERS.entries()) {
    const policy = policies[i % policies.length]!;
    const client = await connect();
    const resyncs: number[] = [];
    const list = createRevocationList({
      client,
      maxStalenessMs: MAX_STALENESS_MS,
      heartbeatIntervalMs: HEARTBEAT_MS,
      failurePolicy: policy,
      onError: () => undefined,
      onResync: () => void resyncs.push(Date.now()),
    });
    // destroy(), not close(): Redis may be the thing that is down.
    cleanup.push(async () => client.destroy(), () => list.close());
    await list.ready();
    const server = await listen(adapter.app({ verifier: world.verifier, coldVerifier: world.coldVerifier, provider: world.provider, isRevoked: (token) => list.isRevoked(token) }));
    cleanup.push(() => server.close());
    fleet.push({ name: `${adapter.name} (${policy})`, policy, list, server, resyncs });
  }
  return fleet;
}
