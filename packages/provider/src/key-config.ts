import { KeyProviderConfigError } from './errors.js';
import { isMultiRegionKeyId, isRegionName, parseKeyRef, type KeyRef, type ReplicaRegions } from './key-refs.js';
import { isSpkiSha256 } from './spki-thumbprint.js';

/**
 * A key configured by ARN with more to say than the ARN: an entry of the `keys` option, next to the
 * plain strings (`keys: ['alias/issuer', { arn, spkiSha256 }]`).
 */
export interface KmsKeyConfig {
  /** The key ARN (not a key id or alias: a pin and replica Regions belong to one key). */
  readonly arn: string;
  /**
   * The key's pinned public key: base64url (no padding) of the SHA-256 of its DER SubjectPublicKeyInfo,
   * as GetPublicKey returns it (`spkiSha256(publicKey)` computes it). Every public key for this ARN —
   * from KMS or a snapshot — must match, or it is not trusted. Default: none (not pinned).
   */
  readonly spkiSha256?: string;
  /**
   * For a multi-Region key (`mrk-…`): the Regions whose replicas are trusted as well (`[]`: none), or
   * `'any'`. Default: the `replicaRegions` option.
   */
  readonly replicaRegions?: 'any' | readonly string[];
}

function regionsOf(value: unknown, where: string): ReplicaRegions {
  if (value === 'any') return 'any';
  if (!Array.isArray(value) || !value.every(isRegionName)) {
    throw new KeyProviderConfigError(`${where} must be 'any' or an array of AWS Region names such as ['eu-west-1', 'us-west-2']`);
  }
  return new Set(value);
}

function describeKeys(index: number, entry: unknown): string {
  return `keys[${index}] (${typeof entry === 'string' ? entry : JSON.stringify(entry)})`;
}

function parseEntry(entry: unknown, index: number, replicaRegions: ReplicaRegions): KeyRef {
  if (typeof entry === 'string') {
    const ref = parseKeyRef(entry);
    if (!ref) throw new KeyProviderConfigError(`${describeKeys(index, entry)} is not a key ARN, key id, alias/... name or alias ARN`);
    // Replicas are found by the configured ARN's partition and account: a key configured by id has none.
    if (ref.kind === 'key' && ref.arn !== undefined && isMultiRegionKeyId(ref.keyId)) return { ...ref, replicaRegions };
    return ref;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new KeyProviderConfigError(`keys[${index}] must be a string (key ARN, key id, alias) or { arn, spkiSha256?, replicaRegions? }`);
  }
  const { arn, spkiSha256, replicaRegions: own } = entry as Partial<Record<keyof KmsKeyConfig, unknown>>;
  const ref = typeof arn === 'string' ? parseKeyRef(arn) : undefined;
  if (ref?.kind !== 'key' || ref.arn === undefined) throw new KeyProviderConfigError(`keys[${index}].arn must be a key ARN (arn:aws:kms:<region>:<account>:key/<key id>)`);
  if (spkiSha256 !== undefined && !isSpkiSha256(spkiSha256)) {
    throw new KeyProviderConfigError(`keys[${index}].spkiSha256 (${arn as string}) must be the base64url SHA-256 of the key's DER SubjectPublicKeyInfo: 43 characters of A-Z a-z 0-9 - _`);
  }
  const multiRegion = isMultiRegionKeyId(ref.keyId);
  if (own !== undefined && !multiRegion) {
    throw new KeyProviderConfigError(`keys[${index}].replicaRegions: ${ref.arn} is not a multi-Region key (its id does not start with mrk-), so it has no replicas`);
  }
  return {
    ...ref,
    spkiSha256,
    replicaRegions: multiRegion ? (own === undefined ? replicaRegions : regionsOf(own, `keys[${index}].replicaRegions`)) : undefined,
  };
}

/**
 * Parses the `keys` option (strings and {@link KmsKeyConfig} entries) with the `replicaRegions`
 * default; every mistake throws a KeyProviderConfigError naming the entry.
 */
export function parseConfiguredKeys(keys: unknown, replicaRegions: unknown): KeyRef[] {
  if (!Array.isArray(keys)) throw new KeyProviderConfigError('keys must be an array of key ARNs, key ids, alias names or alias ARNs (or { arn, spkiSha256?, replicaRegions? })');
  const regions = replicaRegions === undefined ? 'any' : regionsOf(replicaRegions, 'replicaRegions');
  const refs = keys.map((entry: unknown, index) => parseEntry(entry, index, regions));
  const seen = new Map<string, KeyRef>();
  for (const ref of refs) {
    const identity = ref.kind === 'key' ? ref.keyId : ref.ref;
    const earlier = seen.get(identity);
    if (earlier !== undefined && earlier.ref !== ref.ref && ref.kind === 'key' && isMultiRegionKeyId(ref.keyId)) {
      throw new KeyProviderConfigError(
        `keys lists ${earlier.ref} and ${ref.ref}, two names of the multi-Region key ${ref.keyId}: list it once; its replicas in other Regions are trusted through replicaRegions`,
      );
    }
    if (earlier !== undefined) throw new KeyProviderConfigError(`keys lists ${ref.ref} twice`);
    seen.set(identity, ref);
  }
  return refs;
}
