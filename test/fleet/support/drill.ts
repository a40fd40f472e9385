// A fault drill through the HTTP adapters under load: a steady stream of concurrent requests (valid, revoked and
// malleated-revoked tokens) to every verifier of a fleet while a fault is brought about and ended, then every answer
// judged against what the verifier's failure policy allows.
import { expect } from 'vitest';
import { createRevocationList, type FleetRedisClient, type RevocationList } from 'kms-jwt-fleet';
import { ask, claimsOf, eventually, malleate, MAX_STALENESS_MS, REVOKED, refusedAsRevoked, sleep, zero, type Answer, type Verifier } from './fleet.js';

/** Concurrent requests kept in flight by the load. */
const CONCURRENCY = 8;
/** How long a verifier has to answer 200 again once Redis is back (generous: a resync of 10,000 entries under load). */
const RECOVERY_MS = 20_000;

/** A token the load sends after its revocation resolved. */
interface Revoked {
  readonly token: string;
  readonly malleated: string;
  readonly jti: string;
  /** When (epoch ms) its `revoke()` resolved. */
  readonly revokedAt: number;
  /** Revoked before the load started and refused by every verifier then: nothing may ever accept it. */
  readonly confirmed: boolean;
}

interface Sample {
  readonly verifier: Verifier;
  /** `undefined` for a valid token. */
  readonly revoked: Revoked | undefined;
  readonly sentAt: number;
  readonly answer: Answer;
}

/** What one drill measured. Every field but the answer counts and `revokedAcceptedWithinBound` must be 0. */
export interface DrillCounts {
  requests: number;
  /** Requests sent while the fault lasted (from bringing it about to Redis answering again). */
  requestsDuringFault: number;
  /** Answers 200, 401 and 503 (the policy's answer), over every request sent during the drill. */
  answered200: number;
  answered401: number;
  answered503: number;
  /**
   * A revoked token (either form) answered 200 outside what the policy allows. failClosed: sent after
   * `revokedAt + maxStalenessMs` (a 200 means the mirror was confirmed complete by a heartbeat sent at most
   * `maxStalenessMs` earlier, and a heartbeat published after the revocation comes back after its announcement).
   * failOpen: the same, except while the verifier was out of touch — until its first full resync that finished
   * after both the revocation and Redis's return. A token revoked and refused everywhere before the fault: any 200.
   */
  revokedAccepted: number;
  /** A revoked token answered 200 within that bound (the propagation or failOpen window): reported, allowed. */
  revokedAcceptedWithinBound: number;
  /** A valid token answered 401 (or any 4xx). */
  validRefused: number;
  /** A revoked token refused with anything but 401 "revoked" or the policy's 503. */
  revokedMisanswered: number;
  other5xx: number;
  /** A 503 without Retry-After, or from a failOpen verifier (which serves its mirror instead). */
  wrong503: number;
  /** Requests without an answer within HANG_MS. */
  hangs: number;
  /** Verifiers not answering a valid token 200 again within RECOVERY_MS of Redis's return. */
  notRecovered: number;
  /** Verifiers that did not reload their mirror in full after Redis's return. */
  notResynced: number;
  /** After recovery, (verifier, revoked token form) pairs not refused as revoked within DEADLINE_MS. */
  revokedAcceptedAfterRecovery: number;
  /** `revoke()` calls that rejected while the fault lasted (their tokens are sent by nobody: revoked or not is unknown). */
  revokeRejected: number;
  /** Revocations whose `revoke()` resolved but which Redis no longer held after the fault (excluded from the judgement above). */
  lostByRedis: number;
  /** From Redis's return to the last verifier's first full resync after it, in ms (reported, never asserted). */
  resyncSpreadMs: number;
  /**
   * The first few answers counted in `revokedAccepted`, and every verifier counted in `notRecovered` or `notResynced`,
   * described (times relative to Redis's return), to diagnose a failure.
   */
  examples: string[];
}

/** What a drill is given to revoke with while the fault lasts. */
export interface DrillContext {
  /** Revokes a token through the operator's list; the load sends it (and its malleated twin) once this resolved. */
  revoke(token: string): Promise<void>;
}

/** Options of {@link runDrill}. */
export interface DrillOptions {
  readonly fleet: readonly Verifier[];
  /** The operator's list: revocations are made through it, on its own connections. */
  readonly admin: RevocationList;
  /** A new connected client, to read what Redis holds after the fault. */
  readonly connect: () => Promise<FleetRedisClient>;
  /** Never revoked. */
  readonly valid: readonly string[];
  /** Revoked and refused by every verifier before the load starts. */
  readonly confirmed: readonly string[];
  /** Revoked one every `revokeEveryMs` from the start of the load (through the fault) until none is left. */
  readonly steady: readonly string[];
  /** Default: 100. */
  readonly revokeEveryMs?: number;
  /** Brings the fault about (and may revoke through `context` meanwhile); resolves once the fault has lasted as long as the drill wants. */
  readonly fault: (context: DrillContext) => Promise<void>;
  /** Ends the fault; resolves once Redis answers again. */
  readonly recover: () => Promise<void>;
  /**
   * The fault ends on its own while `fault` runs (a Cluster promoting a replica), at a moment the drill only sees
   * later: a verifier's full reload counts from when the fault was brought about, not from when `fault` resolved.
   * Default: false.
   */
  readonly healsItself?: boolean;
}

