import { KmsError } from '../errors.js';
import type { Operation } from './context.js';
import { keyIdOf, requireNotPendingDeletion } from './shared.js';

export const updateAlias: Operation = ({ store }, input) => {
  const aliasName = input.requiredString('AliasName', { max: 256 });
  store.checkAliasName(aliasName);
  const target = store.resolve(keyIdOf(input, 'TargetKeyId'), { aliases: false });
  const alias = store.aliases.get(aliasName);
  if (!alias) throw new KmsError('NotFoundException', `Alias ${store.aliasArn(aliasName)} is not found.`);
  requireNotPendingDeletion(target);
  const current = store.keys.get(alias.targetKeyId);
  if (current) {
    const currentSymmetric = current.keySpec === 'SYMMETRIC_DEFAULT';
    const targetSymmetric = target.keySpec === 'SYMMETRIC_DEFAULT';
    if (current.keyUsage !== target.keyUsage || currentSymmetric !== targetSymmetric) {
      throw new KmsError(
        'ValidationException',
        `${target.arn} has key usage ${target.keyUsage}${targetSymmetric ? ' (symmetric)' : ''}, but alias ${aliasName} points to a key with key usage ${current.keyUsage}${currentSymmetric ? ' (symmetric)' : ''}; the new key must have the same type and key usage.`,
      );
    }
  }
  alias.targetKeyId = target.keyId;
  alias.lastUpdatedDate = store.nowSeconds();
  store.save();
  return {};
};
