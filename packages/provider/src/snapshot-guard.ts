// The rules that keep a snapshot from widening trust. A snapshot is a file that anyone able to write
// it can change, so it may only fill in what the configuration already trusts: never older than
// `snapshotMaxAgeMs`, never a grace window longer than the provider's own, never an alias target
// outside the alias's account and Region. (Its public keys are checked against pins here, and
// confirmed with KMS by the key cache.)
import { SnapshotRejectedError } from './errors.js';
import { sameScope, scopeOfArn, type ArnScope, type KeyRef } from './key-refs.js';
import type { KmsKeySnapshotAlias } from './snapshot.js';

/** How far in the future a snapshot's `createdAtMs` may lie: clock skew between the host that took it and this one. */
export const SNAPSHOT_CLOCK_SKEW_MS = 300_000;

function duration(ms: number): string {
  if (ms >= 172_800_000) return `${Math.floor(ms / 86_400_000)} days`;
  if (ms >= 7_200_000) return `${Math.floor(ms / 3_600_000)} hours`;
  if (ms >= 120_000) return `${Math.floor(ms / 60_000)} minutes`;
  return `${Math.floor(ms / 1000)} seconds`;
}

/**
 * Checks when a snapshot was taken: a positive integer of epoch ms, not after `now` (beyond the
 * clock skew), and at most `maxAgeMs` before it. Returns `createdAtMs`; throws `SnapshotRejectedError`.
 */
export function checkSnapshotAge(createdAtMs: unknown, now: number, maxAgeMs: number): number {
  if (typeof createdAtMs !== 'number' || !Number.isSafeInteger(createdAtMs) || createdAtMs <= 0) {
    throw new SnapshotRejectedError('invalid-created-at', `createdAtMs must be the time exportSnapshot() took it, in epoch milliseconds, not ${String(createdAtMs)}: export a new snapshot`);
  }
  if (createdAtMs > now + SNAPSHOT_CLOCK_SKEW_MS) {
    throw new SnapshotRejectedError(
      'created-in-future',
      `createdAtMs (${createdAtMs}) is ${duration(createdAtMs - now)} in the future, more than the ${SNAPSHOT_CLOCK_SKEW_MS / 60_000} minutes of clock skew allowed: check the clocks, or export a new snapshot`,
    );
  }
  if (now - createdAtMs > maxAgeMs) {
    throw new SnapshotRejectedError(
      'too-old',
      `it was taken ${duration(now - createdAtMs)} ago (${new Date(createdAtMs).toISOString()}), more than snapshotMaxAgeMs (${maxAgeMs} ms): export a fresh one, start without it, or raise snapshotMaxAgeMs`,
    );
  }
  return createdAtMs;
}

/**
 * The end of a snapshot's grace window as this provider allows it: never later than the provider's
 * own `retiredKeyGraceMs` after the snapshot was taken, nor after now.
 */
export function capGrace(graceUntilMs: number, createdAtMs: number, now: number, retiredKeyGraceMs: number): number {
  return Math.min(graceUntilMs, createdAtMs + retiredKeyGraceMs, now + retiredKeyGraceMs);
}

/** What to do with a snapshot's alias entry. */
export type AliasVerdict = 'use' | 'skip';

/**
 * Where the configuration says keys live: the partition, account and Region of every key ARN and
 * alias ARN in `keys`. A snapshot's alias targets, and the ARNs of keys configured by bare id, must
 * lie in one of them.
 */
export class SnapshotScopes {
  readonly #configured: ArnScope[] = [];

  constructor(refs: readonly KeyRef[]) {
    for (const ref of refs) {
      const scope = scopeOfArn(ref.kind === 'key' ? (ref.arn ?? '') : ref.ref);
      if (scope !== undefined && !this.#configured.some((known) => sameScope(known, scope))) this.#configured.push(scope);
    }
  }

  /** Whether a key ARN lies where a configured ARN does. */
  allows(keyArn: string): boolean {
    const scope = scopeOfArn(keyArn);
    return scope !== undefined && this.#configured.some((known) => sameScope(known, scope));
  }

  /**
   * Judges a configured alias's entry. KMS only lets an alias point at a key of its own partition,
   * account and Region, so its targets (current and retired) must share one — else the snapshot is
   * refused (`alias-out-of-scope`) — and it must be the alias ARN's when the alias is configured by
   * ARN (refused likewise). An alias configured by name says nothing of its account: its targets must
   * lie where a configured key ARN or alias ARN does, else the entry is not used (`skip`: the alias is
   * looked up in KMS, as without a snapshot). With no ARN configured at all there is nothing to compare
   * with: the entry is used until the alias's first DescribeKey, which drops at once (without a grace
   * window) every target outside the alias's real account and Region (`TrustSet.confineAlias`).
   */
  judgeAlias(saved: KmsKeySnapshotAlias, index: number): AliasVerdict {
    const targets = [...(saved.keyArn === null ? [] : [saved.keyArn]), ...saved.retired.map((old) => old.keyArn)];
    const own = scopeOfArn(saved.alias);
    const first = targets[0];
    const expected = own ?? (first === undefined ? undefined : scopeOfArn(first));
    if (expected === undefined) return 'use';
    for (const target of targets) {
      const scope = scopeOfArn(target);
      if (scope === undefined || !sameScope(scope, expected)) {
        const where = `${expected.partition} account ${expected.account} in ${expected.region}`;
        throw new SnapshotRejectedError(
          'alias-out-of-scope',
          `aliases[${index}] (${saved.alias}) names ${target}, outside ${own === undefined ? `the alias's other targets (${where})` : `the alias's own ${where}`}; KMS never lets an alias point there, so the snapshot was changed: export a new one`,
        );
      }
    }
    if (own !== undefined || this.#configured.length === 0) return 'use';
    return this.#configured.some((known) => sameScope(known, expected)) ? 'use' : 'skip';
  }
}
