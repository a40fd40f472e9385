import type { ReplayHookInput } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { DeliveryLog } from '../src/delivery-log.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222';

function input(key: string, messageId: string, rememberUntil: number): ReplayHookInput {
  return { key, messageId, issuedAt: 1000, rememberUntil, header: { alg: 'ES256', kid: key, typ: 'kms-jwt-message+jws', cty: 'json', iat: 1000, jti: messageId } };
}

describe("the receiver's delivery log", () => {
  it('records a new delivery as processing, then done, and answers true for it meanwhile', () => {
    const log = new DeliveryLog({ nowMs: () => 1_000_000 });
    expect(log.isReplayed(input(KEY, 'm-1', 2000))).toBe(false);
    expect(log.stateOf(KEY, 'm-1')).toBe('processing');
    expect(log.isReplayed(input(KEY, 'm-1', 2000))).toBe(true);
    log.done(KEY, 'm-1');
    expect(log.stateOf(KEY, 'm-1')).toBe('done');
    expect(log.isReplayed(input(KEY, 'm-1', 2000))).toBe(true);
    expect(log.stateOf(OTHER_KEY, 'm-1')).toBeUndefined();
  });

  it('forgets a delivery whose handling failed, so that the retry is handled', () => {
    const log = new DeliveryLog({ nowMs: () => 1_000_000 });
    expect(log.isReplayed(input(KEY, 'm-1', 2000))).toBe(false);
    log.forget(KEY, 'm-1');
    expect(log.stateOf(KEY, 'm-1')).toBeUndefined();
    expect(log.isReplayed(input(KEY, 'm-1', 2000))).toBe(false);
  });

  it('lets a delivery go at its rememberUntil', () => {
    let nowMs = 1_000_000;
    const log = new DeliveryLog({ nowMs: () => nowMs });
    expect(log.isReplayed(input(KEY, 'm-1', 1300))).toBe(false);
    log.done(KEY, 'm-1');
    nowMs = 1_299_999;
    expect(log.stateOf(KEY, 'm-1')).toBe('done');
    nowMs = 1_300_000;
    expect(log.stateOf(KEY, 'm-1')).toBeUndefined();
    expect(log.isReplayed(input(KEY, 'm-1', 1400))).toBe(false);
  });
});
