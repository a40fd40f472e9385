#!/usr/bin/env node
// `pnpm run fuzz:long` (from the root; it builds first) or `cd test && node fuzz/long.mjs`: the fuzz
// suite of test/fuzz with 1,000,000 cases per adapter (FUZZ_CASES overrides it; FUZZ_SEED replays a
// run). It runs the adapters' files of test/fuzz through vitest, prints progress every tenth of the cases
// (100,000 of a million), and ends with the counts (also left in .tmp/hardening/fuzz.txt). Exits with vitest's code.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cases = process.env.FUZZ_CASES || '1000000';
if (!/^[1-9][0-9]*$/.test(cases)) {
  console.error(`fuzz:long: FUZZ_CASES must be a positive integer, not ${cases}`);
  process.exit(2);
}
const vitestPackage = createRequire(join(root, 'package.json')).resolve('vitest/package.json');
const vitest = join(dirname(vitestPackage), JSON.parse(readFileSync(vitestPackage, 'utf8')).bin.vitest);
const progressFile = join(root, '.tmp', 'fuzz-long-progress.txt');
const reportFile = join(root, '.tmp', 'hardening', 'fuzz.txt');
mkdirSync(dirname(progressFile), { recursive: true });
rmSync(progressFile, { force: true });

const started = Date.now();
// One file per adapter, run side by side on as many cores as there are (vitest would keep one core free).
const files = ['test/fuzz/express.test.ts', 'test/fuzz/koa.test.ts', 'test/fuzz/passport.test.ts'];
const workers = Math.min(files.length, availableParallelism());
console.log(`fuzz:long: ${cases} cases per adapter (kms-jwt-express, kms-jwt-koa, passport-kms-jwt), ${workers} at a time; progress every tenth of the cases`);
const child = spawn(process.execPath, [vitest, 'run', `--maxWorkers=${workers}`, ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_CASES: cases, FUZZ_PROGRESS_FILE: progressFile },
});

let shown = 0;
function showProgress() {
  if (!existsSync(progressFile)) return;
  const text = readFileSync(progressFile, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end > shown) for (const line of text.slice(shown, end).trimEnd().split('\n')) console.log(`[progress] ${line}`);
  shown = Math.max(shown, end);
}
const timer = setInterval(showProgress, 5_000);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));

child.on('exit', (code, signal) => {
  clearInterval(timer);
  showProgress();
  rmSync(progressFile, { force: true });
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`\nfuzz:long: vitest ended ${signal ? `on ${signal}` : `with code ${code}`} after ${minutes} min; the counts (${reportFile}):`);
  console.log(existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : '(no report: the run ended before the fuzz suite started)');
  process.exit(code ?? 1);
});
