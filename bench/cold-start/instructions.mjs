// Cold start counted in instructions: each case (cases/*.mjs, the same environment as
// cold-start.bench.mjs) run under `valgrind --tool=callgrind --separate-threads=yes`, which counts the
// instructions the whole process executes, whatever the load on the machine: in all threads, and on
// the main thread alone (the one a cold start waits for; V8 compiles hot functions with TurboFan on
// background threads, which another core can run meanwhile). V8's background threads make the count
// vary from run to run by a few per cent: each case runs CALLGRIND_RUNS times and the medians are
// reported, with what each adds over the empty process. Each
// case is also run once, outside valgrind, with module hooks that list the files it loads
// (module-count.mjs): the JavaScript modules and their size, the case file itself not counted.
// Parameters: CALLGRIND_RUNS (default 3), BENCH_CASES (as in cold-start.bench.mjs; ours-kms never
// runs here), BENCH_NODE.
// Needs valgrind (Debian: `apt-get install valgrind`); slow (about 20 s a run): run it under
// `nice -n 19` on a shared machine. Not part of `pnpm bench`; `pnpm run instructions` here.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { caseScript, median, prepareFixture, selectedCases } from './fixture.mjs';

const RUNS = Number(process.env.CALLGRIND_RUNS ?? 3);
const NODE = process.env.BENCH_NODE ?? process.execPath;
// ours-kms is left out: under valgrind its KMS call outlasts the provider's request timeout.
const cases = selectedCases().filter((c) => c.name !== 'ours-kms');
const run = promisify(execFile);
const hooks = fileURLToPath(new URL('./module-count.mjs', import.meta.url));

const { env, dir, close } = await prepareFixture();
try {
  const rows = [];
  for (const c of cases) {
    const list = join(dir, `${c.name}.modules`);
    await run(NODE, ['--import', hooks, caseScript(c)], { env: { ...env, BENCH_MODULE_LIST: list } });
    let modules = [];
    try {
      modules = readFileSync(list, 'utf8').trim().split('\n').map((line) => Number(line.split(' ')[0]));
      rmSync(list);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    // The case file itself is the first module loaded.
    modules = modules.slice(1);
    const counts = [];
    const mainCounts = [];
    for (let i = 0; i < RUNS; i++) {
      const out = join(dir, `${c.name}.callgrind`);
      mkdirSync(out);
      await run('valgrind', ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${join(out, 'thread')}`, NODE, caseScript(c)], { env, maxBuffer: 16 * 1024 * 1024 });
      // One file per thread, `thread-01` the main thread, each with its total (`totals: <n>`); `thread` itself is left empty.
      let total = 0;
      let main;
      for (const file of readdirSync(out).filter((name) => name !== 'thread')) {
        const totals = /\ntotals: (\d+)/.exec(readFileSync(join(out, file), 'utf8'));
        if (totals === null) throw new Error(`callgrind wrote no total for ${c.name} in ${file}`);
        total += Number(totals[1]);
        if (file === 'thread-01') main = Number(totals[1]);
      }
      rmSync(out, { recursive: true, force: true });
      if (main === undefined) throw new Error(`callgrind wrote no main-thread file for ${c.name}`);
      counts.push(total);
      mainCounts.push(main);
    }
    rows.push({ c, counts, mainCounts, modules });
    process.stderr.write(`${c.name}: ${counts.map((n) => (n / 1e6).toFixed(1)).join(', ')} million (main thread ${mainCounts.map((n) => (n / 1e6).toFixed(1)).join(', ')})\n`);
  }
  const base = median(rows[0].counts);
  const mainBase = median(rows[0].mainCounts);
  const { stdout: nodeVersion } = await run(NODE, ['--version']);
  console.log(`\ncallgrind, ${RUNS} runs per case, median; Node ${nodeVersion.trim()}, ${new Date().toISOString().slice(0, 10)}.\n`);
  console.log('| case | instructions (millions) | added over empty Node (millions) | main thread (millions) | added on the main thread (millions) | runs, all threads (millions) | JavaScript modules loaded | their size (KB) |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |');
  const added = (value, from) => `+${((value - from) / 1e6).toFixed(1)}`;
  for (const { c, counts, mainCounts, modules } of rows) {
    const m = median(counts);
    const mainMedian = median(mainCounts);
    const empty = c.name === 'empty';
    const size = modules.reduce((sum, bytes) => sum + bytes, 0);
    console.log(`| ${c.name} | ${(m / 1e6).toFixed(1)} | ${empty ? '' : added(m, base)} | ${(mainMedian / 1e6).toFixed(1)} | ${empty ? '' : added(mainMedian, mainBase)} | ${counts.map((n) => (n / 1e6).toFixed(1)).join(', ')} | ${modules.length} | ${(size / 1024).toFixed(0)} |`);
  }
} finally {
  await close();
}
