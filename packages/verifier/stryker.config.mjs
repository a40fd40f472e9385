// StrykerJS for kms-jwt-verifier (with its /http and /kms-endpoint entry points): `pnpm mutation verifier`
// (Stryker runs from the repository root, so paths here are the root's). Every file of src/ is mutated but those that hold no statement (types,
// declarations, re-exports): see MUTATION.md at the root for the exclusions and the equivalent survivors.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'packages/verifier/vitest.mutation.config.mjs', related: false },
  // Type checks are disabled only in the mutated package (Stryker's default touches every file).
  disableTypeChecks: 'packages/verifier/src/**/*.ts',
  mutate: [
    'packages/verifier/src/**/*.ts',
    // Types, interfaces and `declare`s only: nothing runs, so no mutant could be told apart.
    '!packages/verifier/src/types.ts',
    '!packages/verifier/src/public-key.ts',
    '!packages/verifier/src/key-resolver.ts',
    '!packages/verifier/src/runtime/contract.ts',
    // Re-exports only.
    '!packages/verifier/src/index.ts',
    '!packages/verifier/src/http/index.ts',
    '!packages/verifier/src/kms-endpoint/index.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: 'reports/mutation/verifier.incremental.json',
  reporters: ['json', 'html', 'clear-text', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/verifier.json' },
  htmlReporter: { fileName: 'reports/mutation/verifier.html' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
