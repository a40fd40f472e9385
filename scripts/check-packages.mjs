// Checks what each published package would publish: publint (package.json and files) and
// are-the-types-wrong (type resolution, ESM-only profile: CommonJS callers use require(esm)).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, publishedPackages, root } from './packages.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);
const workdir = mkdtempSync(join(tmpdir(), 'kms-jwt-pack-'));
let failed = 0;
try {
  for (const pkg of publishedPackages()) {
    const tarball = pack(pkg, workdir);
    for (const [tool, args] of [
      ['publint', ['run', tarball, '--strict']],
      ['attw', [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color']],
    ]) {
      try {
        execFileSync(bin(tool), args, { cwd: pkg.dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
        console.log(`ok   ${pkg.name}: ${tool}`);
      } catch (error) {
        failed += 1;
        console.error(`FAIL ${pkg.name}: ${tool}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      }
    }
  }
} finally {
  rmSync(workdir, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}
