import type { Operation } from './context.js';
import { paginate } from './shared.js';

export const listAliases: Operation = ({ store }, input) => {
  store.purgeDeleted();
  const keyId = input.string('KeyId', { min: 1, max: 2048 });
  const key = keyId === undefined ? undefined : store.resolve(keyId, { aliases: false });
  const aliases = [...store.aliases.values()].filter((alias) => key === undefined || alias.targetKeyId === key.keyId);
  const { page, ...paging } = paginate(input, aliases, { max: 100, default: 50 });
  return {
    Aliases: page.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: store.aliasArn(alias.aliasName),
      TargetKeyId: alias.targetKeyId,
      CreationDate: alias.creationDate,
      LastUpdatedDate: alias.lastUpdatedDate,
    })),
    ...paging,
  };
};
