// Cold start, timed from outside: whole Node.js processes that import a JWT library, build a
// verifier, verify one ES256 token and exit, each run by hyperfine many times; reported as the
// median wall time added over an empty Node.js process. Cases (cases/*.mjs): the empty process;
// ours from a kms-pubkey-provider snapshot file (through the package's main entry, and through its
// kms-pubkey-provider/kms entry), from a PEM (kms-jwt-verifier alone) and from KMS
// (kms-local, started once here, outside the timed processes, through @aws-sdk/client-kms);
// aws-jwt-verify with its JWKS cache filled from an object (no network); jose with importSPKI and
// with importJWK. Every case gets the same environment and verifies the same token; a case that
// fails to verify exits non-zero and fails the run (hyperfine stops on it).
// Parameters (environment variables): BENCH_RUNS timed runs per case per round (default 40),
// BENCH_ROUNDS rounds (3; the cases take turns round by round, so load from elsewhere on the
// machine hits every case alike; the median is over all of a case's runs), BENCH_WARMUP untimed
// runs per case per round (3), BENCH_CASES a comma-separated subset (default all), BENCH_NODE the
// node binary (default this one), BENCH_LAYOUT `workspace` (default) or `flat` (see fixture.mjs). Needs hyperfine (Debian: `apt-get install hyperfine`).
// Run with `pnpm bench` (builds first). Not a test: it asserts nothing beyond each case verifying.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { caseScript as script, LAYOUT, median, prepareFixture, selectedCases } from './fixture.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const NODE = process.env.BENCH_NODE ?? process.execPath;
const cases = selectedCases();

function hyperfineVersion() {
  try {
    return execFileSync('hyperfine', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('hyperfine is not installed (Debian/Ubuntu: apt-get install hyperfine; or cargo install hyperfine)');
  }
}
const hyperfine = hyperfineVersion();

const { env, dir, close } = await prepareFixture();
try {
  // kms-local answers from this process: child processes are awaited, never run synchronously.
  const run = promisify(execFile);
  // Each case must verify (exit 0, nothing on stderr) before it is timed.
  for (const c of cases) {
    const { stderr } = await run(NODE, [script(c)], { env, encoding: 'utf8' });
    if (stderr !== '') throw new Error(`case ${c.name} wrote to stderr: ${stderr}`);
  }

  const times = new Map(cases.map((c) => [c.name, { wall: [], cpu: [] }]));
  for (let round = 1; round <= ROUNDS; round++) {
    // Every round runs the cases in another order, so none is always first after a pause.
    const order = cases.map((_, i) => cases[(i + round - 1) % cases.length]);
    const exportFile = join(dir, `round-${round}.json`);
    const args = ['--shell=none', '--warmup', String(WARMUP), '--runs', String(RUNS), '--export-json', exportFile, '--style', 'none'];
    for (const c of order) args.push('--command-name', c.name, `${NODE} ${script(c)}`);
    await run('hyperfine', args, { env, maxBuffer: 64 * 1024 * 1024 });
    const roundMedians = [];
    for (const result of JSON.parse(readFileSync(exportFile, 'utf8')).results) {
      roundMedians.push(`${result.command} ${(median(result.times) * 1000).toFixed(1)} ms`);
      const t = times.get(result.command);
      t.wall.push(...result.times);
      // hyperfine gives only the mean user and system time of a command: counted once per run.
      t.cpu.push(...result.times.map(() => result.user + result.system));
    }
    process.stderr.write(`round ${round}/${ROUNDS}, this round's medians: ${roundMedians.join(', ')}\n`);
  }

  const baseline = times.get('empty');
  const base = median(baseline.wall);
  const baseCpu = mean(baseline.cpu);
  const cpu = cpus();
  const nodeVersion = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  console.log(
    `\n${hyperfine}, ${ROUNDS} rounds × ${RUNS} runs per case (after ${WARMUP} warm-up runs per round), cases interleaved round by round; median wall time over all runs; ` +
      `${LAYOUT === 'flat' ? 'packages in a flat node_modules as npm installs them (BENCH_LAYOUT=flat)' : "packages in this pnpm workspace's node_modules (symlinks)"}; ` +
      `CPU = user + system, mean. Node ${nodeVersion}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString().slice(0, 10)}.\n`,
  );
  console.log('| case | median wall (ms) | added over empty Node (ms) | CPU (ms) | added CPU (ms) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const c of cases) {
    const t = times.get(c.name);
    const wall = median(t.wall);
    const added = c.name === 'empty' ? '' : `+${((wall - base) * 1000).toFixed(1)}`;
    const addedCpu = c.name === 'empty' ? '' : `+${((mean(t.cpu) - baseCpu) * 1000).toFixed(1)}`;
    console.log(`| ${c.label} | ${(wall * 1000).toFixed(1)} | ${added} | ${(mean(t.cpu) * 1000).toFixed(1)} | ${addedCpu} |`);
  }
} finally {
  await close();
}

function mean(values) {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
