import { cancelKeyDeletion } from './cancel-key-deletion.js';
import type { Operation } from './context.js';
import { createAlias } from './create-alias.js';
import { createKey } from './create-key.js';
import { deleteAlias } from './delete-alias.js';
import { describeKey } from './describe-key.js';
import { disableKey } from './disable-key.js';
import { enableKey } from './enable-key.js';
import { getPublicKey } from './get-public-key.js';
import { listAliases } from './list-aliases.js';
import { listKeys } from './list-keys.js';
import { listResourceTags } from './list-resource-tags.js';
import { scheduleKeyDeletion } from './schedule-key-deletion.js';
import { sign } from './sign.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { updateAlias } from './update-alias.js';
import { verify } from './verify.js';

/** Every KMS operation kms-local implements, by its `X-Amz-Target` name. */
export const OPERATIONS = {
  CancelKeyDeletion: cancelKeyDeletion,
  CreateAlias: createAlias,
  CreateKey: createKey,
  DeleteAlias: deleteAlias,
  DescribeKey: describeKey,
  DisableKey: disableKey,
  EnableKey: enableKey,
  GetPublicKey: getPublicKey,
  ListAliases: listAliases,
  ListKeys: listKeys,
  ListResourceTags: listResourceTags,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  Sign: sign,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateAlias: updateAlias,
  Verify: verify,
} as const satisfies Record<string, Operation>;

export type KmsOperationName = keyof typeof OPERATIONS;

export const OPERATION_NAMES = Object.keys(OPERATIONS) as KmsOperationName[];

export function isOperationName(name: string): name is KmsOperationName {
  return Object.hasOwn(OPERATIONS, name);
}
