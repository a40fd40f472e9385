import { createHash, createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import type { TrustedPublicKey } from 'kms-jwt-verifier';
import { KeyProviderConfigError } from './errors.js';

const SPKI_SHA256 = /^[A-Za-z0-9_-]{43}$/;

/**
 * The SPKI thumbprint a key is pinned with (`spkiSha256`): base64url, without padding, of the SHA-256
 * of the public key's DER SubjectPublicKeyInfo — the bytes KMS GetPublicKey returns, and
 * `openssl pkey -pubin -outform DER` prints. Takes a `KeyObject` or the DER SPKI bytes.
 */
export function spkiSha256(publicKey: TrustedPublicKey | Uint8Array): string {
  let key: KeyObject;
  try {
    key = publicKey instanceof Uint8Array ? createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }) : nodeKeyOf(publicKey);
  } catch (error) {
    throw new KeyProviderConfigError('spkiSha256() takes a public KeyObject or the DER SubjectPublicKeyInfo bytes (the PublicKey of GetPublicKey)', { cause: error });
  }
  if (key.type !== 'public') throw new KeyProviderConfigError('spkiSha256() takes a public key, not a private or secret one');
  // Exported again, so that every source (DER, PEM, JWK) hashes the same canonical DER.
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/**
 * The node:crypto `KeyObject` of a trusted key: itself on Node.js, or (where the verifier's Web Crypto
 * build parsed it) the same key imported from its public JWK.
 */
export function nodeKeyOf(publicKey: TrustedPublicKey): KeyObject {
  return publicKey instanceof KeyObject ? publicKey : createPublicKey({ key: publicKey.export({ format: 'jwk' }) as JsonWebKey, format: 'jwk' });
}

/** Whether `value` has the form of a thumbprint: 43 base64url characters (32 bytes). */
export function isSpkiSha256(value: unknown): value is string {
  return typeof value === 'string' && SPKI_SHA256.test(value);
}
