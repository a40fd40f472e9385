import type { Operation } from './context.js';
import { keyIdOf, requireNotPendingDeletion } from './shared.js';

const SECONDS_PER_DAY = 86_400;

export const scheduleKeyDeletion: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const days = input.integer('PendingWindowInDays', { min: 7, max: 30 }) ?? 30;
  const key = store.resolve(keyId, { aliases: false });
  requireNotPendingDeletion(key);
  key.keyState = 'PendingDeletion';
  key.pendingWindowInDays = days;
  key.deletionDate = store.nowSeconds() + days * SECONDS_PER_DAY;
  store.save();
  return { KeyId: key.arn, DeletionDate: key.deletionDate, KeyState: key.keyState, PendingWindowInDays: days };
};
