import { verify as nodeVerify } from 'node:crypto';
import { KMSClient, type KeySpec } from '@aws-sdk/client-kms';
import { createVerifier, derToJose } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsJwtSigner, MAX_RAW_MESSAGE_BYTES, type JwsAlgorithm } from '../src/index.js';
import { startKmsProxy, type KmsProxy } from './kms-proxy.js';
import { createKey, decodeToken, useKmsLocal } from './support.js';

/**
 * KMS does not normalise ECDSA signatures: about half of what Sign returns has s > n/2. The signer
 * turns those into (r, n − s), so that each token has the one signature a `rejectHighS` verifier
 * accepts. The proxy records what kms-local answered, so the test also shows that it did return
 * high-S signatures, and that each token carries KMS's r with KMS's s or n − s.
 */

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';
/** Tokens per curve whose signing input goes to KMS as a message, and as a digest (over 4096 bytes). */
const RAW_TOKENS = 120;
const DIGEST_TOKENS = 16;

/** Group orders, from SEC 2 / FIPS 186-4. */
const CASES: ReadonlyArray<{ readonly alg: JwsAlgorithm; readonly spec: KeySpec; readonly size: number; readonly hash: string; readonly n: bigint }> = [
  { alg: 'ES256', spec: 'ECC_NIST_P256', size: 32, hash: 'sha256', n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n },
  { alg: 'ES256K', spec: 'ECC_SECG_P256K1', size: 32, hash: 'sha256', n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n },
  { alg: 'ES384', spec: 'ECC_NIST_P384', size: 48, hash: 'sha384', n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n },
  {
    alg: 'ES512',
    spec: 'ECC_NIST_P521',
    size: 66,
    hash: 'sha512',
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
];

const integer = (bytes: Buffer): bigint => BigInt(`0x${bytes.toString('hex')}`);

describe('canonical (low-S) ECDSA signatures', () => {
  const env = useKmsLocal();
  let proxy: KmsProxy;
  let proxyClient: KMSClient;
  /** Every signature kms-local answered Sign with (DER), by the key ARN that made it. */
  const answered = new Map<string, Buffer[]>();

  beforeAll(async () => {
    proxy = await startKmsProxy(env().kms);
    proxy.rules = {
      rewrite: (operation, answer) => {
        const { KeyId: keyId, Signature: signature } = answer;
        if (operation === 'Sign' && typeof keyId === 'string' && typeof signature === 'string') {
          answered.set(keyId, [...(answered.get(keyId) ?? []), Buffer.from(signature, 'base64')]);
        }
        return answer;
      },
    };
    proxyClient = new KMSClient({ ...proxy.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    proxyClient.destroy();
    await proxy.close();
  });

  for (const { alg, spec, size, hash, n } of CASES) {
    it(`emits only signatures with s ≤ n/2 for ${alg}, though KMS returns high-S ones, and they verify with node:crypto and kms-jwt-verifier (rejectHighS)`, async () => {
      const key = await createKey(env().client, spec);
      const signer = createKmsJwtSigner({ keyId: key.arn, client: proxyClient, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE, selfVerify: true });
      const large = 'x'.repeat(MAX_RAW_MESSAGE_BYTES);
      const tokens = await Promise.all([
        ...Array.from({ length: RAW_TOKENS }, (_, i) => signer.sign({ sub: `user-${i}` })),
        ...Array.from({ length: DIGEST_TOKENS }, (_, i) => signer.sign({ sub: `user-${i}`, large })),
      ]);
      const verifier = createVerifier({ keys: [{ kid: key.arn, key: key.publicKey }], issuer: ISSUER, audience: AUDIENCE, rejectHighS: true, cache: false, maxTokenBytes: 16_384 });

      // What KMS answered: strict DER whose s is above n/2 about half the time.
      const fromKms = (answered.get(key.arn) ?? []).map((der) => derToJose(der, size) ?? Buffer.alloc(0));
      expect(fromKms).toHaveLength(RAW_TOKENS + DIGEST_TOKENS);
      expect(fromKms.every((rs) => rs.length === 2 * size)).toBe(true);
      const sFromKms = new Map(fromKms.map((rs) => [rs.toString('hex', 0, size), integer(rs.subarray(size))]));
      const highFromKms = [...sFromKms.values()].filter((s) => s > n / 2n).length;
      expect(highFromKms).toBeGreaterThan(0);
      expect(highFromKms).toBeLessThan(RAW_TOKENS + DIGEST_TOKENS);

      for (const token of tokens) {
        const { header, signingInput, signature } = decodeToken(token);
        expect(header['alg']).toBe(alg);
        expect(signature).toHaveLength(2 * size);
        const s = integer(signature.subarray(size));
        expect(s > 0n && s <= n / 2n).toBe(true);
        // KMS's r, with KMS's s when it was low and n − s when it was high.
        const kmsS = sFromKms.get(signature.toString('hex', 0, size));
        expect(kmsS).toBeDefined();
        expect(s).toBe(kmsS !== undefined && kmsS > n / 2n ? n - kmsS : kmsS);
        expect(nodeVerify(hash, Buffer.from(signingInput), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
        await expect(verifier.verify(token)).resolves.toMatchObject({ key: key.arn, header: { alg } });
      }
    });
  }
});
