import { describe, expect, it } from 'vitest';
import { KeySourceUnavailableError } from '../src/index.js';
import { admit, setup, token } from './support/cache.js';
import { expectRejection } from './support/tokens.js';

// The verified-token cache's rules beyond test/cache.test.ts (src/create-verifier.ts): how long an
// entry without exp lasts, and what a hit asks of a key source that fails.

describe('verified-token cache: an entry without exp', () => {
  it('is served for cache.maxAgeSeconds, then verified afresh', async () => {
    const { verifier, advance } = setup({ requiredClaims: [], cache: { maxAgeSeconds: 30 } });
    const t = token({ exp: undefined });
    const first = await admit(verifier, t);
    advance(29);
    expect(await verifier.verify(t)).toBe(first);
    advance(1);
    expect(await verifier.verify(t)).not.toBe(first);
  });
});

describe('verified-token cache: a key source that throws on a hit', () => {
  it('is asked once, and the hit answers 503 with its error as the cause', async () => {
    const { verifier, keys } = setup();
    const t = token();
    await admit(verifier, t);
    const cause = new Error('KMS unreachable');
    keys.fail(cause);
    const before = keys.calls();
    const error = await expectRejection(verifier.verify(t), KeySourceUnavailableError, 'ERR_KEY_SOURCE_UNAVAILABLE');
    expect(error.cause).toBe(cause);
    expect(keys.calls() - before).toBe(1);
  });
});
