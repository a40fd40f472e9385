import type { JwsAlgorithm } from './algorithms.js';

/**
 * ECDSA signature malleability: if `(r, s)` is a valid signature, so is `(r, n − s)`, where `n` is
 * the order of the curve's group. The canonical ("low-S") form of the pair is the one whose `s` is
 * at most `n / 2`. KMS, OpenSSL and most JWT libraries emit either form, about half the time each.
 */
interface Curve {
  /** Bytes of R and of S in the JWS R‖S form. */
  readonly size: number;
  /** The group order n. */
  readonly order: bigint;
  /** ⌊n / 2⌋ as `size` big-endian bytes: the largest low S. */
  readonly halfOrder: Uint8Array;
}

function curve(orderHex: string, size: number): Curve {
  const order = BigInt(`0x${orderHex}`);
  return { size, order, halfOrder: Buffer.from((order >> 1n).toString(16).padStart(size * 2, '0'), 'hex') };
}

/** The group orders of the curves KMS signs with (SEC 2, FIPS 186-4). */
const CURVES: Partial<Readonly<Record<JwsAlgorithm, Curve>>> = {
  ES256: curve('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 32),
  ES256K: curve('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 32),
  ES384: curve('ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973', 48),
  ES512: curve('01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409', 66),
};

/**
 * Whether an ECDSA signature in R‖S form has `s > n / 2` (the high-S twin of a canonical signature,
 * or an `s` out of range). False for other algorithms and for a signature of the wrong length.
 * Compares bytes in place: nothing is allocated.
 */
export function isHighS(alg: JwsAlgorithm, signature: Uint8Array): boolean {
  const curve = CURVES[alg];
  if (curve === undefined || signature.length !== curve.size * 2) return false;
  const { size, halfOrder } = curve;
  for (let i = 0; i < size; i += 1) {
    const s = signature[size + i] ?? 0;
    const half = halfOrder[i] ?? 0;
    if (s !== half) return s > half;
  }
  return false;
}

/**
 * The canonical low-S form of an ECDSA signature in R‖S form for `alg`: when `n / 2 < s < n`, a new
 * buffer holding `(r, n − s)`, which verifies exactly when `(r, s)` does; otherwise `signature`
 * itself (already low-S, an `s` out of range left for verification to refuse, or not ECDSA).
 */
export function toLowS(alg: JwsAlgorithm, signature: Buffer): Buffer {
  const curve = CURVES[alg];
  if (curve === undefined || !isHighS(alg, signature)) return signature;
  const { size, order } = curve;
  const s = BigInt(`0x${signature.toString('hex', size)}`);
  if (s >= order) return signature;
  const out = Buffer.alloc(size * 2);
  signature.copy(out, 0, 0, size);
  out.write((order - s).toString(16).padStart(size * 2, '0'), size, 'hex');
  return out;
}
