// The StrykerJS configuration of one workspace package, for the packages whose tests import their own
// ../src and the built dist of their siblings (the adapters and kms-jwt-fleet): each package's
// stryker.config.mjs calls it. Run from the repository root after `pnpm run build`, through
// `npx -y pnpm@10.34.8 mutation <package>` (scripts/mutation.mjs). See MUTATION.md.

/**
 * @param {{ name: string, timeoutMS?: number }} options `name`: the folder under packages/;
 *   `timeoutMS`: Stryker's extra time for a mutant over the test's own (default 20 s).
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function strykerPackageConfig({ name, timeoutMS = 20_000 }) {
  return {
    packageManager: 'pnpm',
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: `packages/${name}/vitest.stryker.config.mjs`, related: false },
    coverageAnalysis: 'perTest',
    // Type checks are disabled only in the mutated package (Stryker's default touches every file).
    disableTypeChecks: `packages/${name}/src/**/*.ts`,
    // index.ts holds re-exports only.
    mutate: [`packages/${name}/src/**/*.ts`, `!packages/${name}/src/index.ts`],
    concurrency: 2,
    timeoutMS,
    incremental: true,
    incrementalFile: `reports/mutation/${name}.incremental.json`,
    reporters: ['clear-text', 'progress', 'json'],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
  };
}

/**
 * The vitest configuration Stryker runs a package's own tests with (`test/**\/*.test.ts` under its
 * folder). STRYKER_TEST_FILES (comma-separated paths under the package) narrows the run to those files:
 * for static mutants, which Stryker runs against every test file the configuration includes.
 * @param {string} packageDir the package's folder (`import.meta.dirname` of its vitest.stryker.config.mjs)
 * @returns {import('vitest/config').UserConfig}
 */
export function vitestStrykerTestOptions(packageDir) {
  const only = process.env['STRYKER_TEST_FILES']?.split(',').filter((file) => file.length > 0);
  return {
    test: {
      root: packageDir,
      include: only && only.length > 0 ? only : ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  };
}
