import { KmsError } from '../errors.js';
import { generateKeyMaterial } from '../key-material.js';
import { KEY_SPECS, isKeySpec, type KeyUsage } from '../key-specs.js';
import type { KeyRecord } from '../store.js';
import type { Operation } from './context.js';
import { keyMetadata } from './shared.js';
import { applyTags, readTags } from './tags.js';

const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
const UNIMPLEMENTED_SPECS = ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'];
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
/** Specs whose KEY_AGREEMENT usage KMS offers but kms-local does not implement. */
const KEY_AGREEMENT_SPECS: readonly string[] = ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'];

export const createKey: Operation = async ({ store }, input) => {
  const description = input.string('Description', { max: 8192 }) ?? '';
  input.string('Policy', { min: 1, max: 32768 });
  const specName = input.string('KeySpec') ?? input.string('CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
  const usage: KeyUsage | (typeof KEY_USAGES)[number] = input.enumValue('KeyUsage', KEY_USAGES) ?? 'ENCRYPT_DECRYPT';
  const origin = input.enumValue('Origin', ORIGINS) ?? 'AWS_KMS';
  const tags = readTags(input, false);

  if (UNIMPLEMENTED_SPECS.includes(specName)) {
    throw new KmsError('UnsupportedOperationException', `kms-local does not implement ${specName} keys; it implements ${Object.keys(KEY_SPECS).join(', ')}.`);
  }
  if (!isKeySpec(specName)) {
    throw new KmsError('ValidationException', `1 validation error detected: Value '${specName}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [${Object.keys(KEY_SPECS).join(', ')}]`);
  }
  if (origin !== 'AWS_KMS') throw new KmsError('UnsupportedOperationException', `kms-local creates keys with Origin AWS_KMS only, not ${origin}.`);
  if (input.boolean('MultiRegion') === true) throw new KmsError('UnsupportedOperationException', 'kms-local does not implement multi-Region keys.');
  if (usage === 'KEY_AGREEMENT' && KEY_AGREEMENT_SPECS.includes(specName)) {
    throw new KmsError('UnsupportedOperationException', `kms-local does not implement KEY_AGREEMENT keys; it creates ${specName} keys for SIGN_VERIFY.`);
  }
  if (usage === 'GENERATE_VERIFY_MAC' || usage === 'KEY_AGREEMENT' || !KEY_SPECS[specName].usages.includes(usage)) {
    throw new KmsError('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${specName}.`);
  }

  const keyId = store.newKeyId();
  const record: KeyRecord = {
    keyId,
    arn: store.keyArn(keyId),
    creationDate: store.nowSeconds(),
    description,
    keySpec: specName,
    keyUsage: usage,
    keyState: 'Enabled',
    tags: new Map(),
    material: specName === 'SYMMETRIC_DEFAULT' ? undefined : await generateKeyMaterial(specName),
  };
  applyTags(record.tags, tags);
  store.keys.set(keyId, record);
  store.save();
  return { KeyMetadata: keyMetadata(store, record) };
};
