import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../adapters/support/apps.js';
import { describeReport, emptyReport, fuzzAdapter, startFuzzEnvironment, type AdapterReport, type FuzzEnvironment } from './harness.js';
import type { AdapterKind } from './model.js';
import { addToReport, REPORT_FILE } from './report.js';

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${text}`);
  return value;
}

/** Cases per adapter: 20,000 in the default suite, 1,000,000 in `fuzz:long`. */
const CASES = positiveInteger('FUZZ_CASES', 20_000);
const PATH = process.env['FUZZ_PATH'] || undefined;
/** Generous: well under 1 ms per case is usual on 2 cores; a run ten times slower has a problem anyway. */
const TIMEOUT_MS = 60_000 + CASES * 5;
/** Below this many cases a run may by chance never see one of the statuses, so the coverage check needs at least this many. */
const COVERAGE_MIN_CASES = 5_000;

/** `fuzz:long` asks for progress in this file every tenth of the cases (a test's own output shows only when it ends). */
const PROGRESS_FILE = process.env['FUZZ_PROGRESS_FILE'] || undefined;
const progress =
  PROGRESS_FILE === undefined
    ? {}
    : {
        progressEvery: Math.max(1_000, Math.round(CASES / 10)),
        onProgress: (report: AdapterReport) => appendFileSync(PROGRESS_FILE, `${describeReport(report).slice(0, 2).join('\n')}\n`),
      };

/**
 * The fuzz suite of one adapter (see ../README.md): FUZZ_CASES generated requests over real HTTP,
 * each answer checked against every invariant. The counts are printed and added to
 * `.tmp/hardening/fuzz.txt`. Each adapter has its own file, so vitest runs them side by side.
 */
export function defineFuzzSuite(adapterName: string, kind: AdapterKind, file: string): void {
  const adapter = ADAPTERS.find((candidate) => candidate.name === adapterName);
  if (adapter === undefined) throw new Error(`no adapter named ${adapterName} in test/adapters/support/apps.ts`);
  const seed = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0;
  const lines: string[] = [];
  let env: FuzzEnvironment;

  beforeAll(async () => {
    env = await startFuzzEnvironment();
  });
  afterAll(async () => {
    await env?.close();
    if (lines.length > 0) console.log(`${lines.join('\n')}\n(added to ${REPORT_FILE})`);
  });

  describe(adapter.name, () => {
    it(`answers ${CASES} fuzzed requests within the invariants`, async () => {
      const report = emptyReport(adapter.name);
      try {
        // Generation (and shrinking a failure) stops 30 s before the test's timeout, so fast-check still reports the seed and counterexample.
        await fuzzAdapter(env, adapter, kind, { cases: CASES, seed, path: PATH, timeLimitMs: TIMEOUT_MS - 30_000, ...progress }, report);
      } finally {
        lines.push(...describeReport(report), `  seed ${seed}${PATH === undefined ? '' : ` path ${PATH}`}; replay: FUZZ_SEED=${seed} FUZZ_CASES=${CASES} npx vitest run ${file}`);
        addToReport(lines);
      }
      expect(report.unhandledRejections).toBe(0);
      expect(report.uncaughtExceptions).toBe(0);
      expect(report.statuses.get(500)).toBeUndefined();
      // The generator reaches every outcome: a run that never sees one of them tests less than it claims.
      if (CASES >= COVERAGE_MIN_CASES) expect([...report.statuses.keys()].sort()).toEqual([200, 400, 401, 403, 503]);
      // A run cut short by the time limit has not done its cases.
      expect(report.cases).toBeGreaterThanOrEqual(CASES);
    }, TIMEOUT_MS);
  });
}