function revokedEntry(token: string, revokedAt: number, confirmed: boolean): Revoked {
  return { token, malleated: malleate(token), jti: claimsOf(token).jti, revokedAt, confirmed };
}

/** Keeps CONCURRENCY requests in flight across the fleet until stopped; returns every answer with when it was sent. */
function startLoad(fleet: readonly Verifier[], valid: readonly string[], revoked: readonly Revoked[]) {
  const samples: Sample[] = [];
  const tally = zero();
  let stopped = false;
  let next = 0;
  const worker = async () => {
    while (!stopped) {
      const verifier = fleet[next % fleet.length]!;
      next += 1;
      // 4 in 10 valid, 3 in 10 revoked, 3 in 10 their malleated twin.
      const roll = Math.random();
      const target = roll < 0.4 || revoked.length === 0 ? undefined : revoked[Math.floor(Math.random() * revoked.length)]!;
      const token = target === undefined ? valid[Math.floor(Math.random() * valid.length)]! : roll < 0.7 ? target.token : target.malleated;
      const sentAt = Date.now();
      const answer = await ask(verifier.server.url, token, tally);
      samples.push({ verifier, revoked: target, sentAt, answer });
    }
  };
  const workers = Array.from({ length: CONCURRENCY }, () => worker());
  return {
    async stop(): Promise<Sample[]> {
      stopped = true;
      await Promise.all(workers);
      return samples;
    },
  };
}

/** The first full resync of `verifier` that finished after `since`, or Infinity. */
function resyncAfter(verifier: Verifier, since: number): number {
  return verifier.resyncs.find((at) => at > since) ?? Infinity;
}

/** Until when (epoch ms, inclusive, by send time) the policy allows `verifier` to answer 200 for `revoked`. */
function acceptableUntil(verifier: Verifier, revoked: Revoked, recoveredAt: number): number {
  if (revoked.confirmed) return -Infinity;
  const bound = revoked.revokedAt + MAX_STALENESS_MS;
  return verifier.policy === 'failClosed' ? bound : Math.max(bound, resyncAfter(verifier, Math.max(recoveredAt, revoked.revokedAt)));
}

function judge(counts: DrillCounts, sample: Sample, recoveredAt: number): void {
  const { verifier, revoked, answer } = sample;
  counts.requests += 1;
  if (answer === 'hang') {
    counts.hangs += 1;
    return;
  }
  if (answer.status === 200) counts.answered200 += 1;
  else if (answer.status === 401) counts.answered401 += 1;
  else if (answer.status === 503) counts.answered503 += 1;
  else if (answer.status >= 500) counts.other5xx += 1;
  if (answer.status === 503 && (answer.retryAfter === undefined || verifier.policy === 'failOpen')) counts.wrong503 += 1;
  if (revoked === undefined) {
    if (answer.status >= 400 && answer.status < 500) counts.validRefused += 1;
  } else if (answer.status === 200) {
    if (sample.sentAt <= acceptableUntil(verifier, revoked, recoveredAt)) counts.revokedAcceptedWithinBound += 1;
    else {
      counts.revokedAccepted += 1;
      if (counts.examples.length < 5) {
        const at = (t: number) => t - recoveredAt;
        counts.examples.push(`${verifier.name}: sent at ${at(sample.sentAt)} ms, revoked at ${at(revoked.revokedAt)} ms${revoked.confirmed ? ' (confirmed)' : ''}, resyncs at ${verifier.resyncs.map(at).join(', ')} ms`);
      }
    }
  } else if (answer.status !== 503 && !(answer.status === 401 && answer.description === REVOKED)) {
    counts.revokedMisanswered += 1;
  }
}

/**
 * Runs one drill: revokes `confirmed` (and waits until every verifier refuses them), starts the load and the steady
 * revocations, brings the fault about, ends it, waits until every verifier answers 200 again and has resynced,
 * keeps the load a little longer, then checks every revoked token is refused everywhere and judges every answer.
 */
