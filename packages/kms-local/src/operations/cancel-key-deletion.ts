import { KmsError } from '../errors.js';
import type { Operation } from './context.js';
import { keyIdOf } from './shared.js';

export const cancelKeyDeletion: Operation = ({ store }, input) => {
  const key = store.resolve(keyIdOf(input), { aliases: false });
  if (key.keyState !== 'PendingDeletion' && key.keyState !== 'PendingReplicaDeletion') {
    throw new KmsError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
  }
  key.keyState = 'Disabled';
  key.deletionDate = undefined;
  key.pendingWindowInDays = undefined;
  store.save();
  return { KeyId: key.arn };
};
