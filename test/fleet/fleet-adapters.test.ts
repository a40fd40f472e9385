// Adapter-level property and fault test of kms-jwt-fleet: every HTTP adapter (Express 4/5, Koa 2/3, Passport on
// Express 4/5, Fastify, Hono) as a verifier with its own revocation list on one real redis-server, tokens signed
// through kms-local by kms-jwt-signer. Prints what the fleet did wrong (all 0) and how many requests were sent.
import fc from 'fast-check';
import { createRevocationList, type RevocationList } from 'kms-jwt-fleet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../adapters/support/apps.js';
import { listen, RequestTimeoutError, send, type Running } from '../adapters/support/http.js';
import { startKmsWorld, type KmsWorld } from '../adapters/support/kms.js';
import { connectedClient, RedisServer } from '../../packages/fleet/test/redis-server.js';

/** How long each verifier serves its mirror without Redis confirming it; small so the fault test is short. */
const MAX_STALENESS_MS = 1500;
/** "Eventually": the staleness bound plus a margin for a machine shared with other work. Never asserted as a duration. */
const DEADLINE_MS = MAX_STALENESS_MS + 4000;
/** A request without an answer in this long is counted as a hang. */
const HANG_MS = 5000;
/** The order of the P-256 group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const REVOKED = 'the access token was revoked';

/** The same header and payload under the twin signature (r, n − s): a second token string with the same claims. */
function malleate(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const rs = Buffer.from(signature, 'base64url');
  const s = BigInt(`0x${rs.subarray(32).toString('hex')}`);
  const twin = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([rs.subarray(0, 32), twin]).toString('base64url')}`;
}

function claimsOf(token: string): { iss: string; jti: string; exp: number } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss: string; jti: string; exp: number };
}

/** What the fleet did wrong, summed over every request (all must stay 0), and how many requests were sent. */
interface Tally {
  revokedAccepted: number;
  validRefused: number;
  other5xx: number;
  hangs: number;
  /** A 503 without Retry-After, or from a verifier past its staleness bound while Redis is paused, any answer but 503 (or 401 for a token it holds as revoked). */
  wrongWhileStale: number;
  requests: number;
}

const zero = (): Tally => ({ revokedAccepted: 0, validRefused: 0, other5xx: 0, hangs: 0, wrongWhileStale: 0, requests: 0 });
const faults = ({ requests: _requests, ...rest }: Tally) => rest;

type Answer = { status: number; description: unknown; retryAfter: string | undefined } | 'hang';

async function ask(url: string, token: string, tally: Tally): Promise<Answer> {
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

const refusedAsRevoked = (answer: Answer) => answer !== 'hang' && answer.status === 401 && answer.description === REVOKED;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done`, for at most DEADLINE_MS (or `deadlineMs`); returns whether it happened. */
async function eventually(step: () => Promise<boolean>, deadlineMs = DEADLINE_MS): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await step()) return true;
    await sleep(20);
  }
  return false;
}

interface Verifier {
  readonly name: string;
  readonly list: RevocationList;
  readonly server: Running;
}

