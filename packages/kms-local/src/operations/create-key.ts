import { KmsError } from '../errors.js';
import { generateHmacKey, generateKeyMaterial } from '../key-material.js';
import { checkKeyPolicy, MAX_POLICY_LENGTH } from '../key-policy.js';
import { KEY_SPECS, isHmacKeySpec, isKeySpec, isSigningKeySpec } from '../key-specs.js';
import type { Operation } from './context.js';
import { keyMetadata } from './shared.js';
import { applyTags, readTags } from './tags.js';

const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'] as const;
const UNIMPLEMENTED_SPECS = ['SM2', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024'];
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
/** Specs whose KEY_AGREEMENT usage KMS offers but kms-local does not implement. */
const KEY_AGREEMENT_SPECS: readonly string[] = ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'];

export const createKey: Operation = async ({ store }, input) => {
  const description = input.string('Description', { max: 8192 }) ?? '';
  const policy = input.string('Policy', { min: 1, max: MAX_POLICY_LENGTH });
  input.boolean('BypassPolicyLockoutSafetyCheck');
  const specName = input.string('KeySpec') ?? input.string('CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
  const requestedUsage = input.enumValue('KeyUsage', KEY_USAGES);
  const origin = input.enumValue('Origin', ORIGINS) ?? 'AWS_KMS';
  const multiRegion = input.boolean('MultiRegion') === true;
  const tags = readTags(input, false);

  if (UNIMPLEMENTED_SPECS.includes(specName)) {
    throw new KmsError('UnsupportedOperationException', `kms-local does not implement ${specName} keys; it implements ${Object.keys(KEY_SPECS).join(', ')}.`);
  }
  if (!isKeySpec(specName)) {
    throw new KmsError('ValidationException', `1 validation error detected: Value '${specName}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [${Object.keys(KEY_SPECS).join(', ')}]`);
  }
  if (requestedUsage === undefined && specName !== 'SYMMETRIC_DEFAULT') {
    // AWS KMS's own message (recorded from AWS in localstack's KMS snapshot tests).
    throw new KmsError('ValidationException', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  const usage = requestedUsage ?? 'ENCRYPT_DECRYPT';
  if (origin !== 'AWS_KMS') throw new KmsError('UnsupportedOperationException', `kms-local creates keys with Origin AWS_KMS only, not ${origin}.`);
  if (usage === 'KEY_AGREEMENT' && KEY_AGREEMENT_SPECS.includes(specName)) {
    throw new KmsError('UnsupportedOperationException', `kms-local does not implement KEY_AGREEMENT keys; it creates ${specName} keys for SIGN_VERIFY.`);
  }
  if (usage === 'KEY_AGREEMENT' || usage === 'ENCAPSULATE_DECAPSULATE' || !KEY_SPECS[specName].usages.includes(usage)) {
    throw new KmsError('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${specName}.`);
  }
  if (policy !== undefined) checkKeyPolicy(policy);
  const keyTags = new Map<string, string>();
  applyTags(keyTags, tags);

  const record = store.addKey({
    keyId: store.newKeyId(multiRegion),
    creationDate: store.nowSeconds(),
    description,
    keySpec: specName,
    keyUsage: usage,
    keyState: 'Enabled',
    tags: keyTags,
    policy,
    material: isSigningKeySpec(specName) ? await generateKeyMaterial(specName) : undefined,
    secret: isHmacKeySpec(specName) ? generateHmacKey(specName) : undefined,
    primaryRegion: multiRegion ? store.region : undefined,
  });
  store.save();
  return { KeyMetadata: keyMetadata(store, record) };
};
