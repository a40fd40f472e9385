import type { Operation } from './context.js';
import { keyIdOf, policyNameOf } from './shared.js';

export const getKeyPolicy: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const policyName = policyNameOf(input);
  const key = store.resolve(keyId, { aliases: false });
  return { Policy: key.policy, PolicyName: policyName };
};
