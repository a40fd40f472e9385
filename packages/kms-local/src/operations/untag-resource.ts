import { KmsError } from '../errors.js';
import type { Operation } from './context.js';
import { keyIdOf, requireNotPendingDeletion } from './shared.js';

export const untagResource: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const tagKeys = input.stringList('TagKeys');
  if (tagKeys === undefined) throw new KmsError('ValidationException', "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
  const key = store.resolve(keyId, { aliases: false });
  requireNotPendingDeletion(key);
  for (const tagKey of tagKeys) key.tags.delete(tagKey);
  store.save();
  return {};
};
