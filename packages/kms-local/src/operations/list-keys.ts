import type { Operation } from './context.js';
import { paginate } from './shared.js';

export const listKeys: Operation = ({ store }, input) => {
  store.purgeDeleted();
  const { page, ...paging } = paginate(input, [...store.keys.values()], { max: 1000, default: 100 });
  return { Keys: page.map((key) => ({ KeyId: key.keyId, KeyArn: key.arn })), ...paging };
};
