import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as main from '../src/index.js';
import * as jwks from '../src/jwks/index.js';
import * as kms from '../src/kms/index.js';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** The source modules that importing `entry` loads: its relative imports and re-exports, followed (`import type` / `export type` are erased by the build). */
function loadedModules(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)\.js'/gm)) {
      visit(resolve(dirname(file), `${match[1]}.ts`));
    }
  };
  visit(resolve(src, entry));
  return new Set([...seen].map((file) => relative(src, file).split('\\').join('/')));
}

describe('the kms-pubkey-provider/kms and kms-pubkey-provider/jwks entries', () => {
  it('export between them exactly the main entry names, as the same bindings', () => {
    expect([...new Set([...Object.keys(kms), ...Object.keys(jwks)])].sort()).toEqual(Object.keys(main).sort());
    for (const [name, value] of [...Object.entries(kms), ...Object.entries(jwks)]) expect(value, name).toBe(main[name as keyof typeof main]);
  });

  it('each load none of the other provider modules, and fewer modules than the main entry', () => {
    const all = loadedModules('index.ts');
    const kmsOnly = loadedModules('kms/index.ts');
    const jwksOnly = loadedModules('jwks/index.ts');
    expect(all).toContain('create-jwks-key-provider.ts');
    expect(all).toContain('create-kms-key-provider.ts');
    for (const file of ['create-jwks-key-provider.ts', 'remote-jwks.ts', 'jwks-http.ts', 'jwks-options.ts']) expect(kmsOnly).not.toContain(file);
    for (const file of ['create-kms-key-provider.ts', 'kms-key-source.ts', 'alias-watcher.ts', 'snapshot-source.ts']) expect(jwksOnly).not.toContain(file);
    expect(kmsOnly.size).toBeLessThan(all.size - 1);
    expect(jwksOnly.size).toBeLessThan(all.size - 1);
  });
});

describe('what importing kms-pubkey-provider loads', () => {
  it('imports neither kms-jwt-verifier/kms-endpoint nor lru-cache: a provider answering from a snapshot or offline keys never needs them', () => {
    const loaded = [...loadedModules('index.ts')].map((file) => readFileSync(resolve(src, file), 'utf8'));
    const bare = loaded.flatMap((code) => [...code.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?\bfrom\s+'([^.'][^']*)'/gm)].map((match) => match[1]));
    expect(bare).toContain('kms-jwt-verifier');
    expect(bare).not.toContain('kms-jwt-verifier/kms-endpoint');
    expect(bare).not.toContain('lru-cache');
  });
});
