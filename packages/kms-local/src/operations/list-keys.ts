import type { Operation } from './context.js';
import { paginate, readPaging } from './shared.js';

export const listKeys: Operation = ({ store }, input) => {
  const paging = readPaging(input, { max: 1000, default: 100 });
  store.purgeDeleted();
  const { page, ...rest } = paginate(paging, [...store.keys.values()]);
  return { Keys: page.map((key) => ({ KeyId: key.keyId, KeyArn: key.arn })), ...rest };
};
