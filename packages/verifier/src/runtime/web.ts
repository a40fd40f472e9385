/**
 * The runtime module of the Web Crypto build (`workerd`, `browser`): plain Uint8Arrays, keys parsed
 * without node:crypto, and every signature checked by `crypto.subtle.verify`, which is asynchronous
 * (a verified-token cache hit still answers synchronously). ES256K is refused: Web Crypto has no
 * secp256k1.
 */
import type { JsonWebKey } from 'node:crypto';
import type { JwsAlgorithm } from '../algorithms.js';
import { describeJwk, describePem } from '../key-description.js';
import type { TrustedPublicKey } from '../public-key.js';
import type * as Contract from './contract.js';
import { verifyWithWebCrypto } from './web-crypto-verify.js';
import { latin1Prefix } from './web-bytes.js';
import { webPublicKey } from './web-public-key.js';

export { base64urlBytes, base64urlText, latin1Bytes, toBase64url, utf8Bytes, utf8Length } from './web-bytes.js';

export const RUNTIME = 'web';

/** A new array per call: Web Crypto may read it after the call returns (while a key is imported). */
export function reusedLatin1Writer(_maxBytes: number): (token: string, end: number) => Uint8Array {
  return latin1Prefix;
}

export function bytesView(bytes: Uint8Array): Uint8Array {
  return bytes;
}

export function allocBytes(size: number): Uint8Array {
  return new Uint8Array(size);
}

/** Web Crypto has no secp256k1. */
export function verifiesSecp256k1(): boolean {
  return false;
}

/** A key object that can be exported as a JWK: this build's own keys, and node:crypto KeyObjects (workerd with nodejs_compat). */
export function asKeyObject(value: unknown): TrustedPublicKey | undefined {
  const candidate = value as { type?: unknown; export?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.type === 'string' && typeof candidate.export === 'function' ? (value as TrustedPublicKey) : undefined;
}

export function publicKeyFromPem(pem: string): TrustedPublicKey {
  return webPublicKey(describePem(pem));
}

export function publicKeyFromJwk(jwk: JsonWebKey): TrustedPublicKey {
  return webPublicKey(describeJwk(jwk));
}

export function verifySignatureSync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return verifyWithWebCrypto(alg, key, data, signature);
}

export function verifySignatureAsync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return verifyWithWebCrypto(alg, key, data, signature);
}

/** Compile-time check that this module provides what contract.ts declares. */
type Provides<T extends typeof Contract> = T;
type Checked = Provides<typeof import('./web.js')>;
