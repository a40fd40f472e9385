// Mutation testing (StrykerJS) of the packages that have a `stryker.config.mjs`: `pnpm mutation`
// runs all of them, `pnpm mutation verifier signer` the named ones (folder names under packages/).
// Arguments from the first one that starts with `-` go to Stryker as they are, e.g.
// `pnpm mutation verifier --mutate src/der.ts` while working on one file.
// Each run writes Stryker's JSON report (mutation-testing-report-schema) to
// reports/mutation/<pkg>.json, and an HTML one beside it; this script prints a score table from them.
// Stryker 10 needs Node >= 22.18: on an older Node the script runs itself again under Node 24 through npx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './packages.mjs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.log(`mutation: Stryker 10 needs Node >= 22.18 (this is ${process.version}); running under Node 24 through npx`);
  const again = spawnSync('npx', ['-y', '-p', 'node@24', '--', 'node', ...process.argv.slice(1)], { stdio: 'inherit', cwd: process.cwd() });
  process.exit(again.status ?? 1);
}

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const firstFlag = args.findIndex((arg) => arg.startsWith('-'));
const names = firstFlag < 0 ? args : args.slice(0, firstFlag);
const strykerArgs = firstFlag < 0 ? [] : args.slice(firstFlag);

const configured = readdirSync(join(root, 'packages')).filter((name) => existsSync(join(root, 'packages', name, 'stryker.config.mjs')));
const unknown = names.filter((name) => !configured.includes(name));
if (unknown.length > 0) {
  console.error(`mutation: no packages/<name>/stryker.config.mjs for ${unknown.join(', ')}; configured: ${configured.join(', ')}`);
  process.exit(2);
}
const selected = names.length > 0 ? names : configured;
const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');

/** Stryker's counts from a mutation-testing-report-schema JSON report. */
function summarize(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const counts = { Killed: 0, Survived: 0, NoCoverage: 0, Timeout: 0, CompileError: 0, RuntimeError: 0, Ignored: 0, Pending: 0 };
  for (const file of Object.values(report.files)) for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { ...counts, valid, score: valid === 0 ? NaN : (100 * detected) / valid };
}

const rows = [];
let failed = false;
for (const name of selected) {
  // From the repository root: a package's tests may import a sibling's test helpers, which a sandbox
  // of the package folder alone would not hold.
  const cwd = root;
  const started = Date.now();
  console.log(`mutation: ${name}: stryker run packages/${name}/stryker.config.mjs ${strykerArgs.join(' ')}`);
  const run = spawnSync(process.execPath, [stryker, 'run', join('packages', name, 'stryker.config.mjs'), ...strykerArgs], { cwd, stdio: 'inherit' });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (run.status !== 0) failed = true;
  const reportFile = join(root, 'reports', 'mutation', `${name}.json`);
  if (!existsSync(reportFile)) {
    console.error(`mutation: ${name}: no report at ${reportFile}`);
    continue;
  }
  rows.push({ name, seconds, ...summarize(reportFile) });
}

console.log('\n| package | mutants | killed | survived | no coverage | timeout | score | duration |');
console.log('| --- | --: | --: | --: | --: | --: | --: | --: |');
for (const row of rows) {
  console.log(`| ${row.name} | ${row.valid} | ${row.Killed} | ${row.Survived} | ${row.NoCoverage} | ${row.Timeout} | ${row.score.toFixed(2)} % | ${row.seconds} s |`);
}
process.exit(failed ? 1 : 0);
