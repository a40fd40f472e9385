import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JwsAlgorithm } from '../src/algorithms.js';
import { SignatureInvalidError } from '../src/errors.js';
import { verifySignatureAsync, verifySignatureSync } from '#runtime';
import type { TrustedPublicKey } from '../src/public-key.js';
import * as web from '../src/runtime/web.js';
import { joseSignature } from '../src/signature.js';

/**
 * Project Wycheproof vectors (Apache-2.0, test/vectors/wycheproof/LICENSE) run through the
 * signature layer: `joseSignature` (the JWS encoding check, and the strict DER path of
 * `acceptDerSignatures`) followed by `verifySignatureSync` and `verifySignatureAsync`.
 *
 * "valid" vectors must verify and "invalid" ones must not, on both paths. "acceptable" vectors
 * are rejected: we assert that they do NOT verify. The only one in these files is tcId 8 of
 * rsa_signature_2048_sha256_test.json (flag MissingNull: a PKCS#1 v1.5 DigestInfo whose
 * AlgorithmIdentifier omits the NULL parameter), which OpenSSL — and so node:crypto — refuses;
 * no KMS key or JOSE library produces that encoding, so refusing it costs nothing.
 */

interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly msg: string;
  readonly sig: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}

interface WycheproofGroup {
  readonly publicKeyDer: string;
  readonly tests: readonly WycheproofTest[];
}

interface WycheproofFile {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly WycheproofGroup[];
}

