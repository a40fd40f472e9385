import { base64urlBytes, base64urlText } from '#runtime';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Strict base64url (RFC 7515 §2): the URL-safe alphabet, no padding, no whitespace, and the
 * canonical encoding only (unused trailing bits zero), so one byte string has exactly one encoding.
 */
function isCanonical(segment: string): boolean {
  if (segment.length % 4 === 1 || !BASE64URL.test(segment)) return false;
  const rest = segment.length % 4;
  // The last character carries 2 (rest 3) or 4 (rest 2) unused bits, which must be zero.
  return rest === 0 || (ALPHABET.indexOf(segment.charAt(segment.length - 1)) & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

/** The bytes of a strict base64url segment (a Buffer on Node.js, Bun and Deno); `undefined` for anything else. */
export function decodeBase64url(segment: string): Uint8Array | undefined {
  return isCanonical(segment) ? base64urlBytes(segment) : undefined;
}

/** The UTF-8 text of a strict base64url segment (invalid sequences become U+FFFD); `undefined` when the segment is not strict base64url. */
export function decodeBase64urlText(segment: string): string | undefined {
  return isCanonical(segment) ? base64urlText(segment) : undefined;
}
