import type { Operation } from './context.js';
import { keyIdOf, keyMetadata } from './shared.js';

export const describeKey: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  input.stringList('GrantTokens');
  const key = store.resolve(keyId, { aliases: true });
  return { KeyMetadata: keyMetadata(store, key) };
};
