import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyWithWebCrypto } from '../src/runtime/web-crypto-verify.js';
import { keyPairFor, signInput } from './support/tokens.js';

// runtime/web-crypto-verify.ts imports each trusted key into Web Crypto once per algorithm, and
// verifications that start while that import is under way wait for the same import.

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
});
