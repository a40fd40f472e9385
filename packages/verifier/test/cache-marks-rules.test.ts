import { describe, expect, it } from 'vitest';
import { admit, setup, token } from './support/cache.js';

// The verified-token cache's admission and recency (src/create-verifier.ts): a token is admitted on its
// second sighting, which the doorkeeper remembers by the token's last four characters (its mark) in a
// table sized from cache.maxEntries; hits answered from the hot slots refresh the LRU once in 32.
// A hit returns the very result object the cache holds, so identity (`toBe`) tells a hit from a fresh
// verification.

/**
 * For each of the last four positions, two valid tokens whose last four characters are equal except at
 * that position (`position` 1 is the last character). An ES256 signature's last four base64url
 * characters carry 6 + 6 + 6 + 2 bits, so a pair agreeing on the other three turns up within some
 * hundreds of tokens; the search gives up (failing the test) after 50,000.
 */
function tokensDifferingAt(): Map<number, [string, string]> {
  const found = new Map<number, [string, string]>();
  const byRest = [1, 2, 3, 4].map(() => new Map<string, string>());
  for (let i = 0; found.size < 4 && i < 50_000; i += 1) {
    const t = token({ jti: `mark-${i}` });
    for (const position of [1, 2, 3, 4]) {
      if (found.has(position)) continue;
      const end = t.length - position;
      const rest = t.slice(-4, end) + '*' + t.slice(end + 1);
      const seen = byRest[position - 1]!;
      const other = seen.get(rest);
      if (other !== undefined && other.slice(-4) !== t.slice(-4)) found.set(position, [other, t]);
      else seen.set(rest, t);
    }
  }
  if (found.size < 4) throw new Error('no pair of tokens differing at one of their last four characters in 50,000');
  return found;
}

describe('verified-token cache: the doorkeeper', () => {
  const pairs = tokensDifferingAt();

  it.each([1, 2, 3, 4])(
    'does not take a token for one seen before when the two differ only at character %i from the end',
    async (position) => {
      const [seen, other] = pairs.get(position)!;
      expect(seen.slice(-4)).not.toBe(other.slice(-4));
      const { verifier } = setup();
      await verifier.verify(seen);
      // `other` is sighted for the first time: not admitted, so its second verification is fresh again.
      const first = await verifier.verify(other);
      const second = await verifier.verify(other);
      expect(second).not.toBe(first);
      expect(await verifier.verify(other)).toBe(second);
    },
  );

  it('forgets a first sighting once other tokens took its slot: with cache.maxEntries 1 it has two slots', async () => {
    const { verifier } = setup({ cache: { maxEntries: 1 } });
    const t = token({ jti: 'remembered' });
    await verifier.verify(t);
    // 64 other tokens, each seen once: about half of them land in t's slot, so its sighting is forgotten.
    for (let i = 0; i < 64; i += 1) await verifier.verify(token({ jti: `other-${i}` }));
    const again = await verifier.verify(t); // a first sighting again, not an admission
    const admitted = await verifier.verify(t);
    expect(admitted).not.toBe(again);
    expect(await verifier.verify(t)).toBe(admitted);
  });
});

describe('verified-token cache: recency of hits from the hot slots', () => {
  it('leaves the LRU order as it was for a hit from the hot slots, so that token is the one evicted', async () => {
    const { verifier } = setup({ cache: { maxEntries: 2 } });
    const a = token({ jti: 'a' });
    const b = token({ jti: 'b' });
    const cachedA = await admit(verifier, a);
    expect(await verifier.verify(a)).toBe(cachedA); // a hit through the LRU: a is now in a hot slot
    const cachedB = await admit(verifier, b); // b the most recently used
    expect(await verifier.verify(a)).toBe(cachedA); // from the hot slot: the LRU still has b as the most recent
    await admit(verifier, token({ jti: 'c' })); // evicts the least recently used: a
    expect(await verifier.verify(a)).not.toBe(cachedA);
    expect(await verifier.verify(b)).toBe(cachedB);
  });

  it('refreshes the LRU on every 32nd hit from the hot slots, so a token in use is not the one evicted', async () => {
    const { verifier } = setup({ cache: { maxEntries: 2 } });
    const a = token({ jti: 'a' });
    const b = token({ jti: 'b' });
    const cachedA = await admit(verifier, a);
    expect(await verifier.verify(a)).toBe(cachedA); // through the LRU, into a hot slot
    const cachedB = await admit(verifier, b);
    for (let i = 0; i < 32; i += 1) expect(await verifier.verify(a)).toBe(cachedA); // the 32nd goes through the LRU
    await admit(verifier, token({ jti: 'c' })); // evicts the least recently used: b
    expect(await verifier.verify(a)).toBe(cachedA);
    expect(await verifier.verify(b)).not.toBe(cachedB);
  });
});

