import type { Operation } from './context.js';
import { keyIdOf, paginate } from './shared.js';

export const listResourceTags: Operation = ({ store }, input) => {
  const key = store.resolve(keyIdOf(input), { aliases: false });
  const { page, ...paging } = paginate(input, [...key.tags], { max: 50, default: 50 });
  return { Tags: page.map(([TagKey, TagValue]) => ({ TagKey, TagValue })), ...paging };
};
