import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { exportPrivateKeyPem, importKeyMaterial, type KeyMaterial } from './key-material.js';
import { isHmacKeySpec, isKeySpec, isSigningKeySpec, type KeySpec, type KeyUsage } from './key-specs.js';
import { REGION_NAME } from './partition.js';
import { ALIAS_NAME, KmsStore, type AliasRecord, type KeyRecord, type KeyState } from './store.js';

const SECONDS_PER_DAY = 86_400;

interface StoredFile {
  readonly format: 'kms-local/1';
  /** The server's default Region: keys and aliases without a `region` of their own live there. */
  readonly region: string;
  readonly accountId: string;
  readonly keys: readonly StoredKey[];
  readonly aliases: ReadonlyArray<AliasRecord & { readonly region?: string | undefined }>;
}

interface StoredKey {
  readonly keyId: string;
  readonly region?: string | undefined;
  readonly creationDate: number;
  readonly description: string;
  readonly keySpec: string;
  readonly keyUsage: KeyUsage;
  readonly keyState: KeyState;
  readonly deletionDate?: number | undefined;
  readonly pendingWindowInDays?: number | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly policy?: string | undefined;
  readonly privateKeyPem?: string | undefined;
  readonly hmacKeyBase64?: string | undefined;
  readonly keyMaterialId?: string | undefined;
  readonly primaryRegion?: string | undefined;
}

export interface KmsAccountOptions {
  /** The Region of requests that name none (unsigned requests), and of the seed. */
  readonly region: string;
  readonly accountId: string;
  readonly dataFile?: string | undefined;
  readonly now: () => number;
}

/**
 * One account's keys in every Region kms-local has served, optionally persisted to a JSON data
 * file. Requests are routed to a Region's {@link KmsStore} by the Region they are signed for.
 */
export class KmsAccount {
  readonly accountId: string;
  readonly defaultRegion: string;
  readonly #regions = new Map<string, KmsStore>();
  readonly #dataFile: string | undefined;
  readonly #now: () => number;

