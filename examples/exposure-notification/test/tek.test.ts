import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeTekMac, MAX_KEYS_PER_UPLOAD, parseTekBatch, tekMacMatches, type TemporaryExposureKey } from '../src/tek.js';

const hmacKey = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const keys: readonly TemporaryExposureKey[] = [
  { key: 'z/8AAAAAAAAAAAAAAAAAAA==', rollingStartNumber: 2_860_128, rollingPeriod: 144, transmissionRisk: 6 },
  { key: 'AAECAwQFBgcICQoLDA0ODw==', rollingStartNumber: 2_859_984, rollingPeriod: 144, transmissionRisk: 3 },
  { key: 'EBESExQVFhcYGRobHB0eHw==', rollingStartNumber: 2_860_272, rollingPeriod: 72, transmissionRisk: 0 },
];

describe('the TEK MAC (the tekmac claim)', () => {
  it('is HMAC-SHA256 over "key.rollingStartNumber.rollingPeriod.transmissionRisk" per key, sorted by base64 key, joined by commas', () => {
    const cleartext = 'AAECAwQFBgcICQoLDA0ODw==.2859984.144.3,EBESExQVFhcYGRobHB0eHw==.2860272.72.0,z/8AAAAAAAAAAAAAAAAAAA==.2860128.144.6';
    expect(computeTekMac(keys, hmacKey)).toBe(createHmac('sha256', hmacKey).update(cleartext).digest('base64'));
  });

  it('does not depend on the order the device lists its keys in', () => {
    expect(computeTekMac([...keys].reverse(), hmacKey)).toBe(computeTekMac(keys, hmacKey));
  });

  it.each([
    ['key', { key: 'AAECAwQFBgcICQoLDA0OEA==' }],
    ['rollingStartNumber', { rollingStartNumber: 2_859_985 }],
    ['rollingPeriod', { rollingPeriod: 143 }],
    ['transmissionRisk', { transmissionRisk: 4 }],
  ] as const)('changes when the %s of one key changes', (_field, change) => {
    const changed = keys.map((key, index) => (index === 1 ? { ...key, ...change } : key));
    expect(computeTekMac(changed, hmacKey)).not.toBe(computeTekMac(keys, hmacKey));
    expect(tekMacMatches(changed, hmacKey, computeTekMac(keys, hmacKey))).toBe(false);
  });

  it('changes with the device secret, so that a MAC alone reveals nothing about published keys', () => {
    expect(computeTekMac(keys, randomBytes(32))).not.toBe(computeTekMac(keys, hmacKey));
  });

  it('matches the batch it was computed over and no batch with a key added or removed', () => {
    const tekmac = computeTekMac(keys, hmacKey);
    expect(tekMacMatches(keys, hmacKey, tekmac)).toBe(true);
    expect(tekMacMatches(keys.slice(1), hmacKey, tekmac)).toBe(false);
    expect(tekMacMatches([...keys, { key: 'ICEiIyQlJicoKSorLC0uLw==', rollingStartNumber: 2_859_840, rollingPeriod: 144, transmissionRisk: 1 }], hmacKey, tekmac)).toBe(false);
  });

  it('does not match a claim that is not a 32-byte base64 MAC', () => {
    const tekmac = computeTekMac(keys, hmacKey);
    expect(tekMacMatches(keys, hmacKey, tekmac.slice(0, -4))).toBe(false);
    expect(tekMacMatches(keys, hmacKey, Buffer.from(tekmac, 'base64').toString('base64url'))).toBe(false);
  });

  it('refuses an empty batch and an HMAC key shorter than 128 bits', () => {
    expect(() => computeTekMac([], hmacKey)).toThrow(/empty batch/);
    expect(() => computeTekMac(keys, hmacKey.subarray(0, 15))).toThrow(/at least 16 bytes/);
  });
});

describe('an uploaded TEK batch', () => {
  it('is read back as the keys it holds', () => {
    expect(parseTekBatch(JSON.parse(JSON.stringify(keys)))).toEqual(keys);
  });

  it.each([
    ['no keys', [], /non-empty array/],
    ['not an array', { keys }, /non-empty array/],
    ['too many keys', Array.from({ length: MAX_KEYS_PER_UPLOAD + 1 }, (_, i) => ({ ...keys[0], key: Buffer.alloc(16, i).toString('base64') })), /more than 30 keys/],
    ['a 15-byte key', [{ ...keys[0], key: Buffer.alloc(15).toString('base64') }], /key must be 16 bytes/],
    ['a base64url key', [{ ...keys[0], key: '-_8AAAAAAAAAAAAAAAAAAA==' }], /key must be 16 bytes/],
    ['a key given twice', [keys[0], keys[0]], /repeats a key/],
    ['a rolling period over one day', [{ ...keys[0], rollingPeriod: 145 }], /rollingPeriod/],
    ['a fractional rolling start', [{ ...keys[0], rollingStartNumber: 1.5 }], /rollingStartNumber/],
    ['a transmission risk of 9', [{ ...keys[0], transmissionRisk: 9 }], /transmissionRisk/],
  ])('is refused when it has %s', (_case, batch, message) => {
    expect(() => parseTekBatch(batch)).toThrow(message);
  });
});