/**
 * The hot slot of a token, as src/create-verifier.ts picks it (its mark: the low 7 bits of each of its
 * last four characters; the top `bits` of the mark times 0x9e3779b1). Recomputed here only to choose
 * tokens that share a slot or not; what the tests assert is which entry the LRU evicts.
 */
function hotSlotOf(t: string, bits = 12): number {
  const end = t.length;
  const mark = ((t.charCodeAt(end - 1) & 0x7f) << 21) | ((t.charCodeAt(end - 2) & 0x7f) << 14) | ((t.charCodeAt(end - 3) & 0x7f) << 7) | (t.charCodeAt(end - 4) & 0x7f);
  return Math.imul(mark, 0x9e3779b1) >>> (32 - bits);
}

/** Two tokens in one hot slot of 4,096 (that would not share one of 2^20), found among some tens. */
function tokensSharingAHotSlot(): [string, string] {
  const bySlot = new Map<number, string>();
  for (let i = 0; i < 50_000; i += 1) {
    const t = token({ jti: `slot-${i}` });
    const other = bySlot.get(hotSlotOf(t));
    if (other !== undefined && hotSlotOf(other, 20) !== hotSlotOf(t, 20)) return [other, t];
    bySlot.set(hotSlotOf(t), t);
  }
  throw new Error('no two tokens sharing a hot slot in 50,000');
}

describe('verified-token cache: tokens in the hot slots', () => {
  it('keeps two tokens of different hot slots there at once: hits on both leave the LRU order', async () => {
    const { verifier } = setup({ cache: { maxEntries: 2 } });
    const a = token({ jti: 'a' });
    let b = token({ jti: 'b' });
    while (hotSlotOf(b) === hotSlotOf(a)) b = token({ jti: 'b' });
    const cachedA = await admit(verifier, a);
    await verifier.verify(a); // into its hot slot, through the LRU
    const cachedB = await admit(verifier, b);
    await verifier.verify(b); // into its own hot slot: a stays in its own
    expect(await verifier.verify(a)).toBe(cachedA); // from the hot slot: b stays the most recently used
    await admit(verifier, token({ jti: 'c' }));
    expect(await verifier.verify(b)).toBe(cachedB);
    expect(await verifier.verify(a)).not.toBe(cachedA);
  });

  it('looks up in the LRU a token whose hot slot another took, which makes it the most recently used', async () => {
    const { verifier } = setup({ cache: { maxEntries: 2 } });
    const [a, b] = tokensSharingAHotSlot();
    const cachedA = await admit(verifier, a);
    await verifier.verify(a); // a in the shared slot
    const cachedB = await admit(verifier, b);
    await verifier.verify(b); // b takes the slot
    expect(await verifier.verify(a)).toBe(cachedA); // through the LRU: a is the most recently used now
    await admit(verifier, token({ jti: 'c' })); // evicts b
    expect(await verifier.verify(a)).toBe(cachedA);
    expect(await verifier.verify(b)).not.toBe(cachedB);
  });

  it('leaves a token in its hot slot when another entry of that slot leaves the cache', async () => {
    const { verifier } = setup({ cache: { maxEntries: 2 } });
    const [a, b] = tokensSharingAHotSlot();
    await admit(verifier, b);
    await verifier.verify(b); // b in the shared slot
    const cachedA = await admit(verifier, a);
    expect(await verifier.verify(a)).toBe(cachedA); // through the LRU: a takes the slot, and is the most recent
    const c = token({ jti: 'c' });
    const cachedC = await admit(verifier, c); // evicts b, the least recently used
    expect(await verifier.verify(a)).toBe(cachedA); // still from the hot slot: c stays the most recently used
    await admit(verifier, token({ jti: 'd' })); // evicts a
    expect(await verifier.verify(a)).not.toBe(cachedA);
    expect(await verifier.verify(c)).toBe(cachedC);
  });
});
