import { describe, expect, it } from 'vitest';
import { requestSlot } from '../../src/http/index.js';

describe('requestSlot', () => {
  it('keeps a state per holder under its own symbol, hidden from JSON and for...in', () => {
    const slot = requestSlot<object, { user: string }>('kms-jwt-test.state');
    const first = { url: '/a' };
    const second = { url: '/b' };
    expect(slot.get(first)).toBeUndefined();
    slot.set(first, { user: 'one' });
    expect(slot.get(first)).toEqual({ user: 'one' });
    expect(slot.get(second)).toBeUndefined();
    expect(JSON.stringify(first)).toBe('{"url":"/a"}');
    expect(Object.keys(first)).toEqual(['url']);
    expect(Object.getOwnPropertySymbols(first)).toEqual([slot.key]);
    expect(slot.key.description).toBe('kms-jwt-test.state');
  });

  it('answers undefined for a slot declared null (a Fastify request decorator), and two slots never share a state', () => {
    const one = requestSlot<object, string>('kms-jwt-test.state');
    const other = requestSlot<object, string>('kms-jwt-test.state');
    expect(one.key).not.toBe(other.key);
    const holder: Record<symbol, unknown> = { [one.key]: null };
    expect(one.get(holder)).toBeUndefined();
    one.set(holder, 'mine');
    expect(one.get(holder)).toBe('mine');
    expect(other.get(holder)).toBeUndefined();
  });
});
