import type { HookEmitter } from './hook-emitter.js';
import { scopeOfArn } from './key-refs.js';
import type { AliasAnswer, AliasSource } from './key-source.js';
import { asError, describeError, errorName } from './kms-errors.js';
import type { Failure, PenaltyBox } from './penalty-box.js';
import type { TrustRecord, TrustSet } from './trust-set.js';

interface AliasState {
  readonly ref: string;
  /** Whether the source ever answered definitively (a target, or "no such alias"), or a snapshot told. */
  known: boolean;
  /** Whether the target is the source's answer, not only a snapshot's (which is then looked up at once). */
  confirmed: boolean;
  /** Whether it was ever asked (only then is it refreshed in the background). */
  attempted: boolean;
  /** When the source last answered definitively. */
  checkedAt: number;
  /** The source's "no such alias" from the last answer. */
  missing: Error | undefined;
  inflight: Promise<void> | undefined;
}

/** Why an alias cannot be used, for `ready()`. */
export interface AliasProblem {
  readonly alias: string;
  readonly text: string;
  readonly cause: Error | undefined;
  /** Whether the source answered (a configuration mistake) rather than failed. */
  readonly config: boolean;
}

export interface AliasWatcherOptions {
  /** The configured aliases, as configured. */
  readonly aliases: readonly string[];
  readonly source: AliasSource;
  /** Moves each alias's trust from key to key. */
  readonly trust: TrustSet;
  /** Failed lookups by alias: an alias is not asked again within its cooldown unless forced. */
  readonly penaltyBox: PenaltyBox;
  readonly events: HookEmitter;
  readonly nowMs: () => number;
  readonly aliasRefreshMs: number;
  /** The alias's target was seen, with its key state; resolves once the target's key is dealt with. */
  readonly onTarget: (record: TrustRecord, enabled: boolean) => Promise<void> | undefined;
  /** Called when a lookup settles, to schedule what comes next. */
  readonly onSettled: () => void;
}

/**
 * Keeps each configured alias's target current: looks it up on demand and every `aliasRefreshMs`,
 * and points the alias at the key found in the trusted set (the key it leaves enters its grace window).
 */
export class AliasWatcher {
  readonly #aliases: AliasState[];
  readonly #options: AliasWatcherOptions;
  #closed = false;

  constructor(options: AliasWatcherOptions) {
    this.#options = options;
    this.#aliases = options.aliases.map((ref) => ({ ref, known: false, confirmed: false, attempted: false, checkedAt: 0, missing: undefined, inflight: undefined }));
  }

  /** Whether every alias's target is known (until then the trusted set is not). */
  allKnown(): boolean {
    for (const alias of this.#aliases) if (!alias.known) return false;
    return true;
  }

  /** Looks up every alias whose target is not known yet; `undefined` when none can be asked now. */
  resolveUnknown(): Promise<void> | undefined {
    const runs = this.#aliases.filter((alias) => !alias.known).flatMap((alias) => this.#refresh(alias, false) ?? []);
    return runs.length === 0 ? undefined : Promise.all(runs).then(() => undefined);
  }

  /** Why an unknown alias is unknown: the failure of the first one that failed. */
  firstFailure(): Failure | undefined {
    for (const alias of this.#aliases) {
      const failure = alias.known ? undefined : this.#options.penaltyBox.failure(alias.ref);
      if (failure !== undefined) return failure;
    }
    return undefined;
  }

  /** For `ready()`: looks up again every alias not answered definitively by the source within `aliasRefreshMs` of `start`. */
  async refreshAll(start: number): Promise<void> {
    const { penaltyBox, aliasRefreshMs } = this.#options;
    await Promise.all(
      this.#aliases.map((alias) =>
        alias.confirmed && penaltyBox.failure(alias.ref) === undefined && start < alias.checkedAt + aliasRefreshMs ? undefined : this.#refresh(alias, true),
      ),
    );
  }

