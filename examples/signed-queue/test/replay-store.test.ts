import type { MessageHeader, ReplayHookInput } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { InMemoryReplayStore } from '../src/replay-store.js';

const KEY_A = 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111';
const KEY_B = 'arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222';

function input(key: string, messageId: string, rememberUntil: number | undefined): ReplayHookInput {
  const header: MessageHeader = { alg: 'ES256', kid: key, typ: 'kms-jwt-message+jws', cty: 'json', iat: 1000, jti: messageId };
  return { key, messageId, issuedAt: 1000, rememberUntil, header };
}

describe('the in-memory replay store', () => {
  it('answers false for a new id and true for the same id again', () => {
    const store = new InMemoryReplayStore({ nowMs: () => 2_000_000 });
    expect(store.isReplayed(input(KEY_A, 'm-1', 5000))).toBe(false);
    expect(store.isReplayed(input(KEY_A, 'm-1', 5000))).toBe(true);
    expect(store.isReplayed(input(KEY_A, 'm-2', 5000))).toBe(false);
    expect(store.size).toBe(2);
  });

  it('scopes ids by the key that signed: two producers may choose the same id', () => {
    const store = new InMemoryReplayStore({ nowMs: () => 2_000_000 });
    expect(store.isReplayed(input(KEY_A, 'order-42', 5000))).toBe(false);
    expect(store.isReplayed(input(KEY_B, 'order-42', 5000))).toBe(false);
    expect(store.isReplayed(input(KEY_B, 'order-42', 5000))).toBe(true);
  });

  it('forgets an id at its rememberUntil, when the verifier would refuse the message anyway', () => {
    let nowMs = 4_000_000;
    const store = new InMemoryReplayStore({ nowMs: () => nowMs });
    expect(store.isReplayed(input(KEY_A, 'm-1', 4_100))).toBe(false);
    nowMs = 4_099_999;
    expect(store.isReplayed(input(KEY_A, 'm-1', 4_100))).toBe(true);
    nowMs = 4_100_000;
    expect(store.size).toBe(0);
    expect(store.isReplayed(input(KEY_A, 'm-1', 4_200))).toBe(false);
  });

  it('keeps an id with no rememberUntil for as long as it lives', () => {
    let nowMs = 1_000;
    const store = new InMemoryReplayStore({ nowMs: () => nowMs });
    expect(store.isReplayed(input(KEY_A, 'm-1', undefined))).toBe(false);
    nowMs = 10 * 365 * 86_400_000;
    expect(store.isReplayed(input(KEY_A, 'm-1', undefined))).toBe(true);
  });

  it('accepts an id again once it is forgotten (its processing failed)', () => {
    const store = new InMemoryReplayStore({ nowMs: () => 2_000_000 });
    expect(store.isReplayed(input(KEY_A, 'm-1', 5000))).toBe(false);
    store.forget(KEY_A, 'm-1');
    expect(store.isReplayed(input(KEY_A, 'm-1', 5000))).toBe(false);
    expect(store.isReplayed(input(KEY_A, 'm-1', 5000))).toBe(true);
  });
});
