import type { Operation } from './context.js';
import { keyIdOf, keyMetadata, readGrantTokens } from './shared.js';

export const describeKey: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  readGrantTokens(input);
  const key = store.resolve(keyId, { aliases: true });
  return { KeyMetadata: keyMetadata(store, key) };
};
