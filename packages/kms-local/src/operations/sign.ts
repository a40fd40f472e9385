import { KmsError } from '../errors.js';
import { signMessage } from '../key-material.js';
import type { Operation } from './context.js';
import { dryRunOf, honourDryRun, keyIdOf, messageTypeOf, readGrantTokens, signingAlgorithmOf, signingKey } from './shared.js';

/** KMS takes at most 4096 bytes of message; a longer one must be sent as a DIGEST. */
export const MAX_MESSAGE_BYTES = 4096;

/** EXTERNAL_MU is a MessageType of ML-DSA signing, which kms-local does not implement. */
export function rejectExternalMu(messageType: 'RAW' | 'DIGEST' | 'EXTERNAL_MU'): 'RAW' | 'DIGEST' {
  if (messageType === 'EXTERNAL_MU') {
    throw new KmsError('ValidationException', 'MessageType EXTERNAL_MU is for ML_DSA_SHAKE_256 with ML-DSA keys, which kms-local does not implement; use RAW or DIGEST.');
  }
  return messageType;
}

export const sign: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const message = input.requiredBlob('Message', { max: MAX_MESSAGE_BYTES });
  const messageType = messageTypeOf(input);
  readGrantTokens(input);
  const requested = signingAlgorithmOf(input);
  const dryRun = dryRunOf(input);
  const { key, spec, material, algorithm } = signingKey(store, keyId, requested, 'Sign');
  const type = rejectExternalMu(messageType);
  honourDryRun(dryRun);
  const signature = signMessage(material, spec, algorithm, message, type);
  return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
};