describe('a fleet of HTTP verifiers (every adapter), each with its own revocation list on one Redis', () => {
  let world: KmsWorld;
  let redis: RedisServer;
  const fleet: Verifier[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  let jtiCounter = 0;
  const signFresh = () => world.sign({ jti: `fleet-${process.pid}-${(jtiCounter += 1)}`, scope: 'orders:read' });

  beforeAll(async () => {
    [world, redis] = await Promise.all([startKmsWorld(), RedisServer.start()]);
    for (const adapter of ADAPTERS) {
      const client = await connectedClient(redis.url);
      const list = createRevocationList({ client, maxStalenessMs: MAX_STALENESS_MS, heartbeatIntervalMs: 250, onError: () => undefined });
      cleanup.push(() => client.close(), () => list.close());
      await list.ready();
      const server = await listen(adapter.app({ verifier: world.verifier, coldVerifier: world.coldVerifier, provider: world.provider, isRevoked: (token) => list.isRevoked(token) }));
      cleanup.push(() => server.close());
      fleet.push({ name: adapter.name, list, server });
    }
  });
  afterAll(async () => {
    for (const run of cleanup.reverse()) await run().catch(() => undefined);
    await redis?.stop();
    await world?.close();
  });

  it('property: tokens revoked through one list are refused by every adapter (malleated copies too), the others keep answering 200', async () => {
    const total = zero();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), fc.nat({ max: ADAPTERS.length - 1 }), async (revokeMask, revoker) => {
        const tally = zero();
        const tokens = await Promise.all(revokeMask.map(() => signFresh()));
        const revoked = tokens.filter((_, i) => revokeMask[i]);
        const kept = tokens.filter((_, i) => !revokeMask[i]);
        for (const token of revoked) await fleet[revoker]!.list.revoke(claimsOf(token));

        // Every adapter refuses every revoked token and its twin, each sent to all of them, within the bound.
        const forms = revoked.flatMap((token) => [token, malleate(token)]);
        await Promise.all(
          fleet.flatMap(({ server }) =>
            forms.map(async (token) => {
              const refused = await eventually(async () => refusedAsRevoked(await ask(server.url, token, tally)));
              if (!refused) tally.revokedAccepted += 1;
            }),
          ),
        );
        // And keeps refusing them: a second pass, now that every adapter has seen the revocation.
        for (const { server } of fleet) {
          for (const token of forms) {
            const answer = await ask(server.url, token, tally);
            if (!refusedAsRevoked(answer) && answer !== 'hang') tally.revokedAccepted += 1;
          }
          for (const token of kept.flatMap((t) => [t, malleate(t)])) {
            const answer = await ask(server.url, token, tally);
            if (answer !== 'hang' && answer.status !== 200 && (answer.status < 500 || answer.status === 503)) tally.validRefused += 1;
          }
        }
        for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
        expect(faults(tally)).toEqual(faults(zero()));
      }),
      { numRuns: 12 },
    );
    console.log(`fleet property over ${fleet.length} adapters: ${JSON.stringify(total)}`);
  });

  it('Redis paused past maxStalenessMs: every adapter answers a valid token 503 with Retry-After (failClosed), never 200 or 401, and never accepts a revoked one; 200 again after SIGCONT', async () => {
    const tally = zero();
    const valid = await signFresh();
    const revokedToken = await signFresh();
    await fleet[0]!.list.revoke(claimsOf(revokedToken));
    const revokedForms = [revokedToken, malleate(revokedToken)];
    for (const { server } of fleet) {
      for (const token of revokedForms) expect(await eventually(async () => refusedAsRevoked(await ask(server.url, token, tally)))).toBe(true);
    }

    redis.pause();
    let reachedStale = 0;
    try {
      await Promise.all(
        fleet.map(async ({ server }) => {
          // Until its bound the mirror answers (200 valid, 401 revoked). From the valid token's first 503 on, it
          // answers 503 only; a token the mirror holds as revoked stays refused (401) whatever the state of Redis.
          let stale = false;
          let staleRounds = 0;
          const until = Date.now() + DEADLINE_MS;
          while (staleRounds < 5 && (stale || Date.now() < until)) {
            for (const token of [valid, ...revokedForms]) {
              const answer = await ask(server.url, token, tally);
              if (answer === 'hang') continue;
              if (answer.status === 503) {
                if (token === valid) stale = true;
                if (answer.retryAfter === undefined || answer.description === undefined) tally.wrongWhileStale += 1;
              } else if (stale && !(token !== valid && refusedAsRevoked(answer))) tally.wrongWhileStale += 1;
              if (answer.status === 200 && token !== valid) tally.revokedAccepted += 1;
              if (answer.status === 401 && token === valid) tally.validRefused += 1;
            }
            if (stale) staleRounds += 1;
            await sleep(50);
          }
          if (stale) reachedStale += 1;
        }),
      );
    } finally {
      redis.resume();
    }
    expect(reachedStale).toBe(fleet.length);

    // After SIGCONT each verifier proves its subscription live again, resyncs, and answers from its mirror.
    for (const { server } of fleet) {
      const back = await eventually(async () => {
        const answer = await ask(server.url, valid, tally);
        return answer !== 'hang' && answer.status === 200;
      }, 15_000);
      if (!back) tally.validRefused += 1;
      for (const token of revokedForms) {
        const answer = await ask(server.url, token, tally);
        if (answer !== 'hang' && answer.status === 200) tally.revokedAccepted += 1;
        expect(refusedAsRevoked(answer)).toBe(true);
      }
    }
    console.log(`fleet fault (Redis SIGSTOP past maxStalenessMs ${MAX_STALENESS_MS} ms, then SIGCONT) over ${fleet.length} adapters: ${JSON.stringify(tally)}`);
    expect(faults(tally)).toEqual(faults(zero()));
  });
});
