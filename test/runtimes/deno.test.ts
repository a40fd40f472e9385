import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { beforeAll, describe, expect, it } from 'vitest';
import { denoBinary, ENTRIES, run, scratchDirectory } from './support/binaries.js';
import { expectEveryVector, expectNodeReference, expectSameAsNode } from './support/expectations.js';
import { runSuite, type RuntimeSuite, type SuiteResults } from './support/runner.js';
import { buildSuite } from './support/suite.js';
import { loadVectors } from './support/wycheproof.js';
import type { VectorResults } from './support/wycheproof-runner.js';

/**
 * Deno (the `deno` npm package's binary) runs the verifier and kms-pubkey-provider's offline keys
 * from node_modules, resolving the packages' conditions itself, on real KMS-signed tokens.
 */
describe('Deno', () => {
  let suite: RuntimeSuite;
  let node: SuiteResults;
  let deno: SuiteResults & { runtime: string };
  let vectors: VectorResults;
  const files = loadVectors();

  beforeAll(async () => {
    suite = await buildSuite();
    node = await runSuite(suite, (jwks) => createKmsKeyProvider({ offlineKeys: [{ key: jwks }] }));
    const cache = scratchDirectory('kms-jwt-deno-');
    const denoRun = (entry: string, input: unknown) =>
      run(denoBinary(), ['run', '--quiet', '--no-lock', '--node-modules-dir=manual', '--no-prompt', `--allow-read=${ENTRIES},${process.cwd()}`, `${ENTRIES}${entry}`], JSON.stringify(input), cache.path, {
        DENO_DIR: cache.path,
        DENO_NO_UPDATE_CHECK: '1',
      });
    try {
      deno = JSON.parse(await denoRun('deno.mjs', suite)) as typeof deno;
      vectors = JSON.parse(await denoRun('deno-wycheproof.mjs', files)) as VectorResults;
    } finally {
      cache.remove();
    }
  });

  it('verifies on Node.js as the reference: every algorithm, synchronously through node:crypto', () => {
    expectNodeReference(node, ['pem', 'jwk', 'jwks', 'provider']);
  });

  it('verifies every algorithm as Node.js does: ECDSA P-256/384/521 through Web Crypto, RSA, Ed25519 and secp256k1 through node:crypto', () => {
    expect(deno.runtime).toMatch(/^deno 2\./);
    expectSameAsNode(deno, node, {
      sources: ['pem', 'jwk', 'jwks', 'provider'],
      unsupported: [],
      path: (alg) => (alg === 'ES256' || alg === 'ES384' || alg === 'ES512' ? 'web-crypto' : 'node:crypto'),
    });
  });

  it("agrees with every Wycheproof vector (ECDSA P-256/384/521, Ed25519, RSA PKCS#1 v1.5 and PSS) through Deno's runtime module", () => {
    expectEveryVector(vectors, files);
  });
});
