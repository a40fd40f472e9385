import type { JwsAlgorithm } from 'kms-jwt-verifier';
import type { HookEmitter } from './hook-emitter.js';
import { trustedEntry } from './key-entry.js';
import { keyIdOfArn, type KeyRef } from './key-refs.js';
import type { ProviderParts } from './provider-parts.js';
import { parseSnapshot, readSnapshot, type KmsKeySnapshot } from './snapshot.js';
import { capGrace, checkSnapshotAge, SnapshotScopes } from './snapshot-guard.js';
import { spkiSha256 } from './spki-thumbprint.js';

export interface SnapshotLoadOptions {
  readonly algorithms: readonly JwsAlgorithm[] | undefined;
  /** The configured `keys`, whose ARNs say where alias targets and keys configured by id may live. */
  readonly refs: readonly KeyRef[];
  readonly snapshotMaxAgeMs: number;
  readonly retiredKeyGraceMs: number;
  /** `confirmSnapshot`: whether KMS must confirm what the snapshot says (else it is trusted like configuration). */
  readonly confirm: boolean;
  readonly events: HookEmitter;
}

/**
 * Loads a snapshot (the `snapshot` option) into the parts, checked whole first: configured aliases
 * take their saved targets and grace windows, and trusted keys their saved public keys — a cold start
 * without calls. A snapshot never widens trust: keys outside the configured keys and aliases are
 * ignored, and snapshot-guard.ts bounds its age, its grace windows and where its alias targets live;
 * a key whose public key fails its pin is not taken. Unless `confirm` is off, every key and alias
 * taken is marked unconfirmed, for KMS to confirm at once. Returns the key ARNs taken.
 */
export function loadSnapshot({ trust, cache, aliases, nowMs }: ProviderParts, source: KmsKeySnapshot | string, options: SnapshotLoadOptions): string[] {
  const snapshot = parseSnapshot(readSnapshot(source), options.algorithms);
  const now = nowMs();
  const createdAtMs = checkSnapshotAge(snapshot.createdAtMs, now, options.snapshotMaxAgeMs);
  const scopes = new SnapshotScopes(options.refs);
  for (const [index, saved] of snapshot.aliases.entries()) {
    if (!aliases.has(saved.alias) || scopes.judgeAlias(saved, index) === 'skip') continue;
    aliases.markKnown(saved.alias, now, !options.confirm);
    if (saved.keyArn !== null) trust.pointAlias(saved.alias, { keyId: keyIdOfArn(saved.keyArn) as string, arn: saved.keyArn }, now);
    for (const old of saved.retired) {
      const graceUntilMs = capGrace(old.graceUntilMs, createdAtMs, now, options.retiredKeyGraceMs);
      if (now < graceUntilMs) trust.retire(saved.alias, old.keyArn, graceUntilMs);
    }
  }
  const taken: string[] = [];
  for (const [keyId, saved] of snapshot.keys) {
    const record = trust.get(keyId);
    // Only keys configured, or reached through a configured alias; a key configured by id only where a configured ARN lives.
    if (record === undefined || (record.arn === undefined && !scopes.allows(saved.keyArn)) || !trust.bindArn(record, saved.keyArn)) continue;
    if (record.spkiSha256 !== undefined && spkiSha256(saved.publicKey) !== record.spkiSha256) {
      options.events.emit('onKeyMismatch', {
        keyArn: saved.keyArn,
        source: 'snapshot',
        expected: 'pin',
        outcome: 'refused',
        message: `the snapshot's public key for ${saved.keyArn} does not match its pinned spkiSha256; it is fetched from KMS instead`,
      });
      continue;
    }
    cache.store(keyId, { ...trustedEntry(saved, undefined, now), confirmed: !options.confirm });
    taken.push(saved.keyArn);
  }
  return taken;
}
