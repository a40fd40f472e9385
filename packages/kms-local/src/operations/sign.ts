import { signMessage } from '../key-material.js';
import type { Operation } from './context.js';
import { dryRunOf, honourDryRun, keyIdOf, signingAlgorithmOf, signingKey } from './shared.js';

/** KMS takes at most 4096 bytes of message; a longer one must be sent as a DIGEST. */
export const MAX_MESSAGE_BYTES = 4096;

export const sign: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const message = input.requiredBlob('Message', { max: MAX_MESSAGE_BYTES });
  const messageType = input.enumValue('MessageType', ['RAW', 'DIGEST'] as const) ?? 'RAW';
  input.stringList('GrantTokens');
  const algorithm = signingAlgorithmOf(input);
  const dryRun = dryRunOf(input);
  const { key, spec, material } = signingKey(store, keyId, algorithm);
  honourDryRun(dryRun);
  const signature = signMessage(material, spec, algorithm, message, messageType);
  return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
};
