import type { Operation } from './context.js';
import { keyIdOf, requireNotPendingDeletion } from './shared.js';

export const updateKeyDescription: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const description = input.string('Description', { max: 8192 });
  if (description === undefined) input.requiredString('Description');
  const key = store.resolve(keyId, { aliases: false });
  requireNotPendingDeletion(key);
  key.description = description ?? '';
  store.save();
  return {};
};
