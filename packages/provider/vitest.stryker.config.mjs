// The vitest configuration Stryker runs kms-pubkey-provider's tests with (see stryker.config.mjs):
// the package's own tests, as the root vitest.config.ts runs them.
// STRYKER_TEST_FILES (comma-separated paths under packages/provider) narrows the run to those files: for
// static mutants, which Stryker runs against every test file the config includes (see MUTATION.md).
import { configDefaults, defineConfig } from 'vitest/config';

const only = process.env['STRYKER_TEST_FILES']?.split(',').filter((file) => file.length > 0);

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: only && only.length > 0 ? only : ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
