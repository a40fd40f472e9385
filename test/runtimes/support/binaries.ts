import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/ (the workspace package whose node_modules hold the runtimes and the packages under test). */
export const TEST_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ENTRIES = fileURLToPath(new URL('./entries/', import.meta.url));

const require = createRequire(join(TEST_ROOT, 'package.json'));

function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return process.platform === 'linux' && report?.header?.glibcVersionRuntime === undefined;
}

/**
 * The binary that an npm package (`deno`, `bun`) ships in its platform package, found without its
 * install script (which pnpm does not run): the platform package is an optional dependency of it.
 */
function platformBinary(wrapper: string, platformPackages: Readonly<Record<string, string>>, binary: string): string {
  const key = `${process.platform}-${process.arch}${isMusl() ? '-musl' : ''}`;
  const platformPackage = platformPackages[key];
  if (platformPackage === undefined) throw new Error(`${wrapper} ships no binary for ${key} among ${Object.keys(platformPackages).join(', ')}`);
  const fromWrapper = createRequire(require.resolve(`${wrapper}/package.json`));
  const path = join(dirname(fromWrapper.resolve(`${platformPackage}/package.json`)), binary);
  if (!existsSync(path)) throw new Error(`${path} is missing: reinstall the ${wrapper} devDependency of the test package`);
  return path;
}

export function denoBinary(): string {
  return platformBinary(
    'deno',
    { 'linux-x64': '@deno/linux-x64-glibc', 'linux-arm64': '@deno/linux-arm64-glibc', 'darwin-x64': '@deno/darwin-x64', 'darwin-arm64': '@deno/darwin-arm64', 'win32-x64': '@deno/win32-x64' },
    process.platform === 'win32' ? 'deno.exe' : 'deno',
  );
}

export function bunBinary(): string {
  return platformBinary(
    'bun',
    {
      'linux-x64': '@oven/bun-linux-x64',
      'linux-arm64': '@oven/bun-linux-aarch64',
      'linux-x64-musl': '@oven/bun-linux-x64-musl',
      'linux-arm64-musl': '@oven/bun-linux-aarch64-musl',
      'darwin-x64': '@oven/bun-darwin-x64',
      'darwin-arm64': '@oven/bun-darwin-aarch64',
      'win32-x64': '@oven/bun-windows-x64',
    },
    join('bin', process.platform === 'win32' ? 'bun.exe' : 'bun'),
  );
}

/**
 * Runs `command` with `input` on stdin in test/, its home (and so its caches) in `home`, and
 * resolves with its stdout; rejects with its stderr when it fails.
 */
export function run(command: string, args: readonly string[], input: string, home: string, env: Readonly<Record<string, string>> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { cwd: TEST_ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: home, XDG_CACHE_HOME: home, NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

/** A directory removed by the returned function: the runtimes' caches live there, not in the home directory. */
export function scratchDirectory(prefix: string): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
