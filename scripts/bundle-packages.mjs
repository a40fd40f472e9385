// The JavaScript of the bundled published packages (kms-jwt-verifier, kms-pubkey-provider): one esbuild
// build per package from its src/ (tsc -b emits only their .d.ts), every file that package.json's
// `exports` and `imports` point to built as an entry of the same build with ESM code splitting, so the
// entries share one copy of each module (an error class is the same class through every entry) and a
// cold start loads a few modules instead of one per source file (Node.js's ES module loader pays per
// module: bench/cold-start). Dependencies, `node:` built-ins and `#runtime` stay imports: `#runtime`'s
// conditions (node, deno, bun, workerd, browser) still choose a runtime module at run time.
// Usage: node scripts/bundle-packages.mjs [package folder name...] (default: every bundled package).
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { root } from './packages.mjs';

/** The packages whose dist is bundled, by folder under packages/. */
const BUNDLED_PACKAGES = ['verifier', 'provider'];

/** Every `./dist/….js` file a package.json field names, in `exports` (any subpath, any condition) and `imports`. */
function distTargets(value) {
  if (typeof value === 'string') return value.startsWith('./dist/') && value.endsWith('.js') ? [value] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(distTargets);
}

/** The build's entry points: `dist/x/y.js` comes from `src/x/y.ts`, keyed by `x/y`. */
function entryPoints(manifest) {
  const targets = new Set([...distTargets(manifest.exports), ...distTargets(manifest.imports)]);
  return Object.fromEntries([...targets].sort().map((target) => {
    const name = target.slice('./dist/'.length, -'.js'.length);
    return [name, `src/${name}.ts`];
  }));
}

/** The JavaScript and its source maps under `dir` (a previous build's, or tsc's from before bundling); the .d.ts files stay. */
function removeJavaScript(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isFile() && /\.js(\.map)?$/.test(entry.name)) rmSync(join(entry.parentPath, entry.name));
  }
}

/**
 * An entry that only re-exports a chunk (such as runtime/node.js, whose code deno.js shares) maps
 * back to no source: its map and the comment pointing to it are dropped.
 */
function dropEmptySourceMap(file) {
  const map = `${file}.map`;
  if (JSON.parse(readFileSync(map, 'utf8')).sources.length > 0) return;
  rmSync(map);
  const code = readFileSync(file, 'utf8');
  writeFileSync(file, code.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n'));
}

async function bundlePackage(folder) {
  const dir = join(root, 'packages', folder);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const outdir = join(dir, 'dist');
  removeJavaScript(outdir);
  const result = await build({
    absWorkingDir: dir,
    entryPoints: entryPoints(manifest),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    tsconfig: 'tsconfig.build.json',
    // Every bare import is a dependency (or an optional peer, such as @aws-sdk/client-kms, imported on first use).
    packages: 'external',
    external: ['#runtime', 'node:*'],
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    // The maps point into src/, which is published beside dist/ (as tsc's did).
    sourcesContent: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'));
  for (const output of outputs) dropEmptySourceMap(join(dir, output));
  const size = outputs.reduce((sum, file) => sum + result.metafile.outputs[file].bytes, 0);
  console.log(`${manifest.name}: ${outputs.length} modules, ${(size / 1024).toFixed(0)} KB (${outputs.map((file) => relative(outdir, join(dir, file)).split(sep).join('/')).join(', ')})`);
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((folder) => !BUNDLED_PACKAGES.includes(folder));
if (unknown.length > 0) throw new Error(`not a bundled package: ${unknown.join(', ')} (bundled: ${BUNDLED_PACKAGES.join(', ')})`);
for (const folder of wanted.length > 0 ? wanted : BUNDLED_PACKAGES) await bundlePackage(folder);
