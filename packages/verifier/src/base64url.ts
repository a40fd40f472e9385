const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Strict base64url (RFC 7515 §2): the URL-safe alphabet, no padding, no whitespace, and the
 * canonical encoding only (unused trailing bits zero), so one byte string has exactly one encoding.
 * Returns `undefined` for anything else.
 */
export function decodeBase64url(segment: string): Buffer | undefined {
  if (segment.length % 4 === 1 || !BASE64URL.test(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  const rest = segment.length % 4;
  if (rest !== 0) {
    // The last character carries 2 (rest 3) or 4 (rest 2) unused bits, which must be zero.
    const value = ALPHABET.indexOf(segment.charAt(segment.length - 1));
    if ((value & (rest === 2 ? 0b1111 : 0b11)) !== 0) return undefined;
  }
  return bytes;
}