  constructor(options: KmsAccountOptions) {
    this.accountId = options.accountId;
    this.defaultRegion = options.region;
    this.#dataFile = options.dataFile;
    this.#now = options.now;
    if (this.#dataFile !== undefined && existsSync(this.#dataFile)) this.#load(this.#dataFile);
  }

  /** The store of a Region, created empty the first time the Region is asked for. */
  region(name: string): KmsStore {
    let store = this.#regions.get(name);
    if (store === undefined) {
      store = new KmsStore(this, name);
      this.#regions.set(name, store);
    }
    return store;
  }

  /** Epoch seconds, as KMS timestamps are. */
  nowSeconds(): number {
    return Math.floor(this.#now()) / 1000;
  }

  /** Every Region's record of a multi-Region key (primary first, then replicas in creation order). */
  relatedKeys(key: KeyRecord): KeyRecord[] {
    if (key.primaryRegion === undefined) return [key];
    const related: KeyRecord[] = [];
    for (const store of this.#regions.values()) {
      const record = store.keys.get(key.keyId);
      if (record?.primaryRegion !== undefined) related.push(record);
    }
    return related.sort((a, b) => Number(b.region === b.primaryRegion) - Number(a.region === a.primaryRegion) || a.creationDate - b.creationDate);
  }

  /**
   * Removes keys whose deletion date has passed, with their aliases, as KMS does. A multi-Region
   * primary key waiting for its replicas (PendingReplicaDeletion) starts its own waiting period
   * when the last of them is gone.
   */
  purgeDeleted(): void {
    const now = this.nowSeconds();
    let changed = false;
    let progress = true;
    while (progress) {
      progress = false;
      for (const store of this.#regions.values()) {
        for (const key of store.keys.values()) {
          if (key.keyState === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= now) {
            store.keys.delete(key.keyId);
            for (const alias of store.aliasesOf(key.keyId)) store.aliases.delete(alias.aliasName);
            this.#startPrimaryDeletion(key);
            changed = progress = true;
          }
        }
      }
    }
    if (changed) this.save();
  }

  /** After a replica is deleted: a primary pending replica deletion with no replica left becomes PendingDeletion. */
  #startPrimaryDeletion(deleted: KeyRecord): void {
    if (deleted.primaryRegion === undefined || deleted.region === deleted.primaryRegion) return;
    const primary = this.#regions.get(deleted.primaryRegion)?.keys.get(deleted.keyId);
    if (primary?.keyState !== 'PendingReplicaDeletion' || this.relatedKeys(primary).length > 1) return;
    primary.keyState = 'PendingDeletion';
    primary.deletionDate = (deleted.deletionDate ?? this.nowSeconds()) + (primary.pendingWindowInDays ?? 30) * SECONDS_PER_DAY;
  }

  /** Writes the data file atomically (temp file + rename), when persistence is on. */
  save(): void {
    if (this.#dataFile === undefined) return;
    const stores = [...this.#regions.values()];
    const data: StoredFile = {
      format: 'kms-local/1',
      region: this.defaultRegion,
      accountId: this.accountId,
      keys: stores.flatMap((store) => [...store.keys.values()].map((key) => storedKey(key, this.defaultRegion))),
      aliases: stores.flatMap((store) =>
        [...store.aliases.values()].map((alias) => ({ ...alias, ...(store.region === this.defaultRegion ? {} : { region: store.region }) })),
      ),
    };
    const temp = `${this.#dataFile}.${process.pid}.${randomUUID()}.tmp`;
    try {
      // Written in full and flushed to disk before the rename, so the data file is always either the
      // old or the new state, even after a crash or power loss.
      const fd = openSync(temp, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(data, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.#dataFile);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  #load(file: string): void {
    let data: StoredFile;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as StoredFile;
    } catch (error) {
      throw new Error(`kms-local: cannot read the data file ${file}: ${(error as Error).message}`);
    }
    if (typeof data !== 'object' || data === null || data.format !== 'kms-local/1' || !Array.isArray(data.keys) || !Array.isArray(data.aliases)) {
      throw new Error(`kms-local: ${file} is not a kms-local data file (expected "format": "kms-local/1")`);
    }
    if (data.region !== this.defaultRegion || data.accountId !== this.accountId) {
      throw new Error(
        `kms-local: ${file} holds keys of account ${data.accountId} in ${data.region}, but this server is ${this.accountId} in ${this.defaultRegion}; start it with the same region and account id, or use another data file`,
      );
    }
    // Replicas of a multi-Region key share one key pair: parse each private key once.
    const parsed = new Map<string, KeyMaterial>();
    for (const [index, stored] of data.keys.entries()) {
      const problem = storedKeyProblem(stored);
      if (problem) throw new Error(`kms-local: ${file}: key ${index} ${problem}`);
      const spec = stored.keySpec as KeySpec;
      let material: KeyMaterial | undefined;
      let secret: Buffer | undefined;
      if (isSigningKeySpec(spec)) {
        if (stored.privateKeyPem === undefined) throw new Error(`kms-local: ${file}: key ${index} is asymmetric but has no privateKeyPem`);
        material = parsed.get(stored.privateKeyPem) ?? importKeyMaterial(spec, stored.privateKeyPem);
        parsed.set(stored.privateKeyPem, material);
      } else if (isHmacKeySpec(spec)) {
        if (stored.hmacKeyBase64 === undefined) throw new Error(`kms-local: ${file}: key ${index} is an HMAC key but has no hmacKeyBase64`);
        secret = Buffer.from(stored.hmacKeyBase64, 'base64');
      }
      const store = this.region(stored.region ?? this.defaultRegion);
      store.addKey({
        keyId: stored.keyId,
        creationDate: stored.creationDate,
        description: stored.description,
        keySpec: spec,
        keyUsage: stored.keyUsage,
        keyState: stored.keyState,
        deletionDate: stored.deletionDate,
        pendingWindowInDays: stored.pendingWindowInDays,
        tags: new Map(Object.entries(stored.tags)),
        policy: stored.policy,
        material,
        secret,
        keyMaterialId: stored.keyMaterialId,
        primaryRegion: stored.primaryRegion,
      });
    }
    for (const [index, alias] of data.aliases.entries()) {
      const region = typeof alias === 'object' && alias !== null && typeof alias.region === 'string' ? alias.region : this.defaultRegion;
      const valid =
        typeof alias === 'object' && alias !== null && typeof alias.aliasName === 'string' && ALIAS_NAME.test(alias.aliasName) &&
        typeof alias.targetKeyId === 'string' && this.#regions.get(region)?.keys.has(alias.targetKeyId) === true &&
        typeof alias.creationDate === 'number' && typeof alias.lastUpdatedDate === 'number';
      if (!valid) throw new Error(`kms-local: ${file}: alias ${index} is not a valid alias of a stored key`);
    }
    for (const { region, ...alias } of data.aliases) this.region(region ?? this.defaultRegion).aliases.set(alias.aliasName, alias);
  }
}

function storedKey(key: KeyRecord, defaultRegion: string): StoredKey {
  return {
    keyId: key.keyId,
    region: key.region === defaultRegion ? undefined : key.region,
    creationDate: key.creationDate,
    description: key.description,
    keySpec: key.keySpec,
    keyUsage: key.keyUsage,
    keyState: key.keyState,
    deletionDate: key.deletionDate,
    pendingWindowInDays: key.pendingWindowInDays,
    tags: Object.fromEntries(key.tags),
    policy: key.policy,
    privateKeyPem: key.material ? exportPrivateKeyPem(key.material) : undefined,
    hmacKeyBase64: key.secret?.toString('base64'),
    keyMaterialId: key.keyMaterialId,
    primaryRegion: key.primaryRegion,
  };
}

const KEY_STATES: readonly string[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingReplicaDeletion'];
const KEY_USAGES: readonly string[] = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC'];
const OPTIONAL_STRINGS = ['region', 'policy', 'privateKeyPem', 'hmacKeyBase64', 'keyMaterialId', 'primaryRegion'] as const;

/** Why a data file's key entry cannot be loaded, or undefined when it can. */
function storedKeyProblem(stored: StoredKey | null): string | undefined {
  if (typeof stored !== 'object' || stored === null) return 'is not an object';
  if (typeof stored.keyId !== 'string' || !/^[A-Za-z0-9-]{1,128}$/.test(stored.keyId)) return 'has no valid keyId';
  if (typeof stored.keySpec !== 'string' || !isKeySpec(stored.keySpec)) return `has unknown key spec ${String(stored.keySpec)}`;
  if (!KEY_USAGES.includes(stored.keyUsage)) return `has unknown key usage ${String(stored.keyUsage)}`;
  if (!KEY_STATES.includes(stored.keyState)) return `has unknown key state ${String(stored.keyState)}`;
  if (typeof stored.creationDate !== 'number' || typeof stored.description !== 'string') return 'lacks creationDate or description';
  if (typeof stored.tags !== 'object' || stored.tags === null || !Object.values(stored.tags).every((v) => typeof v === 'string')) return 'has invalid tags';
  for (const member of OPTIONAL_STRINGS) {
    if (stored[member] !== undefined && typeof stored[member] !== 'string') return `has a ${member} that is not a string`;
  }
  if (stored.region !== undefined && !REGION_NAME.test(stored.region)) return `has an invalid region ${stored.region}`;
  if (stored.keyState === 'PendingDeletion' && typeof stored.deletionDate !== 'number') return 'is pending deletion without a deletionDate';
  return undefined;
}
