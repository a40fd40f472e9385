/**
 * Bytes without Buffer, for the Web Crypto build and for parsing keys anywhere: base64 and
 * base64url, latin1 and UTF-8 on plain Uint8Arrays. Plain JavaScript and the WHATWG encoders,
 * which every runtime has.
 */

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function table(alphabet: string): Int8Array {
  const values = new Int8Array(128).fill(-1);
  for (let index = 0; index < alphabet.length; index += 1) values[alphabet.charCodeAt(index)] = index;
  return values;
}

const BASE64URL_VALUES = table(BASE64URL_ALPHABET);
const BASE64_VALUES = table(BASE64_ALPHABET);

function value(values: Int8Array, text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code < 128 ? (values[code] as number) : -1;
}

/** Decodes `text` (without padding) with the alphabet of `values`; `undefined` for a character outside it or an impossible length. */
function decode(text: string, values: Int8Array): Uint8Array | undefined {
  const end = text.length;
  const rest = end % 4;
  if (rest === 1) return undefined;
  const out = new Uint8Array((end * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const n = (value(values, text, i) << 18) | (value(values, text, i + 1) << 12) | (value(values, text, i + 2) << 6) | value(values, text, i + 3);
    if (n < 0) return undefined;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (rest === 2) {
    const n = (value(values, text, i) << 6) | value(values, text, i + 1);
    if (n < 0) return undefined;
    out[o] = n >> 4;
  } else if (rest === 3) {
    const n = (value(values, text, i) << 12) | (value(values, text, i + 1) << 6) | value(values, text, i + 2);
    if (n < 0) return undefined;
    out[o++] = n >> 10;
    out[o] = (n >> 2) & 0xff;
  }
  return out;
}

/** Unpadded base64url to bytes; `undefined` for anything else. Unused trailing bits are ignored. */
export function decodeBase64urlLoose(text: string): Uint8Array | undefined {
  return decode(text, BASE64URL_VALUES);
}

/** Standard base64 (padding optional, as in a PEM body without its line breaks) to bytes; `undefined` for anything else. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const end = text.endsWith('==') ? text.length - 2 : text.endsWith('=') ? text.length - 1 : text.length;
  if (end !== text.length && text.length % 4 !== 0) return undefined;
  return decode(text.slice(0, end), BASE64_VALUES);
}

export function base64urlBytes(segment: string): Uint8Array {
  return decodeBase64urlLoose(segment) ?? new Uint8Array(0);
}

/** Invalid sequences become U+FFFD and a byte order mark stays, as Buffer's `toString('utf8')` does. */
const UTF8_DECODER = new TextDecoder('utf-8', { ignoreBOM: true });
const UTF8_ENCODER = new TextEncoder();

export function base64urlText(segment: string): string {
  return UTF8_DECODER.decode(base64urlBytes(segment));
}

export function toBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += BASE64URL_ALPHABET.charAt(n >> 18) + BASE64URL_ALPHABET.charAt((n >> 12) & 63) + BASE64URL_ALPHABET.charAt((n >> 6) & 63) + BASE64URL_ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] as number;
    out += BASE64URL_ALPHABET.charAt(n >> 2) + BASE64URL_ALPHABET.charAt((n & 3) << 4);
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    out += BASE64URL_ALPHABET.charAt(n >> 10) + BASE64URL_ALPHABET.charAt((n >> 4) & 63) + BASE64URL_ALPHABET.charAt((n & 15) << 2);
  }
  return out;
}

/** The first `end` UTF-16 code units of `text`, each as its low byte (latin1, as Buffer writes it). */
export function latin1Prefix(text: string, end: number): Uint8Array {
  const out = new Uint8Array(end);
  for (let index = 0; index < end; index += 1) out[index] = text.charCodeAt(index) & 0xff;
  return out;
}

export function latin1Bytes(text: string): Uint8Array {
  return latin1Prefix(text, text.length);
}

export function utf8Bytes(text: string): Uint8Array {
  return UTF8_ENCODER.encode(text);
}

/** UTF-8 length without encoding; a lone surrogate counts as the 3 bytes of U+FFFD, as the encoder writes it. */
export function utf8Length(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    // Past the end, charCodeAt answers NaN, which is no low surrogate: a high one last in the text is lone.
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      index += 1;
    } else length += 3;
  }
  return length;
}
