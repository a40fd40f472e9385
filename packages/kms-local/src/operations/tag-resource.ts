import type { Operation } from './context.js';
import { keyIdOf, requireNotPendingDeletion } from './shared.js';
import { applyTags, readTags } from './tags.js';

export const tagResource: Operation = ({ store }, input) => {
  const key = store.resolve(keyIdOf(input), { aliases: false });
  const tags = readTags(input, true);
  requireNotPendingDeletion(key);
  applyTags(key.tags, tags);
  store.save();
  return {};
};
