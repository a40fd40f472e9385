// Mutation testing of kms-jwt-signer (issue 19): run from the repository root, after `pnpm run build`
// (the tests import the built dist of sibling packages; the signer's own tests import ../src).
// `npx -y pnpm@10.34.8 mutation signer` (scripts/mutation.mjs: Stryker 10 needs Node ≥ 22.18 and runs under Node 24 on an older Node).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'pnpm',
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'packages/signer/vitest.stryker.config.mjs', related: false },
  coverageAnalysis: 'perTest',
  // The sandbox (.stryker-tmp) gets symlinks to every node_modules of the workspace; type checks are
  // disabled only in the mutated package (Stryker's default touches every file).
  disableTypeChecks: 'packages/signer/src/**/*.ts',
  mutate: ['packages/signer/src/**/*.ts', '!packages/signer/src/index.ts'],
  concurrency: 2,
  timeoutMS: 30_000,
  incremental: true,
  incrementalFile: 'reports/mutation/signer.incremental.json',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/signer.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};

export default config;
