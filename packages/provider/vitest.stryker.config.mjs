// The vitest configuration Stryker runs kms-pubkey-provider's tests with (see stryker.config.mjs):
// the package's own tests, as the root vitest.config.ts runs them.
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
