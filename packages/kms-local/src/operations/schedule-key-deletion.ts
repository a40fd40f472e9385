import type { Operation } from './context.js';
import { keyIdOf, requireNotPendingDeletion } from './shared.js';

const SECONDS_PER_DAY = 86_400;

export const scheduleKeyDeletion: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const days = input.integer('PendingWindowInDays', { min: 7, max: 30 }) ?? 30;
  const key = store.resolve(keyId, { aliases: false });
  requireNotPendingDeletion(key);
  key.pendingWindowInDays = days;
  if (key.region === key.primaryRegion && store.account.relatedKeys(key).length > 1) {
    // A multi-Region primary key with replicas waits for them: its waiting period starts when the last one is deleted.
    key.keyState = 'PendingReplicaDeletion';
    key.deletionDate = undefined;
  } else {
    key.keyState = 'PendingDeletion';
    key.deletionDate = store.nowSeconds() + days * SECONDS_PER_DAY;
  }
  store.save();
  return {
    KeyId: key.arn,
    ...(key.deletionDate === undefined ? {} : { DeletionDate: key.deletionDate }),
    KeyState: key.keyState,
    PendingWindowInDays: days,
  };
};
