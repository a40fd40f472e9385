// The workspace's publishable packages and how to pack them, shared by the checks in scripts/ and test/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every package under packages/ that is not private: `{ name, dir, manifest }`. */
export function publishedPackages() {
  const base = join(root, 'packages');
  return readdirSync(base)
    .map((entry) => join(base, entry))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir, manifest }));
}

/** The pnpm that runs this process (under `pnpm run`), else the pinned one through npx. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
  return [process.platform === 'win32' ? 'npx.cmd' : 'npx', ['-y', `--package=${pinned}`, '--', 'pnpm']];
}

/** Packs one package with pnpm (which rewrites workspace: ranges) into `destination`; returns the .tgz path. */
export function pack(pkg, destination) {
  mkdirSync(destination, { recursive: true });
  const [command, prefix] = pnpmCommand();
  const output = execFileSync(command, [...prefix, 'pack', '--pack-destination', destination], {
    cwd: pkg.dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tarball = output
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .reverse()
    .find((line) => line.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack printed no tarball for ${pkg.name}:\n${output}`);
  return resolve(destination, tarball.split('/').pop());
}
