// The JavaScript of the bundled published packages (kms-jwt-verifier, kms-pubkey-provider), built by
// esbuild from src/ (tsc -b emits only their .d.ts): every file that package.json's `exports` and
// `imports` point to is an entry. Node.js's ES module loader pays per module, and more for a bare
// specifier or a package `imports` map to resolve (bench/cold-start: about 6 million instructions
// each), so each package's main entry is as few modules as possible: kms-jwt-verifier's is one, with
// its runtime module built in (one build per runtime condition), kms-pubkey-provider's two.
// Classes and other state with an identity must exist once, whatever entry a program imports them
// through: an entry that shares such code with the main entry imports it from the main entry's output
// (`fromMain`), or both are entries of one build with ESM code splitting (`split`, which makes a chunk
// of the code they share). Any other source module built into two outputs must be listed in
// `copies`, with why a second copy is harmless; the build fails otherwise, and it imports every entry
// it wrote, so a name an entry takes from the main entry that the main entry does not export fails the
// build too. Dependencies and `node:` built-ins stay imports.
// Usage: node scripts/bundle-packages.mjs [package folder name...] (default: every bundled package).
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './packages.mjs';

/**
 * The packages whose dist is bundled, by folder under packages/, and how their entries are built
 * (entries named as in dist/, without `.js`; every entry not named in `split` is built alone, with
 * everything it imports):
 * - `runtimes`: an entry under one of these dist/ folders (`web/index` for `./dist/web/index.js`) is
 *   built from the source entry without the folder (`src/index.ts`) with `#runtime` built in as the
 *   given runtime module (the `''` folder: every other entry); one module per condition instead of an
 *   entry and the runtime module `#runtime` chooses at run time (bench/cold-start: about 6 million
 *   instructions less at a cold start). `#runtime`'s own targets are still built, for the source
 *   (tests, TypeScript), and package.json's `exports` name each folder's build under its conditions.
 * - `split`: entries built together with code splitting (the code they share is one chunk).
 * - `fromMain`: source entry → the source modules (under src/) it takes from the main entry of its
 *   folder (`index.js`, `web/index.js`) instead of bundling its own copy; the main entry must export
 *   every name the entry imports from them.
 * - `copies`: source modules that may be built into more than one output of one folder, and why that
 *   is harmless (a program loads the outputs of one folder only: its conditions choose the folder).
 */
const BUNDLED_PACKAGES = {
  verifier: {
    runtimes: { 'web/': 'runtime/web.ts', 'deno/': 'runtime/deno.ts', '': 'runtime/node.ts' },
    split: [],
    fromMain: { 'http/index': ['errors.ts', 'create-verifier.ts'] },
    copies: {
      'verify-now.ts': 'Symbol.for keys and a pure function: every copy holds the same symbols',
      'verifier-telemetry.ts': 'a Symbol.for key: every copy holds the same symbol',
      'algorithms.ts': "the algorithm tables, frozen data: #runtime's node.js copy is never compared with the main entry's",
      'key-description.ts': 'functions and frozen tables describing keys, no state',
      'runtime/web-bytes.ts': 'base64 and UTF-8 functions over tables, no state with an identity',
      'runtime/web-crypto-verify.ts': "#runtime's deno.js and web.js, each a copy: a program loads one runtime module",
      'runtime/node.ts': "#runtime's node.js and deno.js, each a copy: a program loads one runtime module",
    },
  },
  provider: {
    runtimes: { '': undefined },
    // The KMS provider and the shared code are one chunk, which the main entry and `/kms` both load; the
    // remote-JWKS provider is in the main entry's own module, which `/jwks` re-exports.
    split: ['index', 'kms/index'],
    fromMain: { 'jwks/index': ['create-jwks-key-provider.ts', 'jwks-errors.ts', 'errors.ts'] },
    copies: {},
  },
};

/** Every `./dist/….js` file a package.json field names, in `exports` (any subpath, any condition) and `imports`. */
function distTargets(value) {
  if (typeof value === 'string') return value.startsWith('./dist/') && value.endsWith('.js') ? [value] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(distTargets);
}

/** The entries, named as in dist/ without `.js` (`x/y` for `./dist/x/y.js`, built from `src/x/y.ts`, or from `src/y.ts` if `x/` is a runtime folder). */
function entryNames(manifest) {
  const targets = new Set([...distTargets(manifest.exports), ...distTargets(manifest.imports)]);
  return [...targets].sort().map((target) => target.slice('./dist/'.length, -'.js'.length));
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
 * An output that only re-exports another module maps back to no source: its map and the comment
 * pointing to it are dropped.
 */
function dropEmptySourceMap(file) {
  const map = `${file}.map`;
  if (JSON.parse(readFileSync(map, 'utf8')).sources.length > 0) return;
  rmSync(map);
  const code = readFileSync(file, 'utf8');
  writeFileSync(file, code.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n'));
}

/** An esbuild plugin: imports of `modules` (absolute source paths) become imports of the main entry's output of `entry`'s folder (`index.js`, `web/index.js`). */
function fromMainPlugin(entry, folder, modules) {
  const mainFromEntry = relative(dirname(join('dist', entry)), join('dist', folder, 'index.js')).split(sep).join('/');
  const specifier = mainFromEntry.startsWith('.') ? mainFromEntry : `./${mainFromEntry}`;
  return {
    name: 'from-main',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
        return modules.has(target) ? { path: specifier, external: true } : undefined;
      });
    },
  };
}

