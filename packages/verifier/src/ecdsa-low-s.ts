import { allocBytes } from '#runtime';
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

/** `value` as `size` big-endian bytes, written into `out` at `offset`. */
function writeBigInt(value: bigint, out: Uint8Array, offset: number, size: number): void {
  let rest = value;
  for (let index = offset + size - 1; index >= offset; index -= 1) {
    out[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

function readBigInt(bytes: Uint8Array, start: number, end: number): bigint {
  let value = 0n;
  for (let index = start; index < end; index += 1) value = (value << 8n) | BigInt(bytes[index] as number);
  return value;
}

function curve(orderHex: string, size: number): Curve {
  const order = BigInt(`0x${orderHex}`);
  const halfOrder = new Uint8Array(size);
  writeBigInt(order >> 1n, halfOrder, 0, size);
  return { size, order, halfOrder };
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
 * array of the runtime's byte type (a Buffer on Node.js, Bun and Deno) holding `(r, n − s)`, which
 * verifies exactly when `(r, s)` does; otherwise `signature` itself (already low-S, an `s` out of
 * range left for verification to refuse, or not ECDSA).
 */
export function toLowS<T extends Uint8Array>(alg: JwsAlgorithm, signature: T): T {
  const curve = CURVES[alg];
  if (curve === undefined || !isHighS(alg, signature)) return signature;
  const { size, order } = curve;
  const s = readBigInt(signature, size, size * 2);
  if (s >= order) return signature;
  const out = allocBytes(size * 2);
  out.set(signature.subarray(0, size));
  writeBigInt(order - s, out, size, size);
  return out as T;
}