/** The repository's test/vectors/wycheproof/, found upwards from here (Stryker runs this file from a sandbox copy of the package). */
function vectorsFolder(): URL {
  for (let up = '../'; up.length < 40; up += '../') {
    const candidate = new URL(`${up}test/vectors/wycheproof/`, import.meta.url);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('test/vectors/wycheproof/ not found above this test file');
}

const VECTORS = vectorsFolder();

function load(file: string): WycheproofFile {
  return JSON.parse(readFileSync(new URL(file, VECTORS), 'utf8')) as WycheproofFile;
}

/** What the signature layer made of one vector. */
interface Outcome {
  readonly tcId: number;
  readonly result: WycheproofTest['result'];
  /** `joseSignature` refused the encoding (always with a SignatureInvalidError). */
  readonly refused: boolean;
  readonly sync: boolean;
  readonly async: boolean;
}

/** How one runtime module parses a key and checks signatures. */
interface SignatureLayer {
  key(der: Buffer): TrustedPublicKey;
  verifySync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
  verifyAsync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** The Node.js runtime module: node:crypto KeyObjects, verified on the calling thread and on the threadpool. */
const NODE: SignatureLayer = {
  key: (der): KeyObject => createPublicKey({ key: der, format: 'der', type: 'spki' }),
  verifySync: (alg, key, data, signature) => {
    const valid = verifySignatureSync(alg, key, data, signature);
    // node:crypto answers on the calling thread.
    if (typeof valid !== 'boolean') throw new Error('verifySignatureSync returned a promise on Node.js');
    return Promise.resolve(valid);
  },
  verifyAsync: verifySignatureAsync,
};

/** The Web Crypto build's runtime module (what workerd runs), on Node.js's Web Crypto: keys parsed from the SPKI without node:crypto. */
const WEB: SignatureLayer = {
  key: (der) => web.publicKeyFromPem(`-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`),
  verifySync: web.verifySignatureSync,
  verifyAsync: web.verifySignatureAsync,
};

async function run(file: string, alg: JwsAlgorithm, acceptDer: boolean, layer: SignatureLayer = NODE): Promise<{ data: WycheproofFile; outcomes: Outcome[] }> {
  const data = load(file);
  const outcomes: Outcome[] = [];
  for (const group of data.testGroups) {
    // One key object per group, as the verifier holds one per trusted key.
    const key = layer.key(Buffer.from(group.publicKeyDer, 'hex'));
    for (const test of group.tests) {
      const message = Buffer.from(test.msg, 'hex');
      let signature: Uint8Array;
      try {
        signature = joseSignature(alg, Buffer.from(test.sig, 'hex'), acceptDer, key);
      } catch (error) {
        expect(error).toBeInstanceOf(SignatureInvalidError);
        expect((error as SignatureInvalidError).code).toBe('ERR_JWS_SIGNATURE_INVALID');
        outcomes.push({ tcId: test.tcId, result: test.result, refused: true, sync: false, async: false });
        continue;
      }
      const sync = await layer.verifySync(alg, key, message, signature);
      const async = await layer.verifyAsync(alg, key, message, signature);
      outcomes.push({ tcId: test.tcId, result: test.result, refused: false, sync, async });
    }
  }
  return { data, outcomes };
}

/** tcIds whose outcome disagrees with `result` ("acceptable" counts as must-not-verify). */
function disagreements(outcomes: readonly Outcome[]): number[] {
  return outcomes.filter((o) => (o.result === 'valid') !== (o.sync && o.async) || o.sync !== o.async).map((o) => o.tcId);
}

const P1363_FILES = [
  ['ecdsa_secp256r1_sha256_p1363_test.json', 'ES256'],
  ['ecdsa_secp384r1_sha384_p1363_test.json', 'ES384'],
  ['ecdsa_secp521r1_sha512_p1363_test.json', 'ES512'],
] as const;

describe('Wycheproof: the signature layer agrees with every vector', () => {
  for (const [file, alg] of P1363_FILES) {
    it(`${alg} (IEEE P1363 R‖S): ${file}`, async () => {
      const { data, outcomes } = await run(file, alg, false);
      expect(data.algorithm).toBe('ECDSA');
      expect(outcomes).toHaveLength(data.numberOfTests);
      expect(disagreements(outcomes)).toEqual([]);
      // Every valid vector has the curve's exact R‖S width; wrong widths are refused before node:crypto.
      expect(outcomes.filter((o) => o.result === 'valid' && o.refused)).toEqual([]);
      expect(outcomes.some((o) => o.refused)).toBe(true);
    });
  }

  it('ES256 with acceptDerSignatures (strict DER): ecdsa_secp256r1_sha256_test.json', async () => {
    const { data, outcomes } = await run('ecdsa_secp256r1_sha256_test.json', 'ES256', true);
    expect(data.algorithm).toBe('ECDSA');
    expect(outcomes).toHaveLength(data.numberOfTests);
    // Valid vectors convert to R‖S and verify; invalid encodings are refused or fail verification.
    expect(disagreements(outcomes)).toEqual([]);
    expect(outcomes.filter((o) => o.result === 'valid' && o.refused)).toEqual([]);
    // The BER/non-minimal/trailing-garbage vectors are refused by the DER parser itself.
    expect(outcomes.filter((o) => o.refused).length).toBeGreaterThan(100);
  });

  it('ES256 DER vectors are all refused without acceptDerSignatures', async () => {
    const { data, outcomes } = await run('ecdsa_secp256r1_sha256_test.json', 'ES256', false);
    expect(outcomes).toHaveLength(data.numberOfTests);
    expect(outcomes.filter((o) => o.result === 'valid' && (o.sync || o.async))).toEqual([]);
  });

  it('EdDSA (Ed25519): ed25519_test.json', async () => {
    const { data, outcomes } = await run('ed25519_test.json', 'EdDSA', false);
    expect(data.algorithm).toBe('EDDSA');
    expect(outcomes).toHaveLength(data.numberOfTests);
    expect(disagreements(outcomes)).toEqual([]);
  });

  it('RS256 (RSASSA-PKCS1-v1_5, SHA-256): rsa_signature_2048_sha256_test.json', async () => {
    const { data, outcomes } = await run('rsa_signature_2048_sha256_test.json', 'RS256', false);
    expect(data.algorithm).toBe('RSASSA-PKCS1-v1_5');
    expect(outcomes).toHaveLength(data.numberOfTests);
    expect(disagreements(outcomes)).toEqual([]);
    // The acceptable vectors (MissingNull) are rejected, on both paths.
    const acceptable = outcomes.filter((o) => o.result === 'acceptable');
    expect(acceptable.map((o) => o.tcId)).toEqual([8]);
    expect(acceptable.every((o) => !o.sync && !o.async)).toBe(true);
  });

  it('PS256 (RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt): rsa_pss_2048_sha256_mgf1_32_test.json', async () => {
    const { data, outcomes } = await run('rsa_pss_2048_sha256_mgf1_32_test.json', 'PS256', false);
    expect(data.algorithm).toBe('RSASSA-PSS');
    expect(outcomes).toHaveLength(data.numberOfTests);
    expect(disagreements(outcomes)).toEqual([]);
  });
});

describe('Wycheproof through Web Crypto: the Web Crypto build (keys parsed without node:crypto) agrees with every vector', () => {
  for (const [file, alg] of P1363_FILES) {
    it(`${alg} (IEEE P1363 R‖S): ${file}`, async () => {
      const { data, outcomes } = await run(file, alg, false, WEB);
      expect(outcomes).toHaveLength(data.numberOfTests);
      expect(disagreements(outcomes)).toEqual([]);
    });
  }

  it('ES256 with acceptDerSignatures (strict DER): ecdsa_secp256r1_sha256_test.json', async () => {
    const { data, outcomes } = await run('ecdsa_secp256r1_sha256_test.json', 'ES256', true, WEB);
    expect(outcomes).toHaveLength(data.numberOfTests);
    expect(disagreements(outcomes)).toEqual([]);
  });

  it.each([
    ['ed25519_test.json', 'EdDSA'],
    ['rsa_signature_2048_sha256_test.json', 'RS256'],
    ['rsa_pss_2048_sha256_mgf1_32_test.json', 'PS256'],
  ] as const)('%s (%s)', async (file, alg) => {
    const { data, outcomes } = await run(file, alg, false, WEB);
    expect(outcomes).toHaveLength(data.numberOfTests);
    expect(disagreements(outcomes)).toEqual([]);
  });
});
