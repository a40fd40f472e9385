import { KmsError } from '../errors.js';
import type { Operation } from './context.js';

export const deleteAlias: Operation = ({ store }, input) => {
  const aliasName = input.requiredString('AliasName', { max: 256 });
  store.checkAliasName(aliasName);
  store.purgeDeleted();
  if (!store.aliases.delete(aliasName)) throw new KmsError('NotFoundException', `Alias ${store.aliasArn(aliasName)} is not found.`);
  store.save();
  return {};
};
