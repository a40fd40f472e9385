import { KmsError } from '../errors.js';
import { verifySignature } from '../key-material.js';
import type { Operation } from './context.js';
import { dryRunOf, honourDryRun, keyIdOf, messageTypeOf, readGrantTokens, signingAlgorithmOf, signingKey } from './shared.js';
import { MAX_MESSAGE_BYTES, rejectExternalMu } from './sign.js';

export const verify: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const message = input.requiredBlob('Message', { max: MAX_MESSAGE_BYTES });
  const signature = input.requiredBlob('Signature', { max: 6144 });
  const messageType = messageTypeOf(input);
  readGrantTokens(input);
  const requested = signingAlgorithmOf(input);
  const dryRun = dryRunOf(input);
  const { key, spec, material, algorithm } = signingKey(store, keyId, requested, 'Verify');
  const type = rejectExternalMu(messageType);
  honourDryRun(dryRun);
  if (!verifySignature(material, spec, algorithm, message, type, signature)) {
    throw new KmsError('KMSInvalidSignatureException', 'The signature is not valid for this message, key and signing algorithm.');
  }
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
};
