// Decodes a compact JWS in the page, without verifying anything.

export interface DecodedToken {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function segment(text: string, name: string): Record<string, unknown> {
  if (!BASE64URL.test(text)) throw new Error(`the ${name} is not base64url`);
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  let json: string;
  try {
    const binary = atob(base64);
    json = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    throw new Error(`the ${name} is not base64url-encoded UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`the ${name} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`the ${name} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** The header and payload of a compact JWS; throws an Error saying what is wrong (never echoing the token). */
export function decodeToken(token: string): DecodedToken {
  const parts = token.split('.');
  if (parts.length === 5) throw new Error('it has 5 segments: an encrypted JWE, which cannot be read without its key');
  if (parts.length !== 3) throw new Error(`a compact JWS has 3 segments separated by '.', this has ${parts.length}`);
  const [header = '', payload = '', signature = ''] = parts;
  if (!BASE64URL.test(signature)) throw new Error('the signature is not base64url');
  return { header: segment(header, 'header'), payload: segment(payload, 'payload') };
}
