/*
 * Counting a drill's outcomes against what each request had to get, and the summary line each drill
 * prints and writes to .tmp/hardening/faults.txt.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Outcome } from './load.js';

/**
 * What a request with a valid token had to get, at the time it was made:
 * - `accept`: a usable key was cached (or KMS was fine): 200, anything else is a valid token refused;
 * - `refuse`: the key had stopped being trusted (disabled, say): never 200;
 * - `unavailable-ok`: KMS was in trouble and nothing usable was cached: 200 or 503, never 401;
 * - `either`: the request straddled a change (a key being disabled, an alias refresh): 200, 401 or 503.
 * Requests with an invalid token (tampered, untrusted kid, expired) must never get 200.
 */
export type Expectation = 'accept' | 'refuse' | 'unavailable-ok' | 'either';

export interface Tally {
  readonly requests: number;
  readonly valid: number;
  readonly invalid: number;
  /** Valid tokens refused when they had to be accepted, or answered 401 because KMS was down. */
  readonly validRefused: number;
  /** Invalid tokens, or tokens of a key no longer trusted, answered 200. */
  readonly invalidAccepted: number;
  /** Valid tokens refused as they had to be (key disabled, KMS down with nothing usable cached), or during a change. */
  readonly expectedRefusals: number;
  /** Requests that took longer than the budget, timeouts included. */
  readonly overBudget: number;
  readonly timeouts: number;
  /** Connections that failed. */
  readonly errors: number;
  /** Answers other than 200, 401 and 503 (a 500, say). */
  readonly unexpectedStatuses: number;
  /** Answers that contained the token sent. */
  readonly echoed: number;
  readonly slowestMs: number;
  readonly budgetMs: number;
  /** The requests over budget (at most 5, slowest first), for the failure message. */
  readonly overBudgetSample: readonly Outcome[];
  /** `status: count` by token kind, e.g. `valid: { 200: 812, 503: 40 }`. */
  readonly statuses: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export function tally(outcomes: readonly Outcome[], budgetMs: number, judge: (outcome: Outcome) => Expectation = () => 'accept'): Tally {
  let valid = 0;
  let validRefused = 0;
  let invalidAccepted = 0;
  let expectedRefusals = 0;
  let overBudget = 0;
  let timeouts = 0;
  let errors = 0;
  let unexpectedStatuses = 0;
  let echoed = 0;
  let slowestMs = 0;
  const statuses: Record<string, Record<string, number>> = {};
  for (const outcome of outcomes) {
    const { status } = outcome;
    const byKind = (statuses[outcome.kind] ??= {});
    byKind[status] = (byKind[status] ?? 0) + 1;
    slowestMs = Math.max(slowestMs, outcome.durationMs);
    if (outcome.durationMs > budgetMs || status === 'timeout') overBudget += 1;
    if (status === 'timeout') timeouts += 1;
    else if (status === 'error') errors += 1;
    else if (status !== 200 && status !== 401 && status !== 503) unexpectedStatuses += 1;
    if (outcome.echoed) echoed += 1;
    if (outcome.kind !== 'valid') {
      if (status === 200) invalidAccepted += 1;
      continue;
    }
    valid += 1;
    const expectation = judge(outcome);
    if (status === 200) {
      if (expectation === 'refuse') invalidAccepted += 1;
    } else if (expectation === 'accept' || (expectation === 'unavailable-ok' && status !== 503)) {
      validRefused += 1;
    } else {
      expectedRefusals += 1;
    }
  }
  return {
    requests: outcomes.length,
    valid,
    invalid: outcomes.length - valid,
    validRefused,
    invalidAccepted,
    expectedRefusals,
    overBudget,
    timeouts,
    errors,
    unexpectedStatuses,
    echoed,
    slowestMs: Math.round(slowestMs),
    budgetMs,
    overBudgetSample: outcomes
      .filter((outcome) => outcome.durationMs > budgetMs || outcome.status === 'timeout')
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, 5),
    statuses,
  };
}

/** The invariants every drill holds to. */
export function expectInvariants(result: Tally): void {
  expect(result.validRefused, 'valid tokens refused while a usable key was cached').toBe(0);
  expect(result.invalidAccepted, 'invalid tokens accepted').toBe(0);
  const slow = result.overBudgetSample.map((o) => `${o.route} ${o.kind} ${o.key} ${o.status} ${Math.round(o.durationMs)} ms sent at ${o.startedAt}`);
  expect(result.overBudget, `requests slower than the ${result.budgetMs} ms budget (slowest ${result.slowestMs} ms: ${slow.join('; ')})`).toBe(0);
  expect(result.errors, 'connections that failed').toBe(0);
  expect(result.unexpectedStatuses, `answers other than 200, 401, 503: ${JSON.stringify(result.statuses)}`).toBe(0);
  expect(result.echoed, 'answers that echo the token').toBe(0);
}

function statusText(statuses: Readonly<Record<string, number>> | undefined): string {
  return Object.entries(statuses ?? {})
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
}

/** `n requests (...); valid refused ...; invalid accepted ...; over budget ...` — the part every summary line shares. */
export function describeTally(result: Tally, seconds: number): string {
  const invalid = Object.entries(result.statuses)
    .filter(([kind]) => kind !== 'valid')
    .map(([kind, statuses]) => `${kind} ${statusText(statuses)}`)
    .join(', ');
  return [
    `${result.requests} requests in ${seconds.toFixed(1)} s (valid ${statusText(result.statuses['valid'])}; ${invalid})`,
    `valid refused while a usable key was cached ${result.validRefused}`,
    `invalid accepted ${result.invalidAccepted}`,
    `over the ${result.budgetMs} ms budget ${result.overBudget} (slowest ${result.slowestMs} ms, timeouts ${result.timeouts}, connection errors ${result.errors})`,
    `expected refusals ${result.expectedRefusals}`,
  ].join('; ');
}

const REPORT = fileURLToPath(new URL('../../../.tmp/hardening/faults.txt', import.meta.url));
const lines: string[] = [];

/** Empties .tmp/hardening/faults.txt, so a run that fails before its first summary leaves no stale lines. */
export function startReport(): void {
  lines.length = 0;
  mkdirSync(dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, '');
}

/** Prints a drill's summary line and rewrites .tmp/hardening/faults.txt with this run's lines so far. */
export function report(line: string): void {
  lines.push(line);
  console.log(line);
  mkdirSync(dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, `${lines.join('\n')}\n`);
}
