import { describe, expect, it } from 'vitest';
import { clamp, freshnessMs } from '../src/jwks-cache-control.js';

// How long a JWKS answer is fresh by its headers, at the edges of the parsing (jwks-cache-control.ts).

const bounds = { minMs: 60_000, maxMs: 900_000 };

describe('freshnessMs: reading Cache-Control and Age', () => {
  it.each([
    ['a directive name in capitals', { 'cache-control': 'Max-Age=300' }, 300_000],
    ['spaces around the name and value', { 'cache-control': 'public ,  max-age = 300 ' }, 300_000],
    ['NO-CACHE in capitals', { 'cache-control': 'max-age=300, NO-CACHE' }, 60_000],
    ['no-store before max-age', { 'cache-control': 'no-store, max-age=300' }, 60_000],
    ['a value with an = in it', { 'cache-control': 'max-age=300=1' }, undefined],
    ['an empty max-age, then a valid one', { 'cache-control': 'max-age=, max-age=300' }, 300_000],
    ['an invalid max-age, then a valid one', { 'cache-control': 'max-age=abc, max-age=240' }, 240_000],
    ['a quoted value missing its closing quote', { 'cache-control': 'max-age="120' }, undefined],
    ['max-age=0', { 'cache-control': 'max-age=0' }, 60_000],
    ['another directive with a number before max-age', { 'cache-control': 's-maxage=30, max-age=300' }, 300_000],
    ['a value with quotes inside it', { 'cache-control': 'max-age=1"2"' }, undefined],
    ['a value with text after its quotes', { 'cache-control': 'max-age="1"2' }, undefined],
    ['a directive without a value named like max-age', { 'cache-control': 'max-age' }, undefined],
    ['an Age that is not a number', { 'cache-control': 'max-age=300', age: 'soon' }, 300_000],
    ['a negative Age', { 'cache-control': 'max-age=300', age: '-100' }, 300_000],
    ['an Age past max-age', { 'cache-control': 'max-age=300', age: '400' }, 60_000],
    ['an Age with spaces', { 'cache-control': 'max-age=300', age: ' 120 ' }, 180_000],
  ])('reads %s', (_name, values, expected) => {
    expect(freshnessMs(new Headers(values), bounds)).toBe(expected);
  });

  it('reads an Age past max-age as fresh for no time at all when the minimum is 0', () => {
    expect(freshnessMs(new Headers({ 'cache-control': 'max-age=300', age: '400' }), { minMs: 0, maxMs: 900_000 })).toBe(0);
  });

  it('reads headers that only answer get(), an Age with spaces around it included', () => {
    const seen: string[] = [];
    const values: Record<string, string> = { 'cache-control': 'max-age=180', age: ' 60 ' };
    const headers = { get: (name: string) => (seen.push(name), values[name] ?? null) };
    expect(freshnessMs(headers, bounds)).toBe(120_000);
    expect(seen).toEqual(['cache-control', 'age']);
  });
});

describe('clamp', () => {
  it('keeps a value within the bounds, and moves one outside to the nearest bound', () => {
    expect(clamp(120_000, bounds)).toBe(120_000);
    expect(clamp(60_000, bounds)).toBe(60_000);
    expect(clamp(900_000, bounds)).toBe(900_000);
    expect(clamp(59_999, bounds)).toBe(60_000);
    expect(clamp(900_001, bounds)).toBe(900_000);
  });
});
