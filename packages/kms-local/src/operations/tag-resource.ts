import type { Operation } from './context.js';
import { keyIdOf, requireNotPendingDeletion } from './shared.js';
import { applyTags, readTags } from './tags.js';

export const tagResource: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const tags = readTags(input, true);
  const key = store.resolve(keyId, { aliases: false });
  requireNotPendingDeletion(key);
  applyTags(key.tags, tags);
  store.save();
  return {};
};
