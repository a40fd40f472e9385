import { checkKeyPolicy, MAX_POLICY_LENGTH } from '../key-policy.js';
import type { Operation } from './context.js';
import { keyIdOf, policyNameOf, requireNotPendingDeletion } from './shared.js';

export const putKeyPolicy: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  policyNameOf(input);
  const policy = input.requiredString('Policy', { max: MAX_POLICY_LENGTH });
  input.boolean('BypassPolicyLockoutSafetyCheck');
  const key = store.resolve(keyId, { aliases: false });
  requireNotPendingDeletion(key);
  checkKeyPolicy(policy);
  key.policy = policy;
  store.save();
  return {};
};
