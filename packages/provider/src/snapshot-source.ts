import type { JwsAlgorithm } from 'kms-jwt-verifier';
import { trustedEntry } from './key-entry.js';
import { keyIdOfArn } from './key-refs.js';
import type { ProviderParts } from './provider-parts.js';
import { parseSnapshot, readSnapshot, type KmsKeySnapshot } from './snapshot.js';

/**
 * Loads a snapshot (the `snapshot` option) into the parts, checked whole first: configured aliases
 * take their saved targets and grace windows, and trusted keys their saved public keys, confirmed
 * now — a cold start without calls. A snapshot never widens trust: keys outside the configured keys
 * and aliases are ignored.
 */
export function loadSnapshot({ trust, cache, aliases, nowMs }: ProviderParts, source: KmsKeySnapshot | string, algorithms: readonly JwsAlgorithm[] | undefined): void {
  const snapshot = parseSnapshot(readSnapshot(source), algorithms);
  const now = nowMs();
  for (const saved of snapshot.aliases) {
    if (!aliases.markKnown(saved.alias, now)) continue;
    if (saved.keyArn !== null) trust.pointAlias(saved.alias, { keyId: keyIdOfArn(saved.keyArn) as string, arn: saved.keyArn }, now);
    for (const old of saved.retired) if (now < old.graceUntilMs) trust.retire(saved.alias, old.keyArn, old.graceUntilMs);
  }
  for (const [keyId, saved] of snapshot.keys) {
    const record = trust.get(keyId);
    // Only keys configured, or reached through a configured alias.
    if (record === undefined || !trust.bindArn(record, saved.keyArn)) continue;
    cache.store(keyId, trustedEntry(saved, undefined, now));
  }
}
