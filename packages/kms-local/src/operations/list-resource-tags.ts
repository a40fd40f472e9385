import type { Operation } from './context.js';
import { keyIdOf, paginate, readPaging } from './shared.js';

export const listResourceTags: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const paging = readPaging(input, { max: 50, default: 50 });
  const key = store.resolve(keyId, { aliases: false });
  const { page, ...rest } = paginate(paging, [...key.tags]);
  return { Tags: page.map(([TagKey, TagValue]) => ({ TagKey, TagValue })), ...rest };
};
