import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_SHAPES } from '../src/algorithms.js';
import { toJoseSignature } from '../src/signature.js';

/**
 * Wycheproof's ECDSA P-256/SHA-256 vectors with DER signatures, through the signer's conversion of
 * KMS's signature (`toJoseSignature`: kms-jwt-verifier's strict `derToJose`, then `toLowS`).
 *
 * How each result is treated:
 * - `valid`: the DER converts, the R‖S is low-S (s ≤ n/2), and it verifies with node:crypto
 *   (`dsaEncoding: 'ieee-p1363'`).
 * - `invalid` with an encoding flag (InvalidEncoding, BerEncodedSignature, MissingZero,
 *   InvalidTypesInSignature): the converter rejects it (returns `undefined`).
 * - `invalid` otherwise (the DER may be fine but r or s is wrong, out of range, zero...): the
 *   converter may reject it or convert it, and if it converts, the R‖S must not verify.
 * - `acceptable`: Wycheproof's "legacy, may be accepted" class (BER-ish encodings, weak cases). A
 *   strict DER converter's contract is to reject every encoding flag, so an acceptable vector with
 *   an encoding flag must be rejected, and one without must be handled like a valid one. This
 *   version of the file (0.9rc5) has no acceptable vectors: the counts below assert that, so a new
 *   file that adds some makes this test fail until they have been looked at.
 */
interface Vector {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly msg: string;
  readonly sig: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}

interface VectorFile {
  readonly numberOfTests: number;
  readonly testGroups: ReadonlyArray<{ readonly publicKeyDer: string; readonly sha: string; readonly tests: readonly Vector[] }>;
}

const ENCODING_FLAGS = new Set(['InvalidEncoding', 'BerEncodedSignature', 'MissingZero', 'InvalidTypesInSignature']);

/** ⌊n/2⌋ of P-256: the largest low S. */
const P256_HALF_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n / 2n;

const file = JSON.parse(readFileSync(new URL('../../../test/vectors/wycheproof/ecdsa_secp256r1_sha256_test.json', import.meta.url), 'utf8')) as VectorFile;
const vectors: ReadonlyArray<Vector & { readonly publicKey: KeyObject }> = file.testGroups.flatMap((group) => {
  const publicKey = createPublicKey({ key: Buffer.from(group.publicKeyDer, 'hex'), format: 'der', type: 'spki' });
  return group.tests.map((vector) => ({ ...vector, publicKey }));
});

/** The DER as the SDK hands it over: a Uint8Array view into a larger buffer, not at offset 0. */
function asSdkBytes(hex: string): Uint8Array {
  const bytes = Buffer.from(hex, 'hex');
  const backing = new Uint8Array(bytes.length + 7);
  backing.set(bytes, 3);
  return backing.subarray(3, 3 + bytes.length);
}

function verifies(vector: Vector & { readonly publicKey: KeyObject }, jose: Buffer): boolean {
  return verify('sha256', Buffer.from(vector.msg, 'hex'), { key: vector.publicKey, dsaEncoding: 'ieee-p1363' }, jose);
}

describe('Wycheproof ecdsa_secp256r1_sha256 (DER) through the DER → R‖S conversion', () => {
  it('reads every vector of the file: 174 valid, 310 invalid, no acceptable', () => {
    expect(file.testGroups.every((group) => group.sha === 'SHA-256')).toBe(true);
    expect(vectors).toHaveLength(file.numberOfTests);
    const count = (result: Vector['result']): number => vectors.filter((vector) => vector.result === result).length;
    expect([count('valid'), count('invalid'), count('acceptable')]).toEqual([174, 310, 0]);
  });

  it.each(vectors.map((vector) => [vector.tcId, vector.result, vector.comment, vector] as const))('tcId %i (%s, %s)', (_tcId, result, _comment, vector) => {
    const jose = toJoseSignature(asSdkBytes(vector.sig), SIGNATURE_SHAPES.ECC_NIST_P256);
    const encodingFlag = vector.flags.some((flag) => ENCODING_FLAGS.has(flag));
    if (result === 'valid' || (result === 'acceptable' && !encodingFlag)) {
      expect(jose).toBeDefined();
      expect(jose).toHaveLength(64);
      expect(BigInt(`0x${(jose ?? Buffer.alloc(64)).toString('hex', 32)}`) <= P256_HALF_ORDER).toBe(true);
      expect(verifies(vector, jose ?? Buffer.alloc(0))).toBe(true);
    } else if (encodingFlag) {
      expect(jose).toBeUndefined();
    } else if (jose !== undefined) {
      expect(jose).toHaveLength(64);
      expect(verifies(vector, jose)).toBe(false);
    }
  });

  it('converts some invalid vectors whose DER is fine, and none of them verifies (the converter checks encoding, verification checks values)', () => {
    const converted = vectors.flatMap((vector) => {
      const jose = vector.result === 'invalid' ? toJoseSignature(asSdkBytes(vector.sig), SIGNATURE_SHAPES.ECC_NIST_P256) : undefined;
      return jose === undefined ? [] : [{ vector, jose }];
    });
    expect(converted.length).toBeGreaterThan(0);
    expect(converted.filter(({ vector }) => vector.flags.some((flag) => ENCODING_FLAGS.has(flag)))).toEqual([]);
    expect(converted.filter(({ vector, jose }) => verifies(vector, jose))).toEqual([]);
  });
});
