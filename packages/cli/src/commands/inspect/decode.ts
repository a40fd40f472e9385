import { CliError } from '../../lib/errors.js';
import { EXIT_CODES } from '../../lib/exit-codes.js';

/** A compact JWS, decoded and not verified. */
export interface DecodedToken {
  readonly header: Record<string, unknown>;
  readonly payload: unknown;
  readonly signatureBytes: number;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function notDecodable(reason: string): CliError {
  return new CliError(`not a decodable JWT: ${reason}`, EXIT_CODES.failure);
}

function segment(text: string, name: string): unknown {
  if (!BASE64URL.test(text) || text.length === 0) throw notDecodable(`the ${name} is not base64url`);
  const json = Buffer.from(text, 'base64url').toString('utf8');
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw notDecodable(`the ${name} is not JSON`);
  }
}

/** Splits and decodes a compact JWS; nothing is checked but its shape. Messages never echo the token. */
export function decodeToken(token: string): DecodedToken {
  const parts = token.split('.');
  if (parts.length === 5) throw notDecodable('it has 5 segments: an encrypted JWE, whose payload cannot be read without the key');
  if (parts.length !== 3) throw notDecodable(`a compact JWS has 3 segments separated by '.', this has ${parts.length}`);
  const [headerText = '', payloadText = '', signatureText = ''] = parts;
  const header = segment(headerText, 'header');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw notDecodable('the header is not a JSON object');
  const b64 = (header as Record<string, unknown>)['b64'] === false;
  const payload = b64 ? payloadText : segment(payloadText, 'payload');
  if (!BASE64URL.test(signatureText)) throw notDecodable('the signature is not base64url');
  return { header: header as Record<string, unknown>, payload, signatureBytes: Buffer.from(signatureText, 'base64url').length };
}
