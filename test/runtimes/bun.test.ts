import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { beforeAll, describe, expect, it } from 'vitest';
import { bunBinary, ENTRIES, run, scratchDirectory } from './support/binaries.js';
import { expectNodeReference, expectSameAsNode } from './support/expectations.js';
import { runSuite, type RuntimeSuite, type SuiteResults } from './support/runner.js';
import { buildSuite } from './support/suite.js';

/**
 * Bun (the `bun` npm package's binary) runs the verifier and kms-pubkey-provider's offline keys
 * from node_modules, resolving the packages' conditions itself, on real KMS-signed tokens.
 */
describe('Bun', () => {
  let suite: RuntimeSuite;
  let node: SuiteResults;
  let bun: SuiteResults & { runtime: string };

  beforeAll(async () => {
    suite = await buildSuite();
    node = await runSuite(suite, (jwks) => createKmsKeyProvider({ offlineKeys: [{ key: jwks }] }));
    const cache = scratchDirectory('kms-jwt-bun-');
    try {
      // --no-install: never fetch a package that is not in node_modules.
      const stdout = await run(bunBinary(), ['run', '--no-install', `${ENTRIES}bun.mjs`], JSON.stringify(suite), cache.path, {
        BUN_INSTALL_CACHE_DIR: cache.path,
        BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
        DO_NOT_TRACK: '1',
      });
      bun = JSON.parse(stdout) as typeof bun;
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
});
