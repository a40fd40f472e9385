import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isHighS } from '../src/ecdsa-low-s.js';
import { createVerifier, SignatureHighSError, SignatureInvalidError, toLowS, type JwsAlgorithm, type VerifierOptions } from '../src/index.js';
import { AUDIENCE, b64, claims, expectRejection, ISSUER, keyPairFor, KID, NOW, signToken } from './support/tokens.js';

/**
 * ECDSA malleability: `(r, s)` and `(r, n − s)` both verify. The verifier accepts both by default
 * (other issuers emit high-S signatures half the time) and refuses the high-S one with `rejectHighS`.
 * The group orders below are written out again from SEC 2 / FIPS 186-4 rather than imported: a twin
 * made with a wrong order would not verify with node:crypto, which the tests check.
 */

type EcdsaAlgorithm = 'ES256' | 'ES256K' | 'ES384' | 'ES512';

const CURVES: Readonly<Record<EcdsaAlgorithm, { readonly n: bigint; readonly size: number; readonly hash: string }>> = {
  ES256: { n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, size: 32, hash: 'sha256' },
  ES256K: { n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n, size: 32, hash: 'sha256' },
  ES384: { n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n, size: 48, hash: 'sha384' },
  ES512: {
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    size: 66,
    hash: 'sha512',
  },
};
const ALGORITHMS = Object.keys(CURVES) as EcdsaAlgorithm[];

const toBytes = (value: bigint, size: number): Buffer => Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex');
const sOf = (alg: EcdsaAlgorithm, rs: Buffer): bigint => BigInt(`0x${rs.toString('hex', CURVES[alg].size)}`);
const signatureOf = (token: string): Buffer => Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
const withSignature = (token: string, signature: Buffer): string => `${token.slice(0, token.lastIndexOf('.'))}.${b64(signature)}`;

/** The other valid form of an R‖S signature: `(r, n − s)`. */
function twin(alg: EcdsaAlgorithm, rs: Buffer): Buffer {
  const { n, size } = CURVES[alg];
  return Buffer.concat([rs.subarray(0, size), toBytes(n - sOf(alg, rs), size)]);
}

/** Strict DER `SEQUENCE { INTEGER r, INTEGER s }` of an R‖S signature (long-form length for P-521). */
function toDer(rs: Buffer): Buffer {
  const integer = (bytes: Buffer): Buffer => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    const trimmed = bytes.subarray(start);
    const body = ((trimmed[0] ?? 0) & 0x80) !== 0 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed;
    return Buffer.concat([Buffer.of(0x02, body.length), body]);
  };
  const half = rs.length / 2;
  const content = Buffer.concat([integer(rs.subarray(0, half)), integer(rs.subarray(half))]);
  return Buffer.concat([content.length < 0x80 ? Buffer.of(0x30, content.length) : Buffer.of(0x30, 0x81, content.length), content]);
}

/** A token of `alg` in both of its valid forms, told apart by s. */
function bothForms(alg: EcdsaAlgorithm): { readonly low: string; readonly high: string; readonly publicKey: ReturnType<typeof keyPairFor>['publicKey'] } {
  const { privateKey, publicKey } = keyPairFor(alg);
  const token = signToken(alg, privateKey, claims(), { alg, typ: 'JWT', kid: KID });
  const other = withSignature(token, twin(alg, signatureOf(token)));
  const tokenIsHigh = sOf(alg, signatureOf(token)) > CURVES[alg].n / 2n;
  return { low: tokenIsHigh ? other : token, high: tokenIsHigh ? token : other, publicKey };
}

