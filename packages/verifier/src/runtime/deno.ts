/**
 * The runtime module for Deno: node:crypto keys and Buffers as on Node.js, with ECDSA P-256, P-384
 * and P-521 checked by Web Crypto, which is the faster of Deno's two for them (about twice for
 * ES256), and RSA, Ed25519 and secp256k1 by node:crypto, synchronously.
 */
import type { JwsAlgorithm } from '../algorithms.js';
import type { TrustedPublicKey } from '../public-key.js';
import type * as Contract from './contract.js';
import { verifySignatureAsync as nodeVerifyAsync, verifySignatureSync as nodeVerifySync } from './node.js';
import { verifyWithWebCrypto } from './web-crypto-verify.js';

export { allocBytes, asKeyObject, base64urlBytes, base64urlText, bytesView, latin1Bytes, publicKeyFromJwk, publicKeyFromPem, reusedLatin1Writer, toBase64url, utf8Bytes, utf8Length, verifiesSecp256k1 } from './node.js';

export const RUNTIME = 'deno';

function byWebCrypto(alg: JwsAlgorithm): boolean {
  return alg === 'ES256' || alg === 'ES384' || alg === 'ES512';
}

export function verifySignatureSync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean> {
  return byWebCrypto(alg) ? verifyWithWebCrypto(alg, key, data, signature) : nodeVerifySync(alg, key, data, signature);
}

export function verifySignatureAsync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return byWebCrypto(alg) ? verifyWithWebCrypto(alg, key, data, signature) : nodeVerifyAsync(alg, key, data, signature);
}

/** Compile-time check that this module provides what contract.ts declares. */
type Provides<T extends typeof Contract> = T;
type Checked = Provides<typeof import('./deno.js')>;
