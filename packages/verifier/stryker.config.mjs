// StrykerJS for kms-jwt-verifier (with its /http and /kms-endpoint entry points): `pnpm mutation verifier`
// from the repository root. Every file of src/ is mutated but those that hold no statement (types,
// declarations, re-exports): see MUTATION.md at the root for the exclusions and the equivalent survivors.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.mjs' },
  mutate: [
    'src/**/*.ts',
    // Types, interfaces and `declare`s only: nothing runs, so no mutant could be told apart.
    '!src/types.ts',
    '!src/public-key.ts',
    '!src/key-resolver.ts',
    '!src/runtime/contract.ts',
    // Re-exports only.
    '!src/index.ts',
    '!src/http/index.ts',
    '!src/kms-endpoint/index.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: '../../reports/mutation/verifier.incremental.json',
  reporters: ['json', 'html', 'clear-text', 'progress'],
  jsonReporter: { fileName: '../../reports/mutation/verifier.json' },
  htmlReporter: { fileName: '../../reports/mutation/verifier.html' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
