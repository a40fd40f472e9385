// The vitest configuration Stryker runs kms-jwt-signer's tests with (see stryker.config.mjs): the
// package's own tests, as the root vitest.config.ts runs them, less kms-throttling.test.ts (a
// minute of real-time signing against a quota, which a loaded machine under instrumentation makes
// fail; the rate limiter is covered by rate-limit.test.ts's fake-clock tests).
// STRYKER_TEST_FILES (comma-separated paths under packages/signer) narrows the run to those files: for
// static mutants, which Stryker runs against every test file the config includes (see MUTATION.md).
import { configDefaults, defineConfig } from 'vitest/config';

const only = process.env['STRYKER_TEST_FILES']?.split(',').filter((file) => file.length > 0);

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: only && only.length > 0 ? only : ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/kms-throttling.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
