import { KmsError } from '../errors.js';
import { KEY_SPECS } from '../key-specs.js';
import type { Operation } from './context.js';
import { keyIdOf, readGrantTokens, requireEnabled } from './shared.js';

export const getPublicKey: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  readGrantTokens(input);
  const key = store.resolve(keyId, { aliases: true });
  requireEnabled(key);
  if (key.material === undefined) {
    const kind = key.keySpec === 'SYMMETRIC_DEFAULT' ? 'a symmetric key' : 'an HMAC key';
    throw new KmsError('UnsupportedOperationException', `${key.arn} is ${kind}: GetPublicKey applies to asymmetric keys only.`);
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
