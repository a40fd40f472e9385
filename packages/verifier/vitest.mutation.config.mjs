// The vitest configuration Stryker runs kms-jwt-verifier's tests with (stryker.config.mjs): the
// package's own tests only, and `#runtime` resolved to src/runtime/node.ts, the source Stryker
// mutates, rather than the built dist/runtime/node.js that package.json's `imports` names.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '#runtime': fileURLToPath(new URL('./src/runtime/node.ts', import.meta.url)) } },
  test: {
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
