// Mutation testing of kms-pubkey-provider (issue 19): run from the repository root, after `pnpm run build`
// (the tests import the built dist of sibling packages; the signer's own tests import ../src).
// `npx -y pnpm@10.34.8 mutation provider` (scripts/mutation.mjs: Stryker 10 needs Node ≥ 22.18 and runs under Node 24 on an older Node).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'pnpm',
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'packages/provider/vitest.stryker.config.mjs', related: false },
  coverageAnalysis: 'perTest',
  // The sandbox (.stryker-tmp) gets symlinks to every node_modules of the workspace; type checks are
  // disabled only in the mutated package (Stryker's default touches every file).
  disableTypeChecks: 'packages/provider/src/**/*.ts',
  mutate: ['packages/provider/src/**/*.ts', '!packages/provider/src/index.ts'],
  concurrency: 2,
  timeoutMS: 30_000,
  incremental: true,
  incrementalFile: 'reports/mutation/provider.incremental.json',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/provider.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};

export default config;
