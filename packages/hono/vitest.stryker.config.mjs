// The vitest configuration Stryker runs this package's own tests with (stryker.config.mjs).
import { defineConfig } from 'vitest/config';
import { vitestStrykerTestOptions } from '../../scripts/stryker-package.mjs';

export default defineConfig(vitestStrykerTestOptions(import.meta.dirname));
