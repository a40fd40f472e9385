import type { Operation } from './context.js';
import { keyIdOf, requireNotPendingDeletion } from './shared.js';

export const disableKey: Operation = ({ store }, input) => {
  const key = store.resolve(keyIdOf(input), { aliases: false });
  requireNotPendingDeletion(key);
  key.keyState = 'Disabled';
  store.save();
  return {};
};
