import { macOf } from '../key-material.js';
import type { Operation } from './context.js';
import { dryRunOf, honourDryRun, keyIdOf, macAlgorithmOf, macKey, readGrantTokens } from './shared.js';

/** GenerateMac and VerifyMac take a message of 1 to 4096 bytes. */
export const MAX_MAC_MESSAGE_BYTES = 4096;

export const generateMac: Operation = ({ store }, input) => {
  const message = input.requiredBlob('Message', { max: MAX_MAC_MESSAGE_BYTES });
  const keyId = keyIdOf(input);
  const algorithm = macAlgorithmOf(input);
  readGrantTokens(input);
  const dryRun = dryRunOf(input);
  const { key, secret } = macKey(store, keyId, algorithm, 'GenerateMac');
  honourDryRun(dryRun);
  return { Mac: macOf(secret, algorithm, message).toString('base64'), MacAlgorithm: algorithm, KeyId: key.arn };
};
