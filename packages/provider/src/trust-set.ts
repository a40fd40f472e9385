import type { HookEmitter } from './hook-emitter.js';
import { isRegionName, keyArnIn, keyIdOfArn, sameScope, scopeOfArn, type ArnScope, type ReplicaRegions } from './key-refs.js';

/** A key in the trusted set, and why it is trusted. */
export interface TrustRecord {
  readonly keyId: string;
  /** Its key ARN, once configured or learned from a source. */
  arn: string | undefined;
  /** The `keys` entry that names it directly, if any. */
  configuredAs: string | undefined;
  /** Aliases that point to it now (or JWKS URLs that list it now). */
  readonly currentOf: Set<string>;
  /** Aliases that pointed to it (or JWKS URLs that listed it), with the end of each grace window (epoch ms). */
  readonly retiredFrom: Map<string, number>;
  /** The pinned SPKI thumbprint its public key must match, from its `keys` entry. */
  spkiSha256: string | undefined;
  /** For a multi-Region key configured by ARN: where its ARN lives, and the Regions of the replicas trusted too. */
  replicas: { readonly home: ArnScope; readonly regions: ReplicaRegions } | undefined;
}

/** What a `keys` entry says about the key besides naming it. */
export interface KeyConfiguration {
  readonly spkiSha256?: string | undefined;
  readonly replicaRegions?: ReplicaRegions | undefined;
}

/** The key an alias points to. */
export interface AliasTarget {
  readonly keyId: string;
  readonly arn: string;
}

export interface TrustSetOptions {
  readonly retiredKeyGraceMs: number;
  readonly events: HookEmitter;
  /** Called when a key leaves the trusted set (its last grace window ended), to forget it everywhere else. */
  readonly onDropped: (record: TrustRecord) => void;
}

/**
 * Which kids are trusted, and why: configured by key ARN or key id, the current target of a
 * configured alias, or a previous target within its grace window. Found by every kid that names a
 * member (its key id, and its key ARN once known). Nothing outside this set is ever fetched.
 */
export class TrustSet {
  readonly #records = new Map<string, TrustRecord>();
  readonly #byKid = new Map<string, TrustRecord>();
  readonly #targets = new Map<string, AliasTarget | undefined>();
  readonly #options: TrustSetOptions;

  constructor(options: TrustSetOptions) {
    this.#options = options;
  }

  /** The member a kid (key id or key ARN) names. */
  find(kid: string): TrustRecord | undefined {
    return this.#byKid.get(kid);
  }

  /** The member with this key id. */
  get(keyId: string): TrustRecord | undefined {
    return this.#records.get(keyId);
  }

  /** Whether `record` is still the member for its key id (it left the set otherwise). */
  isMember(record: TrustRecord): boolean {
    return this.#records.get(record.keyId) === record;
  }

  values(): IterableIterator<TrustRecord> {
    return this.#records.values();
  }

  /** Adds a key named directly by the `keys` entry `ref`, with its pin and replica Regions. */
  configure(ref: string, keyId: string, arn: string | undefined, configuration: KeyConfiguration = {}): void {
    const record = this.#ensure(keyId, arn);
    record.configuredAs = ref;
    record.spkiSha256 = configuration.spkiSha256;
    const home = arn === undefined ? undefined : scopeOfArn(arn);
    const regions = configuration.replicaRegions;
    record.replicas = home === undefined || regions === undefined ? undefined : { home, regions };
  }

  /**
   * The configured multi-Region key a kid names as one of its replicas: a key ARN with the configured
   * ARN's partition, account and (`mrk-`) key id in another Region that `replicaRegions` allows. A
   * replica can only be made by the key's own account, from the primary, and holds the same key
   * material. Anything else (another account, a key id that is not `mrk-`) is another key: `undefined`.
   */
  findReplica(kid: string): TrustRecord | undefined {
    const keyId = keyIdOfArn(kid);
    const record = keyId === undefined ? undefined : this.#records.get(keyId);
    const replicas = record?.replicas;
    if (replicas === undefined) return undefined;
    const scope = scopeOfArn(kid);
    if (scope === undefined || scope.partition !== replicas.home.partition || scope.account !== replicas.home.account) return undefined;
    if (scope.region === replicas.home.region || !isRegionName(scope.region)) return undefined;
    return replicas.regions === 'any' || replicas.regions.has(scope.region) ? record : undefined;
  }

