import { KmsError } from '../errors.js';
import { checkKeyPolicy, MAX_POLICY_LENGTH } from '../key-policy.js';
import { partitionOf, REGION_NAME } from '../partition.js';
import type { Operation } from './context.js';
import { keyIdOf, keyMetadata, requireNotPendingDeletion } from './shared.js';
import { applyTags, readTags } from './tags.js';

/** RegionType of the KMS model. */
const REGION_PATTERN = /^([a-z]+-){2,3}\d+$/;

/**
 * Creates a replica of a multi-Region primary key in another Region of this kms-local: the same key id
 * and key material (so signatures and MACs are interchangeable), its own Regional ARN, description,
 * key policy and tags. Called in the primary key's Region, as in KMS.
 */
export const replicateKey: Operation = ({ store }, input) => {
  const keyId = keyIdOf(input);
  const replicaRegion = input.requiredString('ReplicaRegion', { max: 32, pattern: REGION_PATTERN });
  const policy = input.string('Policy', { min: 1, max: MAX_POLICY_LENGTH });
  input.boolean('BypassPolicyLockoutSafetyCheck');
  const description = input.string('Description', { max: 8192 }) ?? '';
  const tags = readTags(input, false);

  const primary = store.resolve(keyId, { aliases: false });
  if (primary.primaryRegion === undefined) {
    throw new KmsError('UnsupportedOperationException', `${primary.arn} is not a multi-Region key: only a key created with MultiRegion true can be replicated.`);
  }
  if (primary.region !== primary.primaryRegion) {
    throw new KmsError('UnsupportedOperationException', `${primary.arn} is a replica key: call ReplicateKey in ${primary.primaryRegion} with the primary key.`);
  }
  if (primary.keyState === 'Disabled') throw new KmsError('DisabledException', `${primary.arn} is disabled.`);
  requireNotPendingDeletion(primary);
  if (!REGION_NAME.test(replicaRegion) || partitionOf(replicaRegion) !== store.partition) {
    throw new KmsError('UnsupportedOperationException', `${replicaRegion} is not a Region of the ${store.partition} partition: a replica must be in the primary key's partition.`);
  }
  const target = store.account.region(replicaRegion);
  const existing = target.keys.get(primary.keyId);
  if (existing !== undefined) {
    throw new KmsError('AlreadyExistsException', `${existing.arn} already exists: ${replicaRegion} holds ${existing.region === primary.region ? 'the primary key' : 'a replica of this key'}.`);
  }
  if (policy !== undefined) checkKeyPolicy(policy);
  const replicaTags = new Map<string, string>();
  applyTags(replicaTags, tags);

  const replica = target.addKey({
    keyId: primary.keyId,
    creationDate: store.nowSeconds(),
    description,
    keySpec: primary.keySpec,
    keyUsage: primary.keyUsage,
    // KMS shows a transient Creating state for a few seconds; kms-local's replica is usable at once.
    keyState: 'Enabled',
    tags: replicaTags,
    policy,
    material: primary.material,
    secret: primary.secret,
    keyMaterialId: primary.keyMaterialId,
    primaryRegion: primary.primaryRegion,
  });
  store.save();
  return {
    ReplicaKeyMetadata: keyMetadata(target, replica),
    ReplicaPolicy: replica.policy,
    ReplicaTags: [...replica.tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
  };
};
