import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { beforeAll, describe, expect, it } from 'vitest';
import { bunBinary, ENTRIES, run, scratchDirectory } from './support/binaries.js';
import { expectEveryVector, expectNodeReference, expectSameAsNode } from './support/expectations.js';
import { runSuite, type RuntimeSuite, type SuiteResults } from './support/runner.js';
import { buildSuite } from './support/suite.js';
import { loadVectors } from './support/wycheproof.js';
import type { VectorResults } from './support/wycheproof-runner.js';

/**
 * Bun (the `bun` npm package's binary) runs the verifier and kms-pubkey-provider's offline keys
 * from node_modules, resolving the packages' conditions itself, on real KMS-signed tokens.
 */
describe('Bun', () => {
  let suite: RuntimeSuite;
  let node: SuiteResults;
  let bun: SuiteResults & { runtime: string };
  let vectors: VectorResults;
  const files = loadVectors();

  beforeAll(async () => {
    suite = await buildSuite();
    node = await runSuite(suite, (jwks) => createKmsKeyProvider({ offlineKeys: [{ key: jwks }] }));
    const cache = scratchDirectory('kms-jwt-bun-');
    // --no-install: never fetch a package that is not in node_modules.
    const bunRun = (entry: string, input: unknown) =>
      run(bunBinary(), ['run', '--no-install', `${ENTRIES}${entry}`], JSON.stringify(input), cache.path, {
        BUN_INSTALL_CACHE_DIR: cache.path,
        BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
        DO_NOT_TRACK: '1',
      });
    try {
      bun = JSON.parse(await bunRun('bun.mjs', suite)) as typeof bun;
      vectors = JSON.parse(await bunRun('bun-wycheproof.mjs', files)) as VectorResults;
    } finally {
      cache.remove();
    }
  });

  it('verifies on Node.js as the reference: every algorithm, synchronously through node:crypto', () => {
    expectNodeReference(node, ['pem', 'jwk', 'jwks', 'provider']);
  });

  it("verifies every algorithm but ES256K as Node.js does, synchronously through Bun's node:crypto, and refuses ES256K keys with ERR_ALG_UNSUPPORTED_BY_RUNTIME", () => {
    expect(bun.runtime).toMatch(/^bun 1\./);
    expectSameAsNode(bun, node, { sources: ['pem', 'jwk', 'jwks', 'provider'], unsupported: ['ES256K'], path: () => 'node:crypto' });
  });

  it("agrees with every Wycheproof vector (ECDSA P-256/384/521, Ed25519, RSA PKCS#1 v1.5 and PSS) through Bun's node:crypto", () => {
    expectEveryVector(vectors, files);
  });
});
