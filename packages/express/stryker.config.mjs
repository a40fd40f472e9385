// StrykerJS for this package: `npx -y pnpm@10.34.8 mutation express` from the repository root (see MUTATION.md).
import { strykerPackageConfig } from '../../scripts/stryker-package.mjs';

export default strykerPackageConfig({ name: 'express' });
