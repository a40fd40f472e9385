const UTF8 = new TextEncoder();

/**
 * The UTF-8 length of `text` and its 64-bit FNV-1a hash (offset basis 0xcbf29ce484222325, prime
 * 2^40 + 0x1b3), as `<length>-<hash>` in hex: a strong validator for a body the server builds
 * itself (not a defence against anyone choosing the body), computed with 32-bit halves.
 */
export function fnv1a64(text: string): string {
  const bytes = UTF8.encode(text);
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (const byte of bytes) {
    low = (low ^ byte) >>> 0;
    // (high·2^32 + low) · (2^40 + 0x1b3) mod 2^64: the 2^40 term moves low's bits 0–23 to high's 8–31.
    const lowProduct = low * 0x1b3;
    const carry = Math.floor(lowProduct / 0x100000000);
    high = (Math.imul(high, 0x1b3) + carry + (low << 8)) >>> 0;
    low = lowProduct >>> 0;
  }
  return `${bytes.length.toString(16)}-${high.toString(16).padStart(8, '0')}${low.toString(16).padStart(8, '0')}`;
}
