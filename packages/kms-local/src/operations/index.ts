import { cancelKeyDeletion } from './cancel-key-deletion.js';
import type { Operation } from './context.js';
import { createAlias } from './create-alias.js';
import { createKey } from './create-key.js';
import { deleteAlias } from './delete-alias.js';
import { describeKey } from './describe-key.js';
import { disableKey } from './disable-key.js';
import { enableKey } from './enable-key.js';
import { generateMac } from './generate-mac.js';
import { getKeyPolicy } from './get-key-policy.js';
import { getKeyRotationStatus } from './get-key-rotation-status.js';
import { getPublicKey } from './get-public-key.js';
import { listAliases } from './list-aliases.js';
import { listKeys } from './list-keys.js';
import { listResourceTags } from './list-resource-tags.js';
import { putKeyPolicy } from './put-key-policy.js';
import { replicateKey } from './replicate-key.js';
import { scheduleKeyDeletion } from './schedule-key-deletion.js';
import { sign } from './sign.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { updateAlias } from './update-alias.js';
import { updateKeyDescription } from './update-key-description.js';
import { verify } from './verify.js';
import { verifyMac } from './verify-mac.js';

/** Every KMS operation kms-local implements, by its `X-Amz-Target` name. */
export const OPERATIONS = {
  CancelKeyDeletion: cancelKeyDeletion,
  CreateAlias: createAlias,
  CreateKey: createKey,
  DeleteAlias: deleteAlias,
  DescribeKey: describeKey,
  DisableKey: disableKey,
  EnableKey: enableKey,
  GenerateMac: generateMac,
  GetKeyPolicy: getKeyPolicy,
  GetKeyRotationStatus: getKeyRotationStatus,
  GetPublicKey: getPublicKey,
  ListAliases: listAliases,
  ListKeys: listKeys,
  ListResourceTags: listResourceTags,
  PutKeyPolicy: putKeyPolicy,
  ReplicateKey: replicateKey,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  Sign: sign,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateAlias: updateAlias,
  UpdateKeyDescription: updateKeyDescription,
  Verify: verify,
  VerifyMac: verifyMac,
} as const satisfies Record<string, Operation>;

export type KmsOperationName = keyof typeof OPERATIONS;

export const OPERATION_NAMES = Object.keys(OPERATIONS) as KmsOperationName[];

export function isOperationName(name: string): name is KmsOperationName {
  return Object.hasOwn(OPERATIONS, name);
}

/** Every operation of the KMS API (the TrentService model, as @aws-sdk/client-kms 3.1164 has it). */
export const KMS_API_OPERATIONS: readonly string[] = [
  'CancelKeyDeletion', 'ConnectCustomKeyStore', 'CreateAlias', 'CreateCustomKeyStore', 'CreateGrant', 'CreateKey', 'Decapsulate', 'Decrypt',
  'DeleteAlias', 'DeleteCustomKeyStore', 'DeleteImportedKeyMaterial', 'DeriveSharedSecret', 'DescribeCustomKeyStores', 'DescribeKey', 'DisableKey',
  'DisableKeyRotation', 'DisconnectCustomKeyStore', 'EnableKey', 'EnableKeyRotation', 'Encapsulate', 'Encrypt', 'GenerateDataKey',
  'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom',
  'GetKeyLastUsage', 'GetKeyPolicy', 'GetKeyRotationStatus', 'GetParametersForImport', 'GetPublicKey', 'ImportKeyMaterial', 'ListAliases',
  'ListGrants', 'ListKeyPolicies', 'ListKeyRotations', 'ListKeys', 'ListResourceTags', 'ListRetirableGrants', 'PutKeyPolicy', 'ReEncrypt',
  'ReplicateKey', 'RetireGrant', 'RevokeGrant', 'RotateKeyOnDemand', 'ScheduleKeyDeletion', 'Sign', 'TagResource', 'UntagResource',
  'UpdateAlias', 'UpdateCustomKeyStore', 'UpdateKeyDescription', 'UpdatePrimaryRegion', 'Verify', 'VerifyMac',
];
