import { constants, verify as nodeVerify } from 'node:crypto';
import type { KeySpec } from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKmsJwtSigner, type JwsAlgorithm } from '../src/index.js';
import { createKey, decodeToken, useKmsLocal, type TestKey } from './support.js';

// Each JWS algorithm a KMS key makes, signed through kms-local with selfVerify inside the test (the
// KMS signing algorithm, the digest of a long signing input, the padding selfVerify checks with,
// the signature's shape), and checked apart with node:crypto.

const CASES: ReadonlyArray<readonly [JwsAlgorithm, KeySpec, number]> = [
  ['ES256', 'ECC_NIST_P256', 64],
  ['ES256K', 'ECC_SECG_P256K1', 64],
  ['ES384', 'ECC_NIST_P384', 96],
  ['ES512', 'ECC_NIST_P521', 132],
  ['RS256', 'RSA_2048', 256],
  ['RS384', 'RSA_3072', 384],
  ['RS512', 'RSA_4096', 512],
  ['PS256', 'RSA_2048', 256],
  ['PS384', 'RSA_3072', 384],
  ['PS512', 'RSA_4096', 512],
  ['EdDSA', 'ECC_NIST_EDWARDS25519', 64],
];

/** Whether node:crypto verifies `token`'s signature with `key` as `alg` says. */
function verifies(alg: JwsAlgorithm, key: TestKey, token: string): boolean {
  const { signingInput, signature } = decodeToken(token);
  const input = Buffer.from(signingInput);
  if (alg === 'EdDSA') return nodeVerify(null, input, key.publicKey, signature);
  const hash = `sha${alg.slice(2)}`.replace('K', '');
  if (alg.startsWith('ES')) return nodeVerify(hash, input, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  const padding = alg.startsWith('PS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : { padding: constants.RSA_PKCS1_PADDING };
  return nodeVerify(hash, input, { key: key.publicKey, ...padding }, signature);
}

describe('kms-jwt-signer: every algorithm, with selfVerify', () => {
  const env = useKmsLocal();
  const keys = new Map<KeySpec, TestKey>();

  beforeAll(async () => {
    for (const [, spec] of CASES) if (!keys.has(spec)) keys.set(spec, await createKey(env().client, spec));
  });

  function keyOf(spec: KeySpec): TestKey {
    const key = keys.get(spec);
    if (key === undefined) throw new Error(`no key for ${spec}`);
    return key;
  }

  it.each(CASES)('signs %s with a %s key, a short signing input and (but EdDSA) one KMS signs as a digest', async (alg, spec, signatureBytes) => {
    const key = keyOf(spec);
    const signer = createKmsJwtSigner({ keyId: key.arn, algorithm: alg, client: env().client, expiresInSeconds: 300, selfVerify: true });
    const inputs = alg === 'EdDSA' ? [{ sub: 'user-1' }] : [{ sub: 'user-1' }, { sub: 'user-1', padding: 'p'.repeat(5000) }];
    for (const claims of inputs) {
      const token = await signer.sign(claims);
      const { header, signature } = decodeToken(token);
      expect(header).toMatchObject({ alg, kid: key.arn });
      expect(signature).toHaveLength(signatureBytes);
      expect(verifies(alg, key, token)).toBe(true);
    }
  });
});
