import { readFileSync } from 'node:fs';
import type { VectorFile } from './wycheproof-runner.js';

const VECTORS = new URL('../../vectors/wycheproof/', import.meta.url);

/** The Wycheproof files whose signatures are in JWS form (ECDSA as IEEE P1363 R‖S), with their JWS algorithm. */
export const VECTOR_FILES = [
  ['ecdsa_secp256r1_sha256_p1363_test.json', 'ES256', 64],
  ['ecdsa_secp384r1_sha384_p1363_test.json', 'ES384', 96],
  ['ecdsa_secp521r1_sha512_p1363_test.json', 'ES512', 132],
  ['ed25519_test.json', 'EdDSA', undefined],
  ['rsa_signature_2048_sha256_test.json', 'RS256', undefined],
  ['rsa_pss_2048_sha256_mgf1_32_test.json', 'PS256', undefined],
] as const;

interface WycheproofFile {
  readonly testGroups: readonly { readonly publicKeyDer: string; readonly tests: readonly { tcId: number; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable' }[] }[];
}

/** The vector files, each group's key as an SPKI PEM. */
export function loadVectors(): VectorFile[] {
  return VECTOR_FILES.map(([file, alg, signatureBytes]) => {
    const data = JSON.parse(readFileSync(new URL(file, VECTORS), 'utf8')) as WycheproofFile;
    const groups = data.testGroups.map((group) => ({
      pem: `-----BEGIN PUBLIC KEY-----\n${Buffer.from(group.publicKeyDer, 'hex').toString('base64')}\n-----END PUBLIC KEY-----\n`,
      tests: group.tests.map(({ tcId, msg, sig, result }) => ({ tcId, msg, sig, result })),
    }));
    return signatureBytes === undefined ? { file, alg, groups } : { file, alg, signatureBytes, groups };
  });
}
