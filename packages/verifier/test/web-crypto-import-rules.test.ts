import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyWithWebCrypto } from '../src/runtime/web-crypto-verify.js';
import { keyPairFor, signInput } from './support/tokens.js';

// runtime/web-crypto-verify.ts imports each trusted key into Web Crypto once per algorithm (its
// public JWK members only, not extractable), verifications that start while that import is under way
// wait for the same import, and one that starts after it checks with the imported key at once.

afterEach(() => {
  vi.restoreAllMocks();
});

const INPUT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ';

describe('Web Crypto key imports', () => {
  it('imports a key once per algorithm, however many signatures it checks one after the other', async () => {
    const imports = vi.spyOn(crypto.subtle, 'importKey');
    const { privateKey, publicKey } = keyPairFor('RS256');
    const data = new TextEncoder().encode(INPUT);
    for (const alg of ['RS256', 'RS256', 'RS256', 'PS256', 'PS256'] as const) {
      await expect(verifyWithWebCrypto(alg, publicKey, data, signInput(alg, privateKey, INPUT))).resolves.toBe(true);
    }
    expect(imports).toHaveBeenCalledTimes(2);
  });

  it('imports a key once for checks that start while its import is under way', async () => {
    const imports = vi.spyOn(crypto.subtle, 'importKey');
    const { privateKey, publicKey } = keyPairFor('ES256');
    const data = new TextEncoder().encode(INPUT);
    const signature = signInput('ES256', privateKey, INPUT);
    const checks = [1, 2, 3].map(() => verifyWithWebCrypto('ES256', publicKey, data, signature));
    await expect(Promise.all(checks)).resolves.toEqual([true, true, true]);
    expect(imports).toHaveBeenCalledTimes(1);
  });

  it('hands Web Crypto only the public members of the key, and keeps the imported key not extractable', async () => {
    const imports = vi.spyOn(crypto.subtle, 'importKey');
    const checks = vi.spyOn(crypto.subtle, 'verify');
    const { privateKey, publicKey } = keyPairFor('ES384');
    const data = new TextEncoder().encode(INPUT);
    await expect(verifyWithWebCrypto('ES384', publicKey, data, signInput('ES384', privateKey, INPUT))).resolves.toBe(true);
    expect(Object.keys(imports.mock.calls[0]?.[1] ?? {}).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(checks.mock.calls[0]?.[1]).toMatchObject({ extractable: false, type: 'public' });
  });

  it('checks with a key imported earlier at once, without waiting for the import again', async () => {
    const checks = vi.spyOn(crypto.subtle, 'verify');
    const { privateKey, publicKey } = keyPairFor('EdDSA');
    const data = new TextEncoder().encode(INPUT);
    const signature = signInput('EdDSA', privateKey, INPUT);
    await expect(verifyWithWebCrypto('EdDSA', publicKey, data, signature)).resolves.toBe(true);
    const again = verifyWithWebCrypto('EdDSA', publicKey, data, signature);
    // Called before this test awaits anything: the check started in the call itself.
    expect(checks).toHaveBeenCalledTimes(2);
    await expect(again).resolves.toBe(true);
  });
});
