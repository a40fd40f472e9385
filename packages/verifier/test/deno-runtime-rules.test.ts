import { describe, expect, it } from 'vitest';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../src/algorithms.js';
import * as deno from '../src/runtime/deno.js';
import { keyPairFor, signInput } from './support/tokens.js';

// The Deno runtime module (package.json's "deno" condition) on Node.js, which has both of its checkers:
// ECDSA on the NIST curves through Web Crypto (a promise), everything else through node:crypto at
// once. test/runtimes runs it in Deno itself.

const input = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ';
const data = new TextEncoder().encode(input);
const BY_WEB_CRYPTO: readonly JwsAlgorithm[] = ['ES256', 'ES384', 'ES512'];

describe('the Deno runtime module', () => {
  it('names itself deno', () => {
    expect(deno.RUNTIME).toBe('deno');
  });

  it.each(JWS_ALGORITHMS)('%s: verifies what node:crypto signed and refuses a tampered signature, on the path Deno is fastest with', async (alg) => {
    const { privateKey, publicKey } = keyPairFor(alg);
    const key = deno.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const signature = new Uint8Array(signInput(alg, privateKey, input));
    const tampered = new Uint8Array(signature);
    tampered[3] = (tampered[3] ?? 0) ^ 1;
    const sync = deno.verifySignatureSync(alg, key, data, signature);
    // Web Crypto answers with a promise; node:crypto with a boolean, at once.
    expect(sync instanceof Promise).toBe(BY_WEB_CRYPTO.includes(alg));
    expect(await sync).toBe(true);
    expect(await deno.verifySignatureSync(alg, key, data, tampered)).toBe(false);
    expect(await deno.verifySignatureAsync(alg, key, data, signature)).toBe(true);
    expect(await deno.verifySignatureAsync(alg, key, data, tampered)).toBe(false);
  });
});
