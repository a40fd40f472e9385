import { defineConfig } from 'vitest/config';

// `pnpm test:sdk-latest`: the packed packages against the newest @aws-sdk/client-kms (see the test).
export default defineConfig({
  test: {
    include: ['test/sdk-latest/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.tmp/vitest-sdk-latest.json' }]] : ['default'],
  },
});
