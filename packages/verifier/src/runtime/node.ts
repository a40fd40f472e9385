/**
 * The runtime module for Node.js and Bun (and the default): node:crypto and Buffer. Everything the
 * verifier's hot path does here is what it did before runtimes were told apart: a Buffer decode,
 * one reused signing-input buffer and a synchronous `crypto.verify` with a cached key input.
 */
import { Buffer } from 'node:buffer';
import { constants, createPublicKey, KeyObject, verify as cryptoVerify, type JsonWebKey, type VerifyKeyObjectInput, type VerifyPublicKeyInput } from 'node:crypto';
import { VERIFY_PARAMETERS, type JwsAlgorithm } from '../algorithms.js';
import type { TrustedPublicKey } from '../public-key.js';
import type * as Contract from './contract.js';

export const RUNTIME = 'node';

export function base64urlBytes(segment: string): Buffer {
  return Buffer.from(segment, 'base64url');
}

export function base64urlText(segment: string): string {
  return Buffer.from(segment, 'base64url').toString('utf8');
}

export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function latin1Bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

export function reusedLatin1Writer(maxBytes: number): (token: string, end: number) => Buffer {
  const buffer = Buffer.allocUnsafe(maxBytes);
  return (token, end) => buffer.subarray(0, buffer.write(token, 0, end, 'latin1'));
}

// UTF-8 is Buffer's default encoding.
export function utf8Bytes(text: string): Buffer {
  return Buffer.from(text);
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text);
}

export function bytesView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function allocBytes(size: number): Buffer {
  return Buffer.alloc(size);
}

export function asKeyObject(value: unknown): KeyObject | undefined {
  return value instanceof KeyObject ? value : undefined;
}

/** secp256k1's generator point as a public JWK: a valid secp256k1 public key. */
const SECP256K1_GENERATOR: JsonWebKey = { kty: 'EC', crv: 'secp256k1', x: 'eb5mfvncu6xVoGKVzocLBwKb_NstzijZWfKBWxb4F5g', y: 'SDradyajxGVdpPv8DhEIqP0XtEimhVQZnEfQj_sQ1Lg' };

let secp256k1: boolean | undefined;

/**
 * Whether node:crypto parses a secp256k1 key: Node.js's and Deno's do, Bun's (BoringSSL) does not.
 * This module serves Bun too, so it asks node:crypto, once, when first asked (a key that does not
 * parse): neither import nor the verify path pays for it.
 */
export function verifiesSecp256k1(): boolean {
  if (secp256k1 === undefined) {
    try {
      createPublicKey({ key: SECP256K1_GENERATOR, format: 'jwk' });
      secp256k1 = true;
    } catch {
      secp256k1 = false;
    }
  }
  return secp256k1;
}

export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey({ key: pem, format: 'pem' });
}

export function publicKeyFromJwk(jwk: JsonWebKey): KeyObject {
  return createPublicKey({ key: jwk, format: 'jwk' });
}

type KeyInput = KeyObject | VerifyKeyObjectInput | VerifyPublicKeyInput;

/** node:crypto key inputs, built once per key and algorithm. */
const keyInputs = new WeakMap<KeyObject, Map<JwsAlgorithm, KeyInput>>();

function keyInputFor(key: KeyObject, alg: JwsAlgorithm): KeyInput {
  let byAlg = keyInputs.get(key);
  if (!byAlg) {
    byAlg = new Map();
    keyInputs.set(key, byAlg);
  }
  let input = byAlg.get(alg);
  if (!input) {
    const params = VERIFY_PARAMETERS[alg];
    if (params.signatureBytes !== undefined) input = { key, dsaEncoding: 'ieee-p1363' };
    // RS* names its padding although PKCS #1 v1.5 is node:crypto's default for an RSA key: an RSA-PSS key
    // (which a custom resolver could hand over for RS256) defaults to PSS, and must not check RS* that way.
    else if (params.rsa === 'pkcs1-v1_5') input = { key, padding: constants.RSA_PKCS1_PADDING };
    else if (params.rsa === 'pss') input = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
    // EdDSA: the key object alone.
    else input = key;
    byAlg.set(alg, input);
  }
  return input;
}

/**
 * Checks a signature on the calling thread. node:crypto answers `false` for any bad signature; it
 * throws only when it cannot check at all (a key that is not a KeyObject, or one that cannot verify
 * this algorithm), and that error is passed on: it is not a verdict on the token.
 */
export function verifySignatureSync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  return cryptoVerify(VERIFY_PARAMETERS[alg].hash, data, keyInputFor(key as KeyObject, alg), signature);
}

/** Checks a signature on libuv's threadpool, leaving the event loop free; rejects where {@link verifySignatureSync} throws. */
export function verifySignatureAsync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return new Promise((resolve, reject) => {
    cryptoVerify(VERIFY_PARAMETERS[alg].hash, data, keyInputFor(key as KeyObject, alg), signature, (error, valid) => (error ? reject(error) : resolve(valid)));
  });
}

/** Compile-time check that this module provides what contract.ts declares. */
type Provides<T extends typeof Contract> = T;
type Checked = Provides<typeof import('./node.js')>;
