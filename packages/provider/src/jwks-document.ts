import { JwksInvalidError } from './jwks-errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The `keys` of a JWKS body, checked as a whole: UTF-8 JSON, an object with a `keys` array, at most
 * `maxKeys` entries (each entry is judged on its own later). Messages never quote the body.
 */
export function parseJwksDocument(body: Uint8Array, shown: string, maxKeys: number): readonly unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch {
    throw new JwksInvalidError('malformed', shown, 'answered a body that is not UTF-8 JSON; check the url, and that the issuer serves its JWKS there');
  }
  const keys = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) throw new JwksInvalidError('malformed', shown, 'answered JSON that is not a JWKS (an object with a "keys" array); check the url');
  if (keys.length > maxKeys) {
    throw new JwksInvalidError('too-many-keys', shown, `lists ${keys.length} keys, more than maxKeys (${maxKeys}); raise maxKeys if the issuer really publishes that many, or check the url`);
  }
  return keys;
}
