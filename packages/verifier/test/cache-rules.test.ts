import { describe, expect, it } from 'vitest';
import { KeySourceUnavailableError } from '../src/index.js';
import { admit, setup, token } from './support/cache.js';
import { expectRejection } from './support/tokens.js';

// The verified-token cache's rules beyond test/cache.test.ts (src/create-verifier.ts): how long an
// entry without exp lasts, what a hit asks of a key source that fails, two entries whose tokens end
// alike, and an entry found past its time leaving the cache.

/**
 * Two valid tokens whose last four characters are equal (the cache's token mark): an ES256
 * signature's last four base64url characters carry 20 bits, so some 1,300 tokens hold such a pair
 * on average; the search gives up (failing the test) after 100,000.
 */
function tokensEndingAlike(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; i < 100_000; i += 1) {
    const t = token({ jti: `t-${i}` });
    const other = seen.get(t.slice(-4));
    if (other !== undefined) return [other, t];
    seen.set(t.slice(-4), t);
  }
  throw new Error('no two tokens ending alike in 100,000');
}

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

describe('verified-token cache: two tokens ending alike', () => {
  it('keeps serving one when the other is evicted', async () => {
    const { verifier } = setup({ cache: { maxEntries: 2 } });
    const [a, b] = tokensEndingAlike();
    expect(a.slice(-4)).toBe(b.slice(-4));
    await admit(verifier, a);
    const cachedB = await admit(verifier, b);
    await admit(verifier, token({ jti: 'third' })); // evicts a, the least recently used
    expect(await verifier.verify(b)).toBe(cachedB);
  });
});

describe('verified-token cache: an entry found past its time', () => {
  it('leaves the cache on that lookup, so no other entry is evicted to make room for it', async () => {
    const { verifier, advance } = setup({ cache: { maxEntries: 2, maxAgeSeconds: 10 } });
    const a = token({ jti: 'a' });
    const b = token({ jti: 'b' });
    const c = token({ jti: 'c' });
    const cachedA = await admit(verifier, a);
    advance(5);
    const cachedB = await admit(verifier, b);
    advance(6); // a is past cache.maxAgeSeconds, b is not
    expect(await verifier.verify(a)).not.toBe(cachedA); // verified afresh (a first sighting again): a's entry is gone
    const cachedC = await admit(verifier, c); // room for c beside b
    expect(await verifier.verify(b)).toBe(cachedB);
    expect(await verifier.verify(c)).toBe(cachedC);
  });
});

describe('verified-token cache: a result shared by its hits', () => {
  it('is frozen at every level of its payload, nested objects and arrays too', async () => {
    const { verifier } = setup();
    const t = token({ ctx: { roles: ['reader', { scope: ['a', 'b'] }], tenant: { id: 't1', flags: null } } });
    const cached = await admit(verifier, t);
    expect(await verifier.verify(t)).toBe(cached);
    const ctx = cached.payload['ctx'] as { roles: [string, { scope: string[] }]; tenant: { id: string; flags: null } };
    for (const level of [cached.payload, ctx, ctx.roles, ctx.roles[1], ctx.roles[1].scope, ctx.tenant]) expect(Object.isFrozen(level)).toBe(true);
    expect(() => ctx.roles[1].scope.push('c')).toThrow(TypeError);
  });
});
