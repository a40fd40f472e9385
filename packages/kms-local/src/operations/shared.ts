import { KmsError } from '../errors.js';
import type { Input } from '../input.js';
import type { KeyMaterial } from '../key-material.js';
import {
  KEY_SPECS,
  MAC_ALGORITHMS,
  SIGNING_ALGORITHMS,
  isHmacKeySpec,
  isSigningKeySpec,
  type HmacKeySpec,
  type ImplementedSigningAlgorithm,
  type MacAlgorithm,
  type SigningAlgorithm,
  type SigningKeySpec,
} from '../key-specs.js';
import type { KeyRecord, KmsStore } from '../store.js';

/** Reads the KeyId member every key operation takes (1–2048 characters). */
export function keyIdOf(input: Input, name = 'KeyId'): string {
  return input.requiredString(name, { max: 2048 });
}

/** Reads GrantTokens: at most 10 tokens of 1 to 8192 characters (GrantTokenList in the KMS model). kms-local has no grants to check them against. */
export function readGrantTokens(input: Input): void {
  input.stringList('GrantTokens', { max: 10, itemMin: 1, itemMax: 8192 });
}

/** The MultiRegionConfiguration of DescribeKey for a multi-Region key. */
function multiRegionConfiguration(store: KmsStore, key: KeyRecord): Record<string, unknown> {
  const related = store.account.relatedKeys(key);
  const primary = related.find((record) => record.region === record.primaryRegion);
  return {
    MultiRegionKeyType: key.region === key.primaryRegion ? 'PRIMARY' : 'REPLICA',
    PrimaryKey: { Arn: primary?.arn ?? store.account.region(key.primaryRegion ?? key.region).keyArn(key.keyId), Region: key.primaryRegion },
    ReplicaKeys: related.filter((record) => record !== primary).map((record) => ({ Arn: record.arn, Region: record.region })),
  };
}

/** The KeyMetadata structure of CreateKey, DescribeKey and ReplicateKey. */
export function keyMetadata(store: KmsStore, key: KeyRecord): Record<string, unknown> {
  const spec = KEY_SPECS[key.keySpec];
  const algorithms =
    key.keyUsage === 'SIGN_VERIFY'
      ? { SigningAlgorithms: [...spec.signingAlgorithms] }
      : key.keyUsage === 'GENERATE_VERIFY_MAC'
        ? { MacAlgorithms: [...spec.macAlgorithms] }
        : { EncryptionAlgorithms: [...spec.encryptionAlgorithms] };
  return {
    AWSAccountId: store.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    ...(key.keyState === 'PendingDeletion' && key.deletionDate !== undefined ? { DeletionDate: key.deletionDate } : {}),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...algorithms,
    MultiRegion: key.primaryRegion !== undefined,
    ...(key.primaryRegion === undefined ? {} : { MultiRegionConfiguration: multiRegionConfiguration(store, key) }),
    // Only a multi-Region primary key waiting for its replicas to be deleted shows its waiting period here.
    ...(key.keyState === 'PendingReplicaDeletion' ? { PendingDeletionWindowInDays: key.pendingWindowInDays } : {}),
    ...(key.keyMaterialId === undefined ? {} : { CurrentKeyMaterialId: key.keyMaterialId }),
  };
}

/** Cryptographic operations need an Enabled key: KMS's errors for the other states. */
export function requireEnabled(key: KeyRecord): void {
  if (key.keyState === 'Disabled') throw new KmsError('DisabledException', `${key.arn} is disabled.`);
  requireNotPendingDeletion(key);
}

