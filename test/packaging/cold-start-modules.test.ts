import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { root } from '../../scripts/packages.mjs';

/**
 * What the published builds of kms-jwt-verifier and kms-pubkey-provider load on Node.js (the `default`
 * condition), read from their dist/ as scripts/bundle-packages.mjs wrote it: the modules an import
 * reaches through static imports. A cold start pays per module (bench/cold-start), so these counts are
 * part of the packages' performance.
 */

const require = createRequire(import.meta.url);
const OURS = ['kms-jwt-verifier', 'kms-pubkey-provider'];

/** The files importing `specifiers` loads, followed through static imports and re-exports into our two packages; relative to the repository. */
function loadedFiles(specifiers: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?\bfrom\s*"([^"]+)";?$|^import\s*"([^"]+)";?$/gms)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (OURS.some((name) => specifier === name || specifier.startsWith(`${name}/`))) visit(require.resolve(specifier));
    }
  };
  for (const specifier of specifiers) visit(require.resolve(specifier));
  return [...seen].map((file) => relative(root, file).split('\\').join('/')).sort();
}

describe('the modules a cold start loads', () => {
  it('kms-jwt-verifier and kms-pubkey-provider, from a snapshot: 3 modules (the verifier with its Node.js runtime built in, the provider and its chunk)', () => {
    const files = loadedFiles(['kms-jwt-verifier', 'kms-pubkey-provider']);
    expect(files).toHaveLength(3);
    expect(files).toContain('packages/verifier/dist/index.js');
    expect(files).toContain('packages/provider/dist/index.js');
    expect(files.filter((file) => /^packages\/provider\/dist\/chunks\/chunk-[^/]+\.js$/.test(file))).toHaveLength(1);
  });

  it("kms-pubkey-provider/kms leaves out the main entry's own module (the remote-JWKS provider)", () => {
    const files = loadedFiles(['kms-jwt-verifier', 'kms-pubkey-provider/kms']);
    expect(files).toHaveLength(3);
    expect(files).not.toContain('packages/provider/dist/index.js');
  });

  it("kms-jwt-verifier/http takes the verifier from its build's main entry, and no module of #runtime", () => {
    const files = loadedFiles(['kms-jwt-verifier/http']);
    expect(files).toEqual(['packages/verifier/dist/http/index.js', 'packages/verifier/dist/index.js']);
  });

  it('each entry of the builds gives the main entry its own bindings (one class, whatever the entry)', async () => {
    const load = async (specifier: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(require.resolve(specifier)).href)) as Record<string, unknown>;
    const main = await load('kms-pubkey-provider');
    const sub = { ...(await load('kms-pubkey-provider/kms')), ...(await load('kms-pubkey-provider/jwks')) };
    expect(Object.keys(sub).sort()).toEqual(Object.keys(main).sort());
    for (const [name, value] of Object.entries(sub)) expect(value, name).toBe(main[name]);
  });
});