function verifierFor(publicKey: ReturnType<typeof keyPairFor>['publicKey'], options: Partial<VerifierOptions> = {}) {
  return createVerifier({ keys: [{ kid: KID, key: publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000, cache: false, ...options });
}

describe('ECDSA high-S signatures', () => {
  for (const mode of ['sync', 'threadpool'] as const) {
    for (const alg of ALGORITHMS) {
      it(`verifies a ${alg} token whose signature is transformed to (r, n − s) by default, and refuses the high-S form with rejectHighS (${mode})`, async () => {
        const { low, high, publicKey } = bothForms(alg);
        const { size, hash, n } = CURVES[alg];
        // Both forms are valid signatures of the same signing input.
        for (const form of [low, high]) {
          expect(verify(hash, Buffer.from(form.slice(0, form.lastIndexOf('.'))), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signatureOf(form))).toBe(true);
        }
        expect(sOf(alg, signatureOf(low)) <= n / 2n).toBe(true);
        expect(signatureOf(low).subarray(0, size).equals(signatureOf(high).subarray(0, size))).toBe(true);

        const lenient = verifierFor(publicKey, { signatureVerification: mode });
        const fromLow = await lenient.verify(low);
        await expect(lenient.verify(high)).resolves.toEqual(fromLow);

        const strict = verifierFor(publicKey, { signatureVerification: mode, rejectHighS: true });
        await expect(strict.verify(low)).resolves.toEqual(fromLow);
        const error = await expectRejection(strict.verify(high), SignatureHighSError, 'ERR_JWS_SIGNATURE_HIGH_S', high);
        expect(error).toMatchObject({ status: 401, family: 'token' });
        expect(error.message).toContain('rejectHighS');
      });
    }
  }

  for (const alg of ALGORITHMS) {
    it(`applies rejectHighS to ${alg} signatures accepted in DER form (acceptDerSignatures)`, async () => {
      const { low, high, publicKey } = bothForms(alg);
      const lowDer = withSignature(low, toDer(signatureOf(low)));
      const highDer = withSignature(high, toDer(signatureOf(high)));
      const legacy = verifierFor(publicKey, { acceptDerSignatures: true });
      await expect(legacy.verify(highDer)).resolves.toMatchObject({ key: KID });
      const strict = verifierFor(publicKey, { acceptDerSignatures: true, rejectHighS: true });
      await expect(strict.verify(lowDer)).resolves.toMatchObject({ key: KID });
      await expectRejection(strict.verify(highDer), SignatureHighSError, 'ERR_JWS_SIGNATURE_HIGH_S', highDer);
    });
  }

  it('leaves a high-S signature that does not verify ERR_JWS_SIGNATURE_INVALID with rejectHighS', async () => {
    const { high, publicKey } = bothForms('ES256');
    const other = bothForms('ES256');
    // A high-S signature of another key over another input: high, and invalid here.
    const forged = withSignature(high, signatureOf(other.high));
    await expectRejection(verifierFor(publicKey, { rejectHighS: true }).verify(forged), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID', forged);
  });

  it('does not look at RSA or EdDSA signatures', async () => {
    for (const alg of ['RS256', 'PS256', 'EdDSA'] as const) {
      const { privateKey, publicKey } = keyPairFor(alg);
      const token = signToken(alg, privateKey, claims(), { alg, typ: 'JWT', kid: KID });
      await expect(verifierFor(publicKey, { rejectHighS: true }).verify(token)).resolves.toMatchObject({ header: { alg } });
    }
  });
});

describe('isHighS and toLowS', () => {
  for (const alg of ALGORITHMS) {
    it(`puts the boundary of ${alg} at ⌊n/2⌋: that s is low, one more is high`, () => {
      const { n, size } = CURVES[alg];
      const r = Buffer.alloc(size, 1);
      const at = (s: bigint): Buffer => Buffer.concat([r, toBytes(s, size)]);
      expect(isHighS(alg, at(1n))).toBe(false);
      expect(isHighS(alg, at(n / 2n))).toBe(false);
      expect(isHighS(alg, at(n / 2n + 1n))).toBe(true);
      expect(isHighS(alg, at(n - 1n))).toBe(true);
      // s >= n is out of range: high, and left for verification to refuse.
      expect(isHighS(alg, at(n))).toBe(true);
      expect(toLowS(alg, at(n))).toEqual(at(n));
      expect(toLowS(alg, at(n / 2n + 1n))).toEqual(at(n - (n / 2n + 1n)));
      expect(toLowS(alg, at(n - 1n))).toEqual(at(1n));
    });

    it(`turns a high-S ${alg} signature into its low-S twin, which node:crypto verifies, and returns a low-S one as it is`, () => {
      const { low, high, publicKey } = bothForms(alg);
      const lowSignature = signatureOf(low);
      const highSignature = signatureOf(high);
      const normalised = toLowS(alg, highSignature);
      expect(normalised.equals(lowSignature)).toBe(true);
      expect(highSignature.equals(signatureOf(high))).toBe(true); // the input is not changed
      expect(toLowS(alg, lowSignature)).toBe(lowSignature);
      expect(verify(CURVES[alg].hash, Buffer.from(high.slice(0, high.lastIndexOf('.'))), { key: publicKey, dsaEncoding: 'ieee-p1363' }, normalised)).toBe(true);
    });
  }

  it('returns other algorithms and signatures of the wrong length as they are', () => {
    const long = Buffer.alloc(64, 0xff);
    for (const alg of ['RS256', 'PS512', 'EdDSA'] as const satisfies readonly JwsAlgorithm[]) {
      expect(isHighS(alg, long)).toBe(false);
      expect(toLowS(alg, long)).toBe(long);
    }
    const wrongLength = Buffer.alloc(63, 0xff);
    expect(isHighS('ES256', wrongLength)).toBe(false);
    expect(toLowS('ES256', wrongLength)).toBe(wrongLength);
  });
});