/** The runtime folder an entry or output (relative to dist/) is in: the longest `runtimes` folder it starts with. */
function folderOf(layout, name) {
  return Object.keys(layout.runtimes).filter((folder) => name.startsWith(folder)).sort((x, y) => y.length - x.length)[0];
}

async function bundlePackage(folderName) {
  const layout = BUNDLED_PACKAGES[folderName];
  const dir = join(root, 'packages', folderName);
  const src = join(dir, 'src');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const outdir = join(dir, 'dist');
  const entries = entryNames(manifest);
  const source = (entry) => entry.slice(folderOf(layout, entry).length);
  const unknown = [...layout.split, ...Object.keys(layout.fromMain)].filter((entry) => !entries.map(source).includes(entry));
  if (unknown.length > 0) throw new Error(`${manifest.name}: bundle layout names entries package.json does not have: ${unknown.join(', ')}`);
  const groups = [
    ...(layout.split.length > 0 ? [{ entries: layout.split, splitting: true }] : []),
    ...entries.filter((entry) => !layout.split.includes(entry)).map((entry) => ({ entries: [entry], splitting: false })),
  ];
  removeJavaScript(outdir);
  const outputs = {};
  for (const group of groups) {
    const folder = folderOf(layout, group.entries[0]);
    const runtime = layout.runtimes[folder];
    const fromMain = group.splitting ? undefined : layout.fromMain[source(group.entries[0])];
    const result = await build({
      absWorkingDir: dir,
      entryPoints: Object.fromEntries(group.entries.map((entry) => [entry, `src/${source(entry)}.ts`])),
      outdir,
      bundle: true,
      splitting: group.splitting,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      tsconfig: 'tsconfig.build.json',
      // Every bare import is a dependency (or an optional peer, such as @aws-sdk/client-kms, imported on first use).
      packages: 'external',
      external: ['node:*'],
      alias: runtime === undefined ? {} : { '#runtime': `./src/${runtime}` },
      plugins: fromMain === undefined ? [] : [fromMainPlugin(group.entries[0], folder, new Set(fromMain.map((file) => join(src, file))))],
      chunkNames: 'chunks/[name]-[hash]',
      sourcemap: true,
      // The maps point into src/, which is published beside dist/ (as tsc's did).
      sourcesContent: false,
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
    });
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      if (file.endsWith('.js')) outputs[file] = Object.keys(output.inputs).filter((input) => input.startsWith('src/')).map((input) => input.slice('src/'.length));
    }
  }
  // A source module in two outputs of one folder is two copies of its classes and state, unless listed as harmless.
  const seen = new Map();
  for (const [file, inputs] of Object.entries(outputs)) {
    const folder = folderOf(layout, relative(outdir, join(dir, file)).split(sep).join('/'));
    for (const input of inputs) {
      const other = seen.get(`${folder}\0${input}`);
      if (other !== undefined && !(input in layout.copies)) throw new Error(`${manifest.name}: src/${input} is built into both ${other} and ${file}: import it from the main entry (fromMain), build the two entries together (split), or list it in copies with why a second copy is harmless`);
      seen.set(`${folder}\0${input}`, file);
    }
  }
  for (const file of Object.keys(outputs)) dropEmptySourceMap(join(dir, file));
  // Linking every entry checks the names taken from the main entry (a missing export fails to link).
  for (const entry of entries) await import(pathToFileURL(join(outdir, `${entry}.js`)).href);
  const size = Object.keys(outputs).reduce((sum, file) => sum + readFileSync(join(dir, file)).length, 0);
  const names = Object.keys(outputs).map((file) => relative(outdir, join(dir, file)).split(sep).join('/'));
  console.log(`${manifest.name}: ${names.length} modules, ${(size / 1024).toFixed(0)} KB (${names.join(', ')})`);
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((folder) => !(folder in BUNDLED_PACKAGES));
if (unknown.length > 0) throw new Error(`not a bundled package: ${unknown.join(', ')} (bundled: ${Object.keys(BUNDLED_PACKAGES).join(', ')})`);
for (const folder of wanted.length > 0 ? wanted : Object.keys(BUNDLED_PACKAGES)) await bundlePackage(folder);