/** Management operations that KMS refuses on a key pending deletion. */
export function requireNotPendingDeletion(key: KeyRecord): void {
  if (key.keyState === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
  if (key.keyState === 'PendingReplicaDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending replica deletion.`);
}

/** KMS's InvalidKeyUsageException for a key whose usage does not fit the operation. */
function wrongUsage(key: KeyRecord, operation: string): KmsError {
  return new KmsError('InvalidKeyUsageException', `${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
}

/** Sign and Verify: a SIGN_VERIFY key, enabled, and an algorithm its key spec offers. */
export function signingKey(
  store: KmsStore,
  keyId: string,
  algorithm: SigningAlgorithm,
  operation: 'Sign' | 'Verify',
): { key: KeyRecord; spec: SigningKeySpec; material: KeyMaterial; algorithm: ImplementedSigningAlgorithm } {
  const key = store.resolve(keyId, { aliases: true });
  requireEnabled(key);
  const { material, keySpec: spec } = key;
  if (key.keyUsage !== 'SIGN_VERIFY' || material === undefined || !isSigningKeySpec(spec)) throw wrongUsage(key, operation);
  const offered = KEY_SPECS[spec].signingAlgorithms.find((candidate) => candidate === algorithm);
  if (offered === undefined) throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${spec}.`);
  return { key, spec, material, algorithm: offered };
}

/** GenerateMac and VerifyMac: a GENERATE_VERIFY_MAC key, enabled, and the MAC algorithm of its key spec. */
export function macKey(store: KmsStore, keyId: string, algorithm: MacAlgorithm, operation: 'GenerateMac' | 'VerifyMac'): { key: KeyRecord; secret: Buffer } {
  const key = store.resolve(keyId, { aliases: true });
  requireEnabled(key);
  const spec = key.keySpec;
  if (key.keyUsage !== 'GENERATE_VERIFY_MAC' || key.secret === undefined || !isHmacKeySpec(spec)) throw wrongUsage(key, operation);
  if (!KEY_SPECS[spec satisfies HmacKeySpec].macAlgorithms.includes(algorithm)) {
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${spec}.`);
  }
  return { key, secret: key.secret };
}

/** The SigningAlgorithm member of Sign and Verify: any value of the model's enum. */
export function signingAlgorithmOf(input: Input): SigningAlgorithm {
  return input.requiredEnum('SigningAlgorithm', SIGNING_ALGORITHMS);
}

/** The MacAlgorithm member of GenerateMac and VerifyMac. */
export function macAlgorithmOf(input: Input): MacAlgorithm {
  return input.requiredEnum('MacAlgorithm', MAC_ALGORITHMS);
}

/** The MessageType member of Sign and Verify: EXTERNAL_MU is a value of the model, for ML-DSA keys only. */
export function messageTypeOf(input: Input): 'RAW' | 'DIGEST' | 'EXTERNAL_MU' {
  return input.enumValue('MessageType', ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const) ?? 'RAW';
}

const MARKER_PREFIX = 'kms-local:';

/** The Limit and Marker members of a list operation, read before the operation looks anything up. */
export interface Paging {
  readonly limit: number;
  readonly marker?: string | undefined;
}

/** Reads Limit (1..max, default `default`) and Marker, as every list operation takes them. */
export function readPaging(input: Input, limits: { max: number; default: number }): Paging {
  const limit = input.integer('Limit', { min: 1, max: limits.max }) ?? limits.default;
  const marker = input.string('Marker', { min: 1, max: 1024 });
  return { limit, marker };
}

/** Limit/Marker/Truncated paging over an ordered list, with opaque markers. */
export function paginate<T>(paging: Paging, items: readonly T[]): { page: T[]; NextMarker?: string; Truncated: boolean } {
  const { limit, marker } = paging;
  let start = 0;
  if (marker !== undefined) {
    const decoded = Buffer.from(marker, 'base64url').toString('utf8');
    const offset = decoded.startsWith(MARKER_PREFIX) ? Number(decoded.slice(MARKER_PREFIX.length)) : Number.NaN;
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) {
      throw new KmsError('InvalidMarkerException', 'The request was rejected because the marker that specifies where pagination should next begin is not valid.');
    }
    start = offset;
  }
  const page = items.slice(start, start + limit);
  const next = start + page.length;
  if (next < items.length) return { page, NextMarker: Buffer.from(`${MARKER_PREFIX}${next}`).toString('base64url'), Truncated: true };
  return { page, Truncated: false };
}

/** Reads the DryRun member; call it with the other members, before any lookup. */
export function dryRunOf(input: Input): boolean {
  return input.boolean('DryRun') === true;
}

/** Rejects requests that ask for a dry run, after all other checks passed, as KMS does. */
export function honourDryRun(dryRun: boolean): void {
  if (dryRun) throw new KmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
}

/** The PolicyName of GetKeyPolicy and PutKeyPolicy: optional, and `default` is the only key policy name. */
export function policyNameOf(input: Input): 'default' {
  const name = input.string('PolicyName', { min: 1, max: 128, pattern: /^[\w]+$/ }) ?? 'default';
  if (name !== 'default') throw new KmsError('ValidationException', `PolicyName ${name} is not a key policy name: the only key policy name is default.`);
  return name;
}
