/**
 * What each runtime module provides: the byte handling and the signature checks that differ
 * between runtimes. The shared code imports them from `#runtime`, which the package.json `imports`
 * map resolves by condition: `./node.js` (node:crypto and Buffer: Node.js, Bun, and anything
 * unrecognised), `./deno.js` (node:crypto, with ECDSA through Web Crypto) and `./web.js` (Web Crypto
 * and plain Uint8Arrays: `workerd`, `browser`). TypeScript reads this file for `#runtime`; each
 * runtime module checks that it matches it.
 *
 * Runtime modules are leaves: they import no module of this package that defines errors, and they
 * throw plain `Error`s, which the shared code turns into this package's errors.
 */
import type { JsonWebKey } from 'node:crypto';
import type { JwsAlgorithm } from '../algorithms.js';
import type { TrustedPublicKey } from '../public-key.js';

/** Which runtime module this is. */
export declare const RUNTIME: 'node' | 'deno' | 'web';

/** The bytes of a segment already checked as canonical base64url. */
export declare function base64urlBytes(segment: string): Uint8Array;

/** The UTF-8 text of a segment already checked as canonical base64url (invalid sequences become U+FFFD). */
export declare function base64urlText(segment: string): string;

/** Bytes as unpadded base64url. */
export declare function toBase64url(bytes: Uint8Array): string;

/** The low byte of each UTF-16 code unit of `text` (latin1), in a new array. */
export declare function latin1Bytes(text: string): Uint8Array;

/**
 * A function that writes `token.slice(0, end)` as latin1 into one buffer of `maxBytes` reused on
 * every call, and returns the written part: valid until the next call, so only for a signature
 * check that is done with it before returning.
 */
export declare function reusedLatin1Writer(maxBytes: number): (token: string, end: number) => Uint8Array;

/** `text` as UTF-8. */
export declare function utf8Bytes(text: string): Uint8Array;

/** How many bytes `text` takes in UTF-8. */
export declare function utf8Length(text: string): number;

/** The runtime's byte type over the same memory as `bytes` (a Buffer where there is one), without copying. */
export declare function bytesView(bytes: Uint8Array): Uint8Array;

/** A zero-filled array of the runtime's byte type. */
export declare function allocBytes(size: number): Uint8Array;

/**
 * Whether this runtime's crypto verifies secp256k1 (ES256K) keys: true for Node.js's and Deno's
 * node:crypto, false for Web Crypto (workerd, browsers) and Bun's node:crypto (BoringSSL). Asked
 * only when a key does not parse, to tell a secp256k1 key this runtime cannot use from an invalid one.
 */
export declare function verifiesSecp256k1(): boolean;

/** `value` when it is a key object this runtime verifies with (a node:crypto KeyObject, ...), else `undefined`. */
export declare function asKeyObject(value: unknown): TrustedPublicKey | undefined;

/** Parses an SPKI PEM public key; throws an `Error` saying why it cannot. */
export declare function publicKeyFromPem(pem: string): TrustedPublicKey;

/** Parses a public JWK; throws an `Error` saying why it cannot. */
export declare function publicKeyFromJwk(jwk: JsonWebKey): TrustedPublicKey;

/**
 * Checks a signature (JWS form: ECDSA as R‖S) of `data`: synchronously where the runtime can
 * (node:crypto), else through a promise (Web Crypto). A key this runtime cannot use throws (node:crypto)
 * or rejects (Web Crypto) with the runtime's error (a `NotSupportedError` for an algorithm it lacks);
 * a bad signature is `false`, never an error.
 */
export declare function verifySignatureSync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;

/** {@link verifySignatureSync} off the calling thread where the runtime can (libuv's threadpool on Node.js). */
export declare function verifySignatureAsync(alg: JwsAlgorithm, key: TrustedPublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
