import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRIES } from './support/binaries.js';
import { bundleWorker, type Bundle } from './support/bundle.js';
import { expectEveryVector, expectNodeReference, expectSameAsNode } from './support/expectations.js';
import { startWorker } from './support/miniflare.js';
import { runSuite, type RuntimeSuite, type SuiteResults } from './support/runner.js';
import { AUDIENCE, buildSuite, ISSUER } from './support/suite.js';
import { loadVectors } from './support/wycheproof.js';
import { runVectors, type VectorResults } from './support/wycheproof-runner.js';
import * as nodeRuntime from '../../packages/verifier/dist/runtime/node.js';

/**
 * workerd (through miniflare) runs the verifier bundled as a Workers build bundles it (rolldown,
 * the workerd condition): without nodejs_compat, so no node:crypto and no Buffer at all, and with
 * it for kms-pubkey-provider's offline keys; and a Hono app with kms-jwt-hono answers real HTTP
 * requests on 127.0.0.1.
 */

/** The path of a module of the bundle inside kms-jwt-verifier's dist/ (`web/index.js`), else undefined. */
const verifierDistPath = (id: string): string | undefined => /packages\/verifier\/dist\/(.+)$/.exec(id.replaceAll('\\', '/'))?.[1];
/** An import of a Node.js built-in module, in the bundle's code. */
const NODE_IMPORT = /\b(?:from|import)\s*\(?\s*["'](?:node:)?(?:crypto|buffer|fs|process)["']/;

async function post(url: URL, suite: RuntimeSuite): Promise<SuiteResults & { runtime: string }> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(suite), headers: { 'content-type': 'application/json' } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the worker answered ${response.status}: ${text}`);
  return JSON.parse(text) as SuiteResults & { runtime: string };
}

let suite: RuntimeSuite;
let node: SuiteResults;

beforeAll(async () => {
  suite = await buildSuite();
  node = await runSuite(suite, (jwks) => createKmsKeyProvider({ offlineKeys: [{ key: jwks }] }));
});

describe('workerd without nodejs_compat: kms-jwt-verifier', () => {
  let bundle: Bundle;
  let results: SuiteResults & { runtime: string };

  beforeAll(async () => {
    bundle = await bundleWorker(`${ENTRIES}worker.mjs`);
    const worker = await startWorker(bundle);
    try {
      results = await post(worker.url, suite);
    } finally {
      await worker.miniflare.dispose();
    }
  });

  it('verifies on Node.js as the reference: every algorithm, synchronously through node:crypto', () => {
    expectNodeReference(node, ['pem', 'jwk', 'jwks', 'provider']);
  });

  it('bundles the Web Crypto build (web/index.js, with runtime/web.ts built in) and nothing that needs Node.js', () => {
    const paths = bundle.modules.map(verifierDistPath).filter((path) => path !== undefined);
    expect(paths).toContain('web/index.js');
    // Not the Node.js build (index.js, http/index.js), Deno's, nor a runtime module of `#runtime`.
    expect(paths.filter((path) => !path.startsWith('web/'))).toEqual([]);
    expect(bundle.code).not.toMatch(NODE_IMPORT);
    expect(bundle.code).not.toMatch(/\bBuffer\./);
  });

  it('verifies every algorithm but ES256K as Node.js does, through Web Crypto, and refuses ES256K keys with ERR_ALG_UNSUPPORTED_BY_RUNTIME', () => {
    expect(results.runtime).toMatch(/^workerd \(Cloudflare-Workers\)$/);
    expectSameAsNode(results, node, { sources: ['pem', 'jwk', 'jwks'], unsupported: ['ES256K'], path: () => 'web-crypto' });
  });
});

describe('workerd without nodejs_compat: Wycheproof vectors through Web Crypto', () => {
  const files = loadVectors();
  let vectors: VectorResults;

  beforeAll(async () => {
    const worker = await startWorker(await bundleWorker(`${ENTRIES}worker-wycheproof.mjs`));
    try {
      const response = await fetch(worker.url, { method: 'POST', body: JSON.stringify(files) });
      vectors = (await response.json()) as VectorResults;
    } finally {
      await worker.miniflare.dispose();
    }
  });

  it('agrees on Node.js with every vector (the reference)', async () => {
    expectEveryVector(await runVectors(files, nodeRuntime), files);
  });

  it("agrees with every vector (ECDSA P-256/384/521, Ed25519, RSA PKCS#1 v1.5 and PSS) through workerd's Web Crypto", () => {
    expectEveryVector(vectors, files);
  });
});

describe('workerd with nodejs_compat: kms-pubkey-provider offline keys', () => {
  let results: SuiteResults & { runtime: string };

  beforeAll(async () => {
    // The provider's KMS source loads the AWS SDK only when used: offline keys never do.
    const bundle = await bundleWorker(`${ENTRIES}worker-provider.mjs`, { external: [/^node:/, '@aws-sdk/client-kms'] });
    const worker = await startWorker(bundle, { nodejsCompat: true });
    try {
      results = await post(worker.url, suite);
    } finally {
      await worker.miniflare.dispose();
    }
  });

  it('verifies every algorithm but ES256K as Node.js does, the provider included, and refuses ES256K keys', () => {
    expect(results.runtime).toMatch(/^workerd with nodejs_compat/);
    expectSameAsNode(results, node, { sources: ['pem', 'jwk', 'jwks', 'provider'], unsupported: ['ES256K'], path: () => 'web-crypto' });
  });
});

describe('workerd without nodejs_compat: a Hono app with kms-jwt-hono over real HTTP', () => {
  let url: URL;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const bundle = await bundleWorker(`${ENTRIES}hono-worker.mjs`);
    expect(bundle.code).not.toMatch(NODE_IMPORT);
    // Every trusted key but secp256k1's, which the Web Crypto build refuses.
    const jwks = { keys: suite.keys.filter((key) => key.alg !== 'ES256K' && !['RS384', 'RS512', 'PS256', 'PS384', 'PS512'].includes(key.alg)).map((key) => ({ ...key.jwk, kid: key.kid })) };
    const worker = await startWorker(bundle, { bindings: { TRUSTED_JWKS: JSON.stringify(jwks), ISSUER, AUDIENCE } });
    url = worker.url;
    stop = () => worker.miniflare.dispose();
  });

  afterAll(async () => {
    await stop();
  });

  const get = (path: string, token?: string) => fetch(new URL(path, url), { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'])('answers 200 with the claims of a valid %s token', async (alg) => {
    const response = await get('/orders/me', suite.tokens[alg]?.valid);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'user-1', scope: 'orders:read' });
  });

  it('answers 401 with an RFC 6750 challenge to a tampered token, an expired one and one from an untrusted key', async () => {
    for (const [token, description] of [
      [suite.tokens['ES256']?.tampered, 'the access token signature is invalid'],
      [suite.tokens['RS256']?.otherKey, 'the access token signature is invalid'],
      [suite.tokens['EdDSA']?.expired, 'the access token expired (exp)'],
      [suite.tokens['ES384']?.untrusted, 'the access token was not signed by a trusted key'],
    ] as const) {
      const response = await get('/orders/me', token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="orders", error="invalid_token", error_description="${description}"`);
      expect(await response.json()).toEqual({ error: 'invalid_token', error_description: description });
    }
  });

  it('answers 401 with a bare challenge without credentials, and 403 insufficient_scope for a missing scope', async () => {
    const anonymous = await get('/orders/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
    const forbidden = await get('/orders/admin', suite.tokens['ES256']?.valid);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toMatch(/^Bearer realm="orders", error="insufficient_scope"/);
  });
});