  /** Every alias that cannot be used, and why. */
  problems(): AliasProblem[] {
    const problems: AliasProblem[] = [];
    for (const alias of this.#aliases) {
      const failure = this.#options.penaltyBox.failure(alias.ref);
      if (alias.missing !== undefined) problems.push({ alias: alias.ref, text: `the alias does not exist (${describeError(alias.missing)})`, cause: alias.missing, config: true });
      else if (failure !== undefined) {
        problems.push({ alias: alias.ref, text: `DescribeKey failed (${describeError(failure.error)})`, cause: failure.error, config: errorName(failure.error) === 'AccessDeniedException' });
      } else if (!alias.known) {
        // No failure recorded: the lookup is still out, or its answer came after close() and was ignored.
        problems.push({ alias: alias.ref, text: this.#closed ? 'the provider was closed before DescribeKey answered' : 'DescribeKey has not answered yet', cause: undefined, config: false });
      }
    }
    return problems;
  }

  /** Whether `ref` is a configured alias. */
  has(ref: string): boolean {
    return this.#aliases.some((candidate) => candidate.ref === ref);
  }

  /**
   * Takes an alias's target as known at `now` (from a snapshot): `confirmed` (trusted like configuration),
   * or due for a lookup at once. Returns `false` for an alias not configured.
   */
  markKnown(ref: string, now: number, confirmed = true): boolean {
    const alias = this.#aliases.find((candidate) => candidate.ref === ref);
    if (alias === undefined) return false;
    Object.assign(alias, { known: true, confirmed, attempted: true, checkedAt: now });
    return true;
  }

  /** The aliases whose target the source confirmed (or a snapshot trusted like configuration). */
  knownAliases(): string[] {
    return this.#aliases.filter((alias) => alias.known && alias.confirmed).map((alias) => alias.ref);
  }

  /** When (epoch ms) the next alias is due for a lookup (or its retry), `Infinity` when none. */
  nextDueAt(): number {
    let next = Infinity;
    for (const alias of this.#aliases) {
      if (!alias.attempted || alias.inflight !== undefined) continue;
      next = Math.min(next, this.#dueAt(alias));
    }
    return next;
  }

  /** Starts a lookup of every alias due at `now`. */
  runDue(now: number): void {
    for (const alias of this.#aliases) if (alias.attempted && now >= this.#dueAt(alias)) void this.#refresh(alias, false);
  }

  close(): void {
    this.#closed = true;
  }

  #dueAt(alias: AliasState): number {
    return this.#options.penaltyBox.releaseAt(alias.ref) ?? (alias.confirmed ? alias.checkedAt + this.#options.aliasRefreshMs : 0);
  }

  #refresh(alias: AliasState, force: boolean): Promise<void> | undefined {
    if (alias.inflight !== undefined) return alias.inflight;
    if (this.#closed) return undefined;
    if (!force && this.#options.penaltyBox.isBoxed(alias.ref)) return undefined;
    alias.attempted = true;
    const run = this.#lookUp(alias).finally(() => {
      alias.inflight = undefined;
      this.#options.onSettled();
    });
    alias.inflight = run;
    return run;
  }

  async #lookUp(alias: AliasState): Promise<void> {
    const { source, penaltyBox, events } = this.#options;
    let answer: AliasAnswer;
    try {
      answer = await source.describeAlias(alias.ref);
    } catch (error) {
      if (this.#closed) return;
      penaltyBox.fail(alias.ref, asError(error));
      events.emit('onKeyFetchFailed', { key: alias.ref, operation: 'DescribeKey', errorName: errorName(error), error: asError(error), servingStaleUntilMs: undefined, endpoint: source.endpoint });
      return;
    }
    // After close() nothing changes any more: a late answer (a new target, or "no such alias") is ignored.
    if (this.#closed) return;
    const now = this.#options.nowMs();
    const fromSnapshot = alias.known && !alias.confirmed;
    Object.assign(alias, { known: true, confirmed: true, checkedAt: now, missing: answer.kind === 'missing' ? answer.error : undefined });
    penaltyBox.release(alias.ref);
    if (answer.kind === 'missing') {
      // The alias does not exist (any more): its key, if it had one, enters its grace window.
      this.#options.trust.pointAlias(alias.ref, undefined, now);
      return;
    }
    const scope = scopeOfArn(answer.arn);
    if (fromSnapshot && scope !== undefined) {
      // The first answer after a snapshot: what the snapshot said outside the alias's own account and Region goes at once.
      for (const keyArn of this.#options.trust.confineAlias(alias.ref, scope, now)) {
        const message = `the snapshot said ${alias.ref} pointed at ${keyArn}, outside the account and Region where KMS says the alias lives; it is no longer trusted`;
        events.emit('onKeyMismatch', { keyArn, source: 'snapshot', expected: 'kms', outcome: 'refused', message });
      }
    }
    const record = this.#options.trust.pointAlias(alias.ref, { keyId: answer.keyId, arn: answer.arn }, now) as TrustRecord;
    // The lookup reports the key state for free: when it disagrees with the cache, the key is fetched now.
    await this.#options.onTarget(record, answer.enabled);
  }
}