  /** The ARNs of the replicas of `record` that an explicit `replicaRegions` list names (none for `'any'`). */
  listedReplicaArns(record: TrustRecord): string[] {
    const replicas = record.replicas;
    if (replicas === undefined || replicas.regions === 'any') return [];
    return [...replicas.regions].filter((region) => region !== replicas.home.region).map((region) => keyArnIn({ ...replicas.home, region }, record.keyId));
  }

  #ensure(keyId: string, arn: string | undefined): TrustRecord {
    let record = this.#records.get(keyId);
    if (record === undefined) {
      record = { keyId, arn: undefined, configuredAs: undefined, currentOf: new Set(), retiredFrom: new Map(), spkiSha256: undefined, replicas: undefined };
      this.#records.set(keyId, record);
      this.#byKid.set(keyId, record);
    }
    if (arn !== undefined) this.#learnArn(record, arn);
    return record;
  }

  #learnArn(record: TrustRecord, arn: string): void {
    if (record.arn !== undefined) return;
    record.arn = arn;
    this.#byKid.set(arn, record);
  }

  /**
   * Binds the key ARN a source answered with to `record`: `false` when it names another key (another
   * key id, or another ARN than the one configured or learned), else the ARN is learned.
   */
  bindArn(record: TrustRecord, keyArn: string): boolean {
    if (keyIdOfArn(keyArn) !== record.keyId || (record.arn !== undefined && record.arn !== keyArn)) return false;
    this.#learnArn(record, keyArn);
    return true;
  }

  isTrusted(record: TrustRecord, now: number): boolean {
    if (record.configuredAs !== undefined || record.currentOf.size > 0) return true;
    for (const until of record.retiredFrom.values()) if (now < until) return true;
    return false;
  }

  /** Drops ended grace windows; a key trusted no other way leaves the set. Returns whether it is still trusted. */
  prune(record: TrustRecord, now: number): boolean {
    for (const [alias, until] of record.retiredFrom) if (now >= until) record.retiredFrom.delete(alias);
    if (this.isTrusted(record, now)) return true;
    if (this.#remove(record)) {
      this.#options.events.emit('onKeyUntrusted', {
        keyArn: record.arn ?? record.keyId,
        reason: 'grace-ended',
        message: `no configured alias points to this key and no JWKS lists it any more, and its grace window (retiredKeyGraceMs: ${this.#options.retiredKeyGraceMs} ms) has ended`,
      });
    }
    return false;
  }

  /** Takes a member out of the set (and everywhere else); `false` when it already left. */
  #remove(record: TrustRecord): boolean {
    if (!this.isMember(record)) return false;
    this.#records.delete(record.keyId);
    this.#byKid.delete(record.keyId);
    if (record.arn !== undefined) this.#byKid.delete(record.arn);
    this.#options.onDropped(record);
    return true;
  }

  pruneAll(now: number): void {
    for (const record of [...this.#records.values()]) this.prune(record, now);
  }

  /** The earliest end of a grace window (epoch ms), `Infinity` when none. */
  nextGraceEnd(): number {
    let next = Infinity;
    for (const record of this.#records.values()) for (const until of record.retiredFrom.values()) next = Math.min(next, until);
    return next;
  }

  /** The key `alias` points to, as last learned. */
  targetOf(alias: string): AliasTarget | undefined {
    return this.#targets.get(alias);
  }

  /** Points `alias` at `target` (or at nothing); the key it leaves enters its grace window. Returns the target's member. */
  pointAlias(alias: string, target: AliasTarget | undefined, now: number): TrustRecord | undefined {
    const previous = this.#targets.get(alias);
    const record = target === undefined ? undefined : this.#ensure(target.keyId, target.arn);
    if (record !== undefined) {
      record.currentOf.add(alias);
      record.retiredFrom.delete(alias);
    }
    if (previous?.keyId === target?.keyId) return record;
    this.#targets.set(alias, target);
    const old = previous === undefined ? undefined : this.#records.get(previous.keyId);
    if (previous !== undefined && old !== undefined) {
      old.currentOf.delete(alias);
      const graceUntilMs = now + this.#options.retiredKeyGraceMs;
      old.retiredFrom.set(alias, graceUntilMs);
      this.#options.events.emit('onRotation', { alias, previousKeyArn: previous.arn, keyArn: target?.arn, graceUntilMs });
    }
    return record;
  }

  /**
   * Forgets every target of `alias` (current or retired) outside `scope`, where the source says the
   * alias lives: KMS never lets an alias point outside its own partition, account and Region, so a
   * snapshot that said so was wrong, and those keys get no grace window. Returns their ARNs.
   */
  confineAlias(alias: string, scope: ArnScope, now: number): string[] {
    const outside = (arn: string | undefined): boolean => {
      const where = arn === undefined ? undefined : scopeOfArn(arn);
      return where === undefined || !sameScope(where, scope);
    };
    const touched = new Set<TrustRecord>();
    const previous = this.#targets.get(alias);
    const current = previous === undefined ? undefined : this.#records.get(previous.keyId);
    if (previous !== undefined && outside(previous.arn)) {
      this.#targets.delete(alias);
      current?.currentOf.delete(alias);
      if (current !== undefined) touched.add(current);
    }
    for (const record of this.#records.values()) {
      if (record.retiredFrom.has(alias) && outside(record.arn)) {
        record.retiredFrom.delete(alias);
        touched.add(record);
      }
    }
    const dropped: string[] = [];
    for (const record of touched) if (!this.isTrusted(record, now) && this.#remove(record)) dropped.push(record.arn ?? record.keyId);
    return dropped;
  }

  /** Trusts a previous target of `alias` until `graceUntilMs` (a snapshot's retired key), unless `alias` points to it now. */
  retire(alias: string, keyArn: string, graceUntilMs: number): void {
    const record = this.#ensure(keyIdOfArn(keyArn) as string, keyArn);
    if (!record.currentOf.has(alias)) record.retiredFrom.set(alias, graceUntilMs);
  }

  /**
   * Trusts a key because the JWKS at `url` lists it now (a remote JWKS names keys by ARN only, so its
   * members are keyed by `arn`: a multi-Region key's replicas are separate keys there). Ends the
   * grace window it had from `url`, if any.
   */
  list(url: string, arn: string): TrustRecord {
    const record = this.#ensure(arn, arn);
    record.currentOf.add(url);
    record.retiredFrom.delete(url);
    return record;
  }

  /** The JWKS at `url` no longer lists `record`: it stays trusted until the returned end of its grace window (epoch ms). */
  unlist(url: string, record: TrustRecord, now: number): number {
    const graceUntilMs = now + this.#options.retiredKeyGraceMs;
    record.currentOf.delete(url);
    record.retiredFrom.set(url, graceUntilMs);
    return graceUntilMs;
  }

  /** The previous targets of `alias` still within their grace window at `now`. */
  retiredOf(alias: string, now: number): { keyArn: string; graceUntilMs: number }[] {
    return [...this.#records.values()].flatMap((record) => {
      const until = record.retiredFrom.get(alias);
      return until !== undefined && now < until && record.arn !== undefined ? [{ keyArn: record.arn, graceUntilMs: until }] : [];
    });
  }

  /** How a member is named in messages: its `keys` entry, else its ARN and the aliases it is the target of. */
  describe(record: TrustRecord): string {
    if (record.configuredAs !== undefined) return record.configuredAs;
    return `${record.arn ?? record.keyId} (target of ${[...record.currentOf].join(', ')})`;
  }
}
