import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where CI picks up the counts (`.ci/run` prints `.tmp/hardening/*.txt` after the tests). */
export const REPORT_FILE = fileURLToPath(new URL('../../../.tmp/hardening/fuzz.txt', import.meta.url));
const LOCK = `${REPORT_FILE}.lock`;

/**
 * The vitest run this process belongs to. The suite runs each adapter's file in its own worker
 * process (the forks pool), and a run's workers share their parent, the vitest process.
 */
const RUN = `vitest run ${process.ppid} (its pid)`;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `work` holding a lock directory (the adapters' files finish in parallel); a lock older than a minute is left over from a killed run. */
function locked(work: () => void): void {
  mkdirSync(dirname(LOCK), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 60_000 || attempt > 500) rmSync(LOCK, { recursive: true, force: true });
      else sleep(20);
    }
  }
  try {
    work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Adds one adapter's lines to the report: the file holds one run's results, so a file left by an
 * earlier run is replaced, and the adapters of this run add up.
 */
export function addToReport(lines: readonly string[]): void {
  locked(() => {
    const header = `[fuzz] ${RUN}, Node ${process.version}:`;
    const existing = existsSync(REPORT_FILE) ? readFileSync(REPORT_FILE, 'utf8') : '';
    const text = `${existing.startsWith(`${header}\n`) ? existing : `${header}\n`}${lines.join('\n')}\n`;
    writeFileSync(`${REPORT_FILE}.${process.pid}`, text);
    renameSync(`${REPORT_FILE}.${process.pid}`, REPORT_FILE);
  });
}
