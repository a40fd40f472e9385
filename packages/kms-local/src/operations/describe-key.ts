import type { Operation } from './context.js';
import { keyIdOf, keyMetadata } from './shared.js';

export const describeKey: Operation = ({ store }, input) => {
  const key = store.resolve(keyIdOf(input), { aliases: true });
  return { KeyMetadata: keyMetadata(store, key) };
};
