import { allocBytes } from '#runtime';

/**
 * Strict DER → JWS conversion of an ECDSA signature, for `acceptDerSignatures` (legacy tokens that
 * carry KMS's DER signature as is). Accepts exactly `SEQUENCE { INTEGER r, INTEGER s }` in
 * distinguished encoding: minimal lengths, minimal positive integers, nothing after the sequence.
 * Returns R‖S, each left-padded to `size` bytes, in a new array of the runtime's byte type (a
 * Buffer on Node.js, Bun and Deno, a Uint8Array in the Web Crypto build), or `undefined` for
 * anything else.
 */
export function derToJose<T extends Uint8Array>(der: T, size: number): T | undefined {
  if (der.length < 8 || der[0] !== 0x30) return undefined;
  const sequence = readLength(der, 1);
  if (!sequence || sequence.offset + sequence.length !== der.length) return undefined;
  const r = readInteger(der, sequence.offset, size);
  if (!r) return undefined;
  const s = readInteger(der, r.next, size);
  if (!s || s.next !== der.length) return undefined;
  const out = allocBytes(size * 2);
  out.set(r.value, size - r.value.length);
  out.set(s.value, size * 2 - s.value.length);
  return out as T;
}

function readLength(der: Uint8Array, at: number): { length: number; offset: number } | undefined {
  const first = der[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return { length: first, offset: at + 1 };
  // Long form: only one length byte is ever needed here (P-521 signatures are < 256 bytes), and
  // DER forbids the long form for lengths below 128.
  if (first !== 0x81) return undefined;
  const length = der[at + 1];
  if (length === undefined || length < 0x80) return undefined;
  return { length, offset: at + 2 };
}

function readInteger(der: Uint8Array, at: number, size: number): { value: Uint8Array; next: number } | undefined {
  if (der[at] !== 0x02) return undefined;
  const header = readLength(der, at + 1);
  if (!header || header.length === 0) return undefined;
  const end = header.offset + header.length;
  if (end > der.length) return undefined;
  let value = der.subarray(header.offset, end);
  const first = value[0] ?? 0;
  if (first & 0x80) return undefined; // negative
  if (first === 0x00) {
    if (value.length === 1) return undefined; // zero is never a valid r or s
    if (((value[1] ?? 0) & 0x80) === 0) return undefined; // non-minimal leading zero
    value = value.subarray(1);
  }
  if (value.length > size) return undefined;
  return { value, next: end };
}
