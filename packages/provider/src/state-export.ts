import type { JsonWebKeySet, TrustedKey } from 'kms-jwt-verifier';
import { toJwk } from './jwks.js';
import type { TrustedEntry } from './key-entry.js';
import type { ProviderParts } from './provider-parts.js';
import { replicaKey } from './replica-keys.js';
import type { KmsKeySnapshot, KmsKeySnapshotAlias, KmsKeySnapshotKey } from './snapshot.js';
import type { TrustRecord } from './trust-set.js';

/**
 * The cached entry of a trusted key that may still be answered at `now` and that its source confirmed:
 * a snapshot's key KMS has not confirmed yet is served, but never published or saved again.
 */
function usable({ trust, cache }: ProviderParts, record: TrustRecord, now: number): TrustedEntry | undefined {
  if (!trust.isTrusted(record, now)) return undefined;
  const entry = cache.peek(record.keyId);
  return entry?.kind === 'trusted' && entry.confirmed && cache.isUsable(entry, now) ? entry : undefined;
}

/** How many keys `resolve` answers now (telemetry's trusted-key gauge): offline keys, and trusted keys at hand (a snapshot's too). */
export function countTrustedKeys({ offline, trust, cache, nowMs }: ProviderParts): number {
  const now = nowMs();
  let count = new Set(offline.values()).size;
  for (const record of trust.values()) {
    const entry = trust.isTrusted(record, now) ? cache.peek(record.keyId) : undefined;
    if (entry?.kind === 'trusted' && cache.isUsable(entry, now)) count += 1;
  }
  return count;
}

/** `exportJwks()`: the trusted keys at hand (current, within grace, offline, and replicas listed in `replicaRegions`) as a JWKS. */
export function exportJwks(parts: ProviderParts): JsonWebKeySet {
  const now = parts.nowMs();
  const keys = new Set<TrustedKey>(parts.offline.values());
  for (const record of parts.trust.values()) {
    const entry = usable(parts, record, now);
    if (entry === undefined) continue;
    keys.add(entry.key);
    for (const arn of parts.trust.listedReplicaArns(record)) keys.add(replicaKey(entry.key, arn));
  }
  return { keys: [...keys].map(toJwk) };
}

/** `exportSnapshot()`: the trusted public keys and alias targets, JSON-safe. */
export function exportSnapshot(parts: ProviderParts): KmsKeySnapshot {
  const { trust, aliases } = parts;
  const now = parts.nowMs();
  const keys: KmsKeySnapshotKey[] = [];
  for (const record of trust.values()) {
    const entry = usable(parts, record, now);
    if (entry !== undefined) keys.push({ keyArn: entry.keyArn, keySpec: entry.keySpec, algorithms: [...entry.key.algorithms], publicKey: entry.spki.toString('base64') });
  }
  const snapshotAliases: KmsKeySnapshotAlias[] = aliases.knownAliases().map((alias) => ({
    alias,
    keyArn: trust.targetOf(alias)?.arn ?? null,
    retired: trust.retiredOf(alias, now),
  }));
  return { version: 1, createdAtMs: now, keys, aliases: snapshotAliases };
}
