import { describe, expect, it, vi } from 'vitest';
import { AlgUnsupportedByRuntimeError } from '../src/errors.js';
import { createStaticKeyResolver } from '../src/static-keys.js';
import { KID, keyPairFor } from './support/tokens.js';

// Static keys in the Web Crypto build (`#runtime` mocked to runtime/web.ts for this file only, as in
// web-build.test.ts): what a key Web Crypto cannot take is told.
vi.mock('#runtime', async () => await import('../src/runtime/web.js'));

describe('static keys in the Web Crypto build', () => {
  it('refuses a secp256k1 key with ERR_ALG_UNSUPPORTED_BY_RUNTIME, the parser error as its cause', () => {
    let caught: unknown;
    try {
      createStaticKeyResolver([{ kid: KID, key: keyPairFor('ES256K').publicKey.export({ format: 'jwk' }) }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AlgUnsupportedByRuntimeError);
    expect((caught as Error).message).toMatch(/Web Crypto has no secp256k1/);
    expect((caught as Error).cause).toBeInstanceOf(Error);
  });

  it('says why a key Web Crypto cannot parse is not a valid public key, the parser message appended', () => {
    let caught: unknown;
    try {
      createStaticKeyResolver([{ kid: KID, key: { kty: 'XYZ' } }]);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toMatch(new RegExp(`the key for kid ${KID} is not a valid public key \\(PEM, JWK or key object\\): .+`));
  });
});
