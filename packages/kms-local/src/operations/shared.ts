import { KmsError } from '../errors.js';
import type { Input } from '../input.js';
import type { KeyMaterial } from '../key-material.js';
import { KEY_SPECS, SIGNING_ALGORITHMS, type SigningAlgorithm, type SigningKeySpec } from '../key-specs.js';
import type { KeyRecord, KmsStore } from '../store.js';

/** Reads the KeyId member every key operation takes (1–2048 characters). */
export function keyIdOf(input: Input, name = 'KeyId'): string {
  return input.requiredString(name, { max: 2048 });
}

/** The KeyMetadata structure of DescribeKey and CreateKey. */
export function keyMetadata(store: KmsStore, key: KeyRecord): Record<string, unknown> {
  const spec = KEY_SPECS[key.keySpec];
  return {
    AWSAccountId: store.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    ...(key.deletionDate === undefined ? {} : { DeletionDate: key.deletionDate }),
    ...(key.pendingWindowInDays === undefined ? {} : { PendingDeletionWindowInDays: key.pendingWindowInDays }),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...(key.keyUsage === 'SIGN_VERIFY' ? { SigningAlgorithms: [...spec.signingAlgorithms] } : { EncryptionAlgorithms: [...spec.encryptionAlgorithms] }),
    MultiRegion: false,
  };
}

/** Cryptographic operations need an Enabled key: KMS's errors for the other states. */
export function requireEnabled(key: KeyRecord): void {
  if (key.keyState === 'Disabled') throw new KmsError('DisabledException', `${key.arn} is disabled.`);
  if (key.keyState === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

/** Management operations that KMS refuses on a key pending deletion. */
export function requireNotPendingDeletion(key: KeyRecord): void {
  if (key.keyState === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

/** Sign and Verify: a SIGN_VERIFY key, enabled, and an algorithm its key spec offers. */
export function signingKey(store: KmsStore, keyId: string, algorithm: SigningAlgorithm): { key: KeyRecord; spec: SigningKeySpec; material: KeyMaterial } {
  const key = store.resolve(keyId, { aliases: true });
  requireEnabled(key);
  const { material, keySpec: spec } = key;
  if (key.keyUsage !== 'SIGN_VERIFY' || material === undefined || spec === 'SYMMETRIC_DEFAULT') {
    throw new KmsError('InvalidKeyUsageException', `${key.arn} key usage is ${key.keyUsage} which is not valid for this operation.`);
  }
  if (!KEY_SPECS[spec].signingAlgorithms.includes(algorithm)) {
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${spec}.`);
  }
  return { key, spec, material };
}

/** The SigningAlgorithm member of Sign and Verify. */
export function signingAlgorithmOf(input: Input): SigningAlgorithm {
  return input.requiredEnum('SigningAlgorithm', SIGNING_ALGORITHMS);
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
