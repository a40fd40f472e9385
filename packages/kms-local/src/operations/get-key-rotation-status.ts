import { KmsError } from '../errors.js';
import type { Operation } from './context.js';
import { keyIdOf } from './shared.js';

/**
 * Automatic rotation exists for symmetric encryption keys only, and is off on a new customer managed
 * key; kms-local implements neither EnableKeyRotation nor RotateKeyOnDemand, so it stays off.
 */
export const getKeyRotationStatus: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const key = store.resolve(keyId, { aliases: false });
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('UnsupportedOperationException', `${key.arn} key spec is ${key.keySpec}: automatic key rotation applies to symmetric encryption keys only.`);
  }
  return { KeyRotationEnabled: false, KeyId: key.arn };
};