export async function runDrill(options: DrillOptions): Promise<DrillCounts> {
  const { fleet, admin } = options;
  const counts: DrillCounts = {
    requests: 0,
    requestsDuringFault: 0,
    answered200: 0,
    answered401: 0,
    answered503: 0,
    revokedAccepted: 0,
    revokedAcceptedWithinBound: 0,
    validRefused: 0,
    revokedMisanswered: 0,
    other5xx: 0,
    wrong503: 0,
    hangs: 0,
    notRecovered: 0,
    notResynced: 0,
    revokedAcceptedAfterRecovery: 0,
    revokeRejected: 0,
    lostByRedis: 0,
    resyncSpreadMs: 0,
    examples: [],
  };
  const sweepTally = zero();
  const revoked: Revoked[] = [];
  for (const token of options.confirmed) {
    await admin.revoke(claimsOf(token));
    revoked.push(revokedEntry(token, Date.now(), true));
  }
  // One request at a time per verifier: these checks must not be a load of their own.
  await Promise.all(
    fleet.map(async ({ server }) => {
      for (const token of revoked.flatMap((entry) => [entry.token, entry.malleated])) {
        if (!(await eventually(async () => refusedAsRevoked(await ask(server.url, token, sweepTally))))) throw new Error('a verifier did not refuse a revoked token before the drill');
      }
    }),
  );

  const context: DrillContext = {
    async revoke(token) {
      try {
        await admin.revoke(claimsOf(token));
        revoked.push(revokedEntry(token, Date.now(), false));
      } catch {
        counts.revokeRejected += 1;
      }
    },
  };
  const load = startLoad(fleet, options.valid, revoked);
  let revoking = true;
  const revoker = (async () => {
    for (const token of options.steady) {
      if (!revoking) break;
      await Promise.all([context.revoke(token), sleep(options.revokeEveryMs ?? 100)]);
    }
  })();
  await sleep(400);
  const faultAt = Date.now();
  await options.fault(context);
  // A verifier's client can reconnect and reload before recover() returns (it waits for Redis to
  // answer): a reload counts from the moment Redis was brought back. A fault that heals itself (a
  // replica promoted) may be over before `fault` sees it: a reload counts from the fault's start.
  // (A reload that finished after a master died read the keys of its slots from the promoted replica.)
  const recoveringAt = options.healsItself === true ? faultAt : Date.now();
  await options.recover();
  const recoveredAt = Date.now();

  await Promise.all(
    fleet.map(async (verifier) => {
      const valid = options.valid[0]!;
      const back = await eventually(async () => {
        const answer = await ask(verifier.server.url, valid, sweepTally);
        return answer !== 'hang' && answer.status === 200 && resyncAfter(verifier, recoveringAt) !== Infinity;
      }, RECOVERY_MS);
      if (!back) {
        if (resyncAfter(verifier, recoveringAt) === Infinity) counts.notResynced += 1;
        else counts.notRecovered += 1;
        const at = (t: number) => t - recoveringAt;
        counts.examples.push(`${verifier.name} not back: fault at ${at(faultAt)} ms, Redis answering at ${at(recoveredAt)} ms, resyncs at ${verifier.resyncs.map(at).join(', ')} ms`);
      }
    }),
  );
  counts.resyncSpreadMs = Math.max(...fleet.map((verifier) => resyncAfter(verifier, recoveringAt) - recoveringAt));
  await sleep(400);
  revoking = false;
  await revoker;
  const samples = await load.stop();

  // What Redis holds now, as a verifier starting after the fault would load it.
  const reader = await options.connect();
  const fresh = createRevocationList({ client: reader });
  await fresh.ready();
  const held = new Set(fresh.list().map(({ jti }) => jti));
  await fresh.close();
  reader.destroy();
  const lost = new Set(revoked.filter(({ jti }) => !held.has(jti)));
  counts.lostByRedis = lost.size;

  await Promise.all(
    fleet.map(async ({ server }) => {
      for (const token of revoked.filter((entry) => !lost.has(entry)).flatMap((entry) => [entry.token, entry.malleated])) {
        if (!(await eventually(async () => refusedAsRevoked(await ask(server.url, token, sweepTally))))) counts.revokedAcceptedAfterRecovery += 1;
      }
    }),
  );
  for (const sample of samples) {
    if (sample.sentAt >= faultAt && sample.sentAt < recoveredAt) counts.requestsDuringFault += 1;
    if (sample.revoked === undefined || !lost.has(sample.revoked)) judge(counts, sample, recoveredAt);
  }
  counts.hangs += sweepTally.hangs;
  counts.other5xx += sweepTally.other5xx;
  return counts;
}

/** Every count a drill must keep at 0, whatever the fault. */
const MUST_STAY_ZERO = ['revokedAccepted', 'validRefused', 'revokedMisanswered', 'other5xx', 'wrong503', 'hangs', 'notRecovered', 'notResynced', 'revokedAcceptedAfterRecovery'] as const;

/**
 * Prints what a drill measured and asserts that it held: every count of `MUST_STAY_ZERO` at 0, load sent while the
 * fault lasted, and, as the fault allows, no acknowledged revocation lost by Redis and the fault felt (failClosed
 * verifiers answered 503).
 */
export function expectDrillHeld(label: string, counts: DrillCounts, expected: { redisKeptEverything: boolean; failClosedAnswered503: boolean }): void {
  console.log(`drill ${label}: ${JSON.stringify(counts)}`);
  expect(Object.fromEntries(MUST_STAY_ZERO.map((name) => [name, counts[name]]))).toEqual(Object.fromEntries(MUST_STAY_ZERO.map((name) => [name, 0])));
  expect(counts.requestsDuringFault).toBeGreaterThan(0);
  if (expected.redisKeptEverything) expect(counts.lostByRedis).toBe(0);
  if (expected.failClosedAnswered503) expect(counts.answered503).toBeGreaterThan(0);
}
