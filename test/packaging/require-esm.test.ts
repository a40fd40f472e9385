import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, publishedPackages, root as repositoryRoot } from '../../scripts/packages.mjs';

const packages = publishedPackages();
const commands = packages.flatMap((pkg) => Object.entries(pkg.manifest.bin ?? {}).map(([command, file]) => [command, pkg.name, file] as const));
const workdir = mkdtempSync(join(tmpdir(), 'kms-jwt-require-esm-'));
const consumer = join(workdir, 'consumer');

/** Installs each packed tarball into consumer/node_modules, linking its dependencies (packed siblings first). */
beforeAll(() => {
  const modules = join(consumer, 'node_modules');
  mkdirSync(modules, { recursive: true });
  for (const pkg of packages) {
    const tarball = pack(pkg, join(workdir, 'tarballs'));
    const target = join(modules, pkg.name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  }
  const packed = new Set(packages.map((pkg) => pkg.name));
  for (const pkg of packages) {
    const deps = { ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies };
    for (const dep of Object.keys(deps)) {
      if (packed.has(dep)) continue;
      const link = join(modules, dep);
      try {
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(realpathSync(join(pkg.dir, 'node_modules', dep)), link, 'dir');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
  // Packing 12 packages takes about 20 s on an idle 2-vCPU machine and has taken over 60 s beside the rest of the suite.
}, 300_000);

afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesOf(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

function runInConsumer(source: string): string {
  return execFileSync(process.execPath, ['--no-warnings', '-e', source], { cwd: consumer, encoding: 'utf8' });
}

describe('packed tarballs', () => {
  it('finds the published packages to check', () => {
    expect(packages.map((pkg) => pkg.name)).toContain('kms-local');
  });

  describe.each(packages.map((pkg) => pkg.name))('%s', (name) => {
    it('loads with require() (require(esm)) and exposes the same exports as import()', () => {
      const output = runInConsumer(
        `const cjs = require(${JSON.stringify(name)});
         import(${JSON.stringify(name)}).then((esm) => {
           console.log(JSON.stringify({ cjs: Object.keys(cjs).sort(), esm: Object.keys(esm).sort() }));
         });`,
      );
      const { cjs, esm } = JSON.parse(output) as { cjs: string[]; esm: string[] };
      expect(esm.length).toBeGreaterThan(0);
      expect(cjs.filter((key) => key !== '__esModule' && key !== 'module.exports')).toEqual(esm);
    });

    it('keeps the name of every class each entry exports (errors name themselves after their class; a bundler may rename a class)', () => {
      const manifest = JSON.parse(readFileSync(join(consumer, 'node_modules', name, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
      const entries = Object.keys(manifest.exports ?? { '.': null })
        .filter((subpath) => subpath !== './package.json')
        .map((subpath) => `${name}${subpath.slice(1)}`);
      const output = runInConsumer(
        `Promise.all(${JSON.stringify(entries)}.map(async (entry) => {
           const classes = Object.entries(await import(entry)).filter(([, value]) => typeof value === 'function' && /^class\\b/.test(Function.prototype.toString.call(value)));
           return classes.map(([key, value]) => ({ entry, key, name: value.name }));
         })).then((found) => console.log(JSON.stringify(found.flat())));`,
      );
      const found = JSON.parse(output) as { entry: string; key: string; name: string }[];
      expect(found.filter(({ key, name: actual }) => key !== actual)).toEqual([]);
      if (name === 'kms-jwt-verifier') expect(found).toContainEqual({ entry: name, key: 'JwtExpiredError', name: 'JwtExpiredError' });
    });

    it('ships type declarations and no test files', () => {
      const root = join(consumer, 'node_modules', name);
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { types: string; engines: { node: string } };
      expect(readFileSync(join(root, manifest.types), 'utf8')).toMatch(/export /);
      expect(manifest.engines.node).toBe('>=20.19');
      const files = filesOf(root);
      expect(files.filter((file) => /\.test\.(js|ts)$/.test(file))).toEqual([]);
      expect(files.filter((file) => file.endsWith('.tsbuildinfo'))).toEqual([]);
    });

    it('ships package.json, README, the Apache-2.0 LICENSE of the repository and its dist', () => {
      const root = join(consumer, 'node_modules', name);
      const files = filesOf(root);
      expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
      expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toBe(readFileSync(join(repositoryRoot, 'LICENSE'), 'utf8'));
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string; publishConfig?: { access?: string; provenance?: boolean } };
      expect(manifest.license).toBe('Apache-2.0');
      expect(manifest.publishConfig).toEqual({ access: 'public', provenance: true });
    });

    it('ships every file its source maps and declaration maps point to', () => {
      const root = join(consumer, 'node_modules', name);
      const files = filesOf(root);
      const maps = files.filter((file) => file.endsWith('.map'));
      expect(maps.length).toBeGreaterThan(0);
      const missing: string[] = [];
      for (const map of maps) {
        const { sources, sourceRoot } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
        expect(sources.length).toBeGreaterThan(0);
        for (const source of sources) {
          const target = relative(root, resolve(root, dirname(map), sourceRoot ?? '', source));
          if (target.startsWith('..') || !files.includes(target)) missing.push(`${map} -> ${source}`);
        }
      }
      expect(missing).toEqual([]);
    });

  });
});

describe('a CommonJS TypeScript project importing every package', () => {
  const tsc = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const typeCheck = (module: string): string => {
    const project = join(workdir, `cjs-${module}`);
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `cjs-${module}`, private: true, type: 'commonjs' }));
    writeFileSync(join(project, 'index.ts'), packages.map((pkg, i) => `import * as p${i} from ${JSON.stringify(pkg.name)};\nexport const k${i} = Object.keys(p${i});\n`).join(''));
    symlinkSync(join(consumer, 'node_modules'), join(project, 'node_modules'), 'dir');
    try {
      execFileSync(process.execPath, [tsc, '--module', module, '--noEmit', '--strict', '--skipLibCheck', '--types', 'node', '--typeRoots', join(repositoryRoot, 'node_modules', '@types'), 'index.ts'], { cwd: project, encoding: 'utf8' });
      return 'ok';
    } catch (error) {
      return String((error as { stdout?: string }).stdout);
    }
  };

  it.each(['nodenext', 'node20'])('type-checks with module %s (require(esm), as the READMEs say)', (module) => {
    expect(typeCheck(module)).toBe('ok');
  });

  it.each(['node16', 'node18'])('is refused with module %s (TS1479), which the READMEs warn of', (module) => {
    expect(typeCheck(module)).toMatch(/TS1479/);
  });
});

describe.each(commands)('command %s (%s)', (_command, name, file) => {
  it('runs from the packed tarball and prints its usage', () => {
    const output = execFileSync(process.execPath, [join(consumer, 'node_modules', name, file), '--help'], { encoding: 'utf8' });
    expect(output).toMatch(/Usage:/);
  });
});

describe('kms-jwt-cli console from the packed tarball', () => {
  it('ships the page (HTML, style sheet, every script module) and serves it', async () => {
    const root = join(consumer, 'node_modules', 'kms-jwt-cli');
    const files = filesOf(root);
    expect(files).toEqual(expect.arrayContaining(['console/index.html', 'console/console.css', 'dist/console/main.js']));
    // An offline key is enough to start it: a JWKS file with one P-256 key.
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwks = join(workdir, 'console-jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555', alg: 'ES256', use: 'sig' }] }));
    const child = spawn(process.execPath, [join(root, 'bin', 'kms-jwt.js'), 'console', '--jwks', jwks], { cwd: consumer, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      const url = await new Promise<string>((resolveUrl, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
          const found = /kms-jwt console on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
          if (found?.[1] !== undefined) resolveUrl(found[1]);
        });
        child.once('exit', (code) => reject(new Error(`kms-jwt console exited ${code}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      const scripts = [...html.matchAll(/src="(\/js\/[a-z-]+\.js)"/g)].map((match) => match[1] ?? '');
      expect(scripts).toEqual(['/js/main.js']);
      // Every module the page imports, transitively, is served.
      const seen = new Set<string>();
      const queue = [...scripts];
      while (queue.length > 0) {
        const path = queue.shift() ?? '';
        if (seen.has(path)) continue;
        seen.add(path);
        const script = await fetch(new URL(path, url));
        expect(script.status, path).toBe(200);
        for (const match of (await script.text()).matchAll(/from '\.\/([a-z-]+\.js)'/g)) queue.push(`/js/${match[1] ?? ''}`);
      }
      expect(seen.size).toBeGreaterThan(3);
      expect((await fetch(new URL('/console.css', url))).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
