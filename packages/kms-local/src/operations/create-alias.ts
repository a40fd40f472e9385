import { KmsError } from '../errors.js';
import type { Operation } from './context.js';
import { keyIdOf, requireNotPendingDeletion } from './shared.js';

export const createAlias: Operation = ({ store }, input) => {
  const aliasName = input.requiredString('AliasName', { max: 256 });
  store.checkAliasName(aliasName);
  const target = store.resolve(keyIdOf(input, 'TargetKeyId'), { aliases: false });
  if (store.aliases.has(aliasName)) throw new KmsError('AlreadyExistsException', `An alias with the name ${store.aliasArn(aliasName)} already exists`);
  requireNotPendingDeletion(target);
  const now = store.nowSeconds();
  store.aliases.set(aliasName, { aliasName, targetKeyId: target.keyId, creationDate: now, lastUpdatedDate: now });
  store.save();
  return {};
};
