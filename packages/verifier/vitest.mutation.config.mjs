// The vitest configuration Stryker runs kms-jwt-verifier's tests with (stryker.config.mjs): the
// package's own tests only, and `#runtime` resolved to src/runtime/node.ts, the source Stryker
// mutates, rather than the built dist/runtime/node.js that package.json's `imports` names.
// STRYKER_TEST_FILES (comma-separated paths under packages/verifier) narrows the run to those files: for
// static mutants, which Stryker runs against every test file the config includes (see MUTATION.md).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const only = process.env['STRYKER_TEST_FILES']?.split(',').filter((file) => file.length > 0);

export default defineConfig({
  resolve: { alias: { '#runtime': fileURLToPath(new URL('./src/runtime/node.ts', import.meta.url)) } },
  test: {
    root: import.meta.dirname,
    include: only && only.length > 0 ? only : ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
