import { KmsError } from '../errors.js';
import { macMatches } from '../key-material.js';
import type { Operation } from './context.js';
import { MAX_MAC_MESSAGE_BYTES } from './generate-mac.js';
import { dryRunOf, honourDryRun, keyIdOf, macAlgorithmOf, macKey, readGrantTokens } from './shared.js';

export const verifyMac: Operation = ({ store }, input) => {
  const message = input.requiredBlob('Message', { max: MAX_MAC_MESSAGE_BYTES });
  const keyId = keyIdOf(input);
  const algorithm = macAlgorithmOf(input);
  const mac = input.requiredBlob('Mac', { max: 6144 });
  readGrantTokens(input);
  const dryRun = dryRunOf(input);
  const { key, secret } = macKey(store, keyId, algorithm, 'VerifyMac');
  honourDryRun(dryRun);
  if (!macMatches(secret, algorithm, message, mac)) {
    throw new KmsError('KMSInvalidMacException', 'The MAC is not valid for this message, key and MAC algorithm.');
  }
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm };
};
