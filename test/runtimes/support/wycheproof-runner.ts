/**
 * Project Wycheproof vectors (Apache-2.0, test/vectors/wycheproof/LICENSE) through a runtime module
 * of kms-jwt-verifier, in whichever runtime loads this: the key parsed by the module, the signature
 * checked by its `verifySignatureSync` (after the JWS width check the verifier makes first).
 */

export interface VectorTest {
  readonly tcId: number;
  readonly msg: string;
  readonly sig: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}

export interface VectorFile {
  readonly file: string;
  readonly alg: string;
  /** ECDSA: bytes of R‖S; a signature of another length is refused before any crypto, as the verifier does. */
  readonly signatureBytes?: number;
  readonly groups: readonly { readonly pem: string; readonly tests: readonly VectorTest[] }[];
}

/** The part of a runtime module (runtime/contract.ts) that the vectors exercise. */
export interface SignatureModule {
  publicKeyFromPem(pem: string): unknown;
  verifySignatureSync(alg: string, key: unknown, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

export interface VectorResults {
  /** Per file: how many vectors ran, and the tcIds whose outcome is not the expected one ("acceptable" must not verify). */
  readonly [file: string]: { readonly count: number; readonly disagreements: readonly number[] };
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let index = 0; index < out.length; index += 1) out[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return out;
}

export async function runVectors(files: readonly VectorFile[], runtime: SignatureModule): Promise<VectorResults> {
  const results: Record<string, { count: number; disagreements: number[] }> = {};
  for (const file of files) {
    const outcome = { count: 0, disagreements: [] as number[] };
    for (const group of file.groups) {
      const key = runtime.publicKeyFromPem(group.pem);
      for (const test of group.tests) {
        outcome.count += 1;
        const signature = hexBytes(test.sig);
        let verified = false;
        if (file.signatureBytes === undefined || signature.length === file.signatureBytes) verified = await runtime.verifySignatureSync(file.alg, key, hexBytes(test.msg), signature);
        if (verified !== (test.result === 'valid')) outcome.disagreements.push(test.tcId);
      }
    }
    results[file.file] = outcome;
  }
  return results;
}
