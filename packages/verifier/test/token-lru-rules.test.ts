import { describe, expect, it } from 'vitest';
import { TokenLru } from '../src/token-lru.js';

/** A store of `max` entries that records, in order, every value that left it. */
function store(max: number) {
  const left: string[] = [];
  return { lru: new TokenLru<string>(max, (value) => left.push(value)), left };
}

describe('TokenLru, the verified-token cache store', () => {
  it('evicts the least recently stored entry when full, and tells which', () => {
    const { lru, left } = store(2);
    lru.set('a', 'A');
    lru.set('b', 'B');
    lru.set('c', 'C');
    expect(left).toEqual(['A']);
    expect(lru.size).toBe(2);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([undefined, 'B', 'C']);
  });

  it('a hit makes its entry the most recently used: the other one is evicted next', () => {
    const { lru, left } = store(2);
    lru.set('a', 'A');
    lru.set('b', 'B');
    expect(lru.get('a')).toBe('A');
    lru.set('c', 'C');
    expect(left).toEqual(['B']);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual(['A', undefined, 'C']);
  });

  it('a miss changes nothing', () => {
    const { lru, left } = store(2);
    lru.set('a', 'A');
    lru.set('b', 'B');
    expect(lru.get('x')).toBeUndefined();
    lru.set('c', 'C');
    expect(left).toEqual(['A']);
  });

  it('replacing a token\'s entry reports the old one (never evicting another), and storing the same one again reports nothing', () => {
    const { lru, left } = store(2);
    lru.set('a', 'A');
    lru.set('b', 'B');
    lru.set('a', 'A2');
    expect(left).toEqual(['A']);
    expect(lru.size).toBe(2);
    lru.set('a', 'A2');
    expect(left).toEqual(['A']);
    // 'a' was stored last: 'b' is the least recently used.
    lru.set('c', 'C');
    expect(left).toEqual(['A', 'B']);
  });

  it('delete reports the entry it removed and says whether there was one', () => {
    const { lru, left } = store(3);
    lru.set('a', 'A');
    expect(lru.delete('a')).toBe(true);
    expect(lru.delete('a')).toBe(false);
    expect(left).toEqual(['A']);
    expect(lru.size).toBe(0);
    expect(lru.get('a')).toBeUndefined();
  });

  it('holds one entry when max is 1', () => {
    const { lru, left } = store(1);
    lru.set('a', 'A');
    lru.set('b', 'B');
    expect(left).toEqual(['A']);
    expect(lru.get('b')).toBe('B');
    expect(lru.size).toBe(1);
  });
});
