// StrykerJS for this package: `npx -y pnpm@10.34.8 mutation koa` from the repository root (see MUTATION.md).
import { strykerPackageConfig } from '../../scripts/stryker-package.mjs';

export default strykerPackageConfig({ name: 'koa' });
