import { expect } from 'vitest';
import type { AlgorithmResults, KeySource, SignaturePath, SuiteResults } from './runner.js';
import { ALGORITHMS } from './suite.js';
import type { VectorFile, VectorResults } from './wycheproof-runner.js';

/** What every trusted key's tokens come to on Node.js (the reference every runtime is held to). */
export const NODE_TOKEN_OUTCOMES: Readonly<Record<string, string>> = {
  valid: 'ok',
  'valid (again)': 'ok',
  'valid (cached)': 'ok',
  tampered: 'ERR_JWS_SIGNATURE_INVALID',
  expired: 'ERR_JWT_EXPIRED',
  untrusted: 'ERR_KID_UNTRUSTED',
  otherKey: 'ERR_JWS_SIGNATURE_INVALID',
};

export const MESSAGE_OUTCOMES: Readonly<Record<string, string>> = { compact: 'ok', detached: 'ok', bytes: 'ok', tampered: 'ERR_JWS_SIGNATURE_INVALID', token: 'ERR_MESSAGE_TYPE_INVALID' };

function tokenTable(sources: readonly KeySource[]): Record<string, string> {
  return Object.fromEntries(sources.flatMap((source) => Object.entries(NODE_TOKEN_OUTCOMES).map(([name, outcome]) => [`${source}/${name}`, outcome])));
}

/** Node.js verifies every algorithm from every key source, synchronously (node:crypto). */
export function expectNodeReference(node: SuiteResults, sources: readonly KeySource[]): void {
  for (const alg of ALGORITHMS) {
    const results = node.algorithms[alg];
    expect(results?.construct, alg).toEqual(Object.fromEntries(sources.map((source) => [source, 'ok'])));
    expect(results?.tokens, alg).toEqual(tokenTable(sources));
    expect(results?.path, alg).toBe('node:crypto');
  }
  expect(node.message).toEqual(MESSAGE_OUTCOMES);
}

/** How a runtime is expected to do: which algorithms it cannot verify, and how it verifies each of the others. */
export interface RuntimeExpectation {
  readonly sources: readonly KeySource[];
  readonly unsupported: readonly string[];
  readonly path: (alg: string) => SignaturePath;
}

/**
 * The runtime's outcomes equal Node's for every algorithm it verifies, each checked the expected
 * way; an algorithm it cannot verify is refused when the verifier is created, with the typed error
 * (wrapped by kms-pubkey-provider as its configuration error).
 */
export function expectSameAsNode(runtime: SuiteResults, node: SuiteResults, expected: RuntimeExpectation): void {
  for (const alg of ALGORITHMS) {
    const results = runtime.algorithms[alg];
    if (expected.unsupported.includes(alg)) {
      const refused: AlgorithmResults = {
        construct: Object.fromEntries(expected.sources.map((source) => [source, source === 'provider' ? 'ERR_CONFIG_INVALID<-ERR_ALG_UNSUPPORTED_BY_RUNTIME' : 'ERR_ALG_UNSUPPORTED_BY_RUNTIME'])),
        tokens: {},
      };
      expect(results, alg).toEqual(refused);
      continue;
    }
    const reference = node.algorithms[alg];
    expect(results?.construct, alg).toEqual(Object.fromEntries(expected.sources.map((source) => [source, reference?.construct[source]])));
    expect(results?.tokens, alg).toEqual(Object.fromEntries(Object.entries(reference?.tokens ?? {}).filter(([name]) => expected.sources.some((source) => name.startsWith(`${source}/`)))));
    expect(results?.path, alg).toBe(expected.path(alg));
  }
  expect(runtime.message).toEqual(node.message);
}

/** Every vector of every file ran, and each came out as Wycheproof says ("acceptable" ones must not verify). */
export function expectEveryVector(results: VectorResults, files: readonly VectorFile[]): void {
  expect(Object.keys(results)).toEqual(files.map((file) => file.file));
  for (const file of files) {
    expect(results[file.file], file.file).toEqual({ count: file.groups.reduce((sum, group) => sum + group.tests.length, 0), disagreements: [] });
  }
}
