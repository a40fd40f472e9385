import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // test/sdk-latest installs the newest AWS SDK from the registry: `pnpm test:sdk-latest`, in CI's Node 22+ passes.
    exclude: [...configDefaults.exclude, 'test/sdk-latest/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The AWS SDK warns once per process on Node 20 that it will need Node 22 from 2027; CI's first pass runs on 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // CI also writes a JSON report, from which .ci/run prints the pass/fail counts.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.tmp/vitest-results.json' }]] : ['default'],
  },
});
