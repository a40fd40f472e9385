import { describe, expect, it, vi } from 'vitest';
import { AlgUnsupportedByRuntimeError } from '../src/errors.js';
import { createStaticKeyResolver } from '../src/static-keys.js';
import { KID } from './support/tokens.js';

// Static keys where the node runtime module's node:crypto has no secp256k1, as on Bun (BoringSSL):
// `#runtime` is runtime/node.ts for this file, its capability answer replaced by Bun's.
vi.mock('#runtime', async () => ({ ...(await import('../src/runtime/node.js')), verifiesSecp256k1: () => false }));

describe('static keys where node:crypto has no secp256k1 (Bun)', () => {
  it('refuses a secp256k1 key that does not parse with ERR_ALG_UNSUPPORTED_BY_RUNTIME, naming the runtime\'s node:crypto', () => {
    let caught: unknown;
    try {
      createStaticKeyResolver([{ kid: KID, key: { kty: 'EC', crv: 'secp256k1', x: 'AAAA', y: 'AAAA' } }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AlgUnsupportedByRuntimeError);
    expect((caught as Error).message).toMatch(/is a secp256k1 key \(ES256K\), which cannot be verified here: this runtime's node:crypto has no secp256k1 \(Bun's BoringSSL\)\. Verify ES256K tokens on Node\.js or Deno/);
    expect((caught as Error).cause).toBeInstanceOf(Error);
  });
});
