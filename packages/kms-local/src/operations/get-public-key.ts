import { KmsError } from '../errors.js';
import { KEY_SPECS } from '../key-specs.js';
import type { Operation } from './context.js';
import { keyIdOf, requireEnabled } from './shared.js';

export const getPublicKey: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  input.stringList('GrantTokens');
  const key = store.resolve(keyId, { aliases: true });
  requireEnabled(key);
  if (key.material === undefined) {
    throw new KmsError('UnsupportedOperationException', `${key.arn} is a symmetric key: GetPublicKey applies to asymmetric keys only.`);
  }
  const spec = KEY_SPECS[key.keySpec];
  return {
    KeyId: key.arn,
    PublicKey: key.material.spki.toString('base64'),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    ...(key.keyUsage === 'SIGN_VERIFY' ? { SigningAlgorithms: [...spec.signingAlgorithms] } : { EncryptionAlgorithms: [...spec.encryptionAlgorithms] }),
  };
};
