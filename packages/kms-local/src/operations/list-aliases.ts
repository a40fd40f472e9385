import type { Operation } from './context.js';
import { paginate, readPaging } from './shared.js';

export const listAliases: Operation = ({ store }, input) => {
  const keyId = input.string('KeyId', { min: 1, max: 2048 });
  const paging = readPaging(input, { max: 100, default: 50 });
  store.purgeDeleted();
  const key = keyId === undefined ? undefined : store.resolve(keyId, { aliases: false });
  const aliases = [...store.aliases.values()].filter((alias) => key === undefined || alias.targetKeyId === key.keyId);
  const { page, ...rest } = paginate(paging, aliases);
  return {
    Aliases: page.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: store.aliasArn(alias.aliasName),
      TargetKeyId: alias.targetKeyId,
      CreationDate: alias.creationDate,
      LastUpdatedDate: alias.lastUpdatedDate,
    })),
    ...rest,
  };
};
