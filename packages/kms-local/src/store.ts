import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { KmsError } from './errors.js';
import { exportPrivateKeyPem, importKeyMaterial, type KeyMaterial } from './key-material.js';
import { isKeySpec, type KeySpec, type KeyUsage, type SigningKeySpec } from './key-specs.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KeyRecord {
  readonly keyId: string;
  readonly arn: string;
  /** Epoch seconds. */
  readonly creationDate: number;
  description: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  keyState: KeyState;
  /** Epoch seconds; set while PendingDeletion. */
  deletionDate?: number | undefined;
  pendingWindowInDays?: number | undefined;
  readonly tags: Map<string, string>;
  /** Absent for SYMMETRIC_DEFAULT keys: kms-local does not implement Encrypt/Decrypt. */
  readonly material?: KeyMaterial | undefined;
}

export interface AliasRecord {
  readonly aliasName: string;
  targetKeyId: string;
  readonly creationDate: number;
  lastUpdatedDate: number;
}

/** How an operation accepts key identifiers: some take aliases, some only key ids and key ARNs. */
export interface ResolveOptions {
  readonly aliases: boolean;
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const ALIAS_MODEL_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

interface StoredFile {
  readonly format: 'kms-local/1';
  readonly region: string;
  readonly accountId: string;
  readonly keys: readonly StoredKey[];
  readonly aliases: readonly AliasRecord[];
}

interface StoredKey {
  readonly keyId: string;
  readonly creationDate: number;
  readonly description: string;
  readonly keySpec: string;
  readonly keyUsage: KeyUsage;
  readonly keyState: KeyState;
  readonly deletionDate?: number | undefined;
  readonly pendingWindowInDays?: number | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly privateKeyPem?: string | undefined;
}

export interface KmsStoreOptions {
  readonly region: string;
  readonly accountId: string;
  readonly dataFile?: string | undefined;
  readonly now: () => number;
}

/** Keys, aliases and tags of one account and region, optionally persisted to a JSON data file. */
export class KmsStore {
  readonly region: string;
  readonly accountId: string;
  readonly keys = new Map<string, KeyRecord>();
  readonly aliases = new Map<string, AliasRecord>();
  readonly #dataFile: string | undefined;
  readonly #now: () => number;

  constructor(options: KmsStoreOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.#dataFile = options.dataFile;
    this.#now = options.now;
    if (this.#dataFile !== undefined && existsSync(this.#dataFile)) this.#load(this.#dataFile);
  }

  /** Epoch seconds, as KMS timestamps are. */
  nowSeconds(): number {
    return Math.floor(this.#now()) / 1000;
  }

  keyArn(keyId: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`;
  }

  aliasArn(aliasName: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:${aliasName}`;
  }

  newKeyId(): string {
    return randomUUID();
  }

  /** Resolves a key id, key ARN and (where the operation allows) alias name or alias ARN. */
  resolve(identifier: string, options: ResolveOptions): KeyRecord {
    this.purgeDeleted();
    const aliasName = this.#aliasNameOf(identifier);
    if (aliasName !== undefined) {
      if (!options.aliases) {
        throw new KmsError('NotFoundException', `Invalid keyId ${identifier}: this operation takes a key ID or key ARN, not an alias`);
      }
      const alias = this.aliases.get(aliasName);
      const key = alias && this.keys.get(alias.targetKeyId);
      if (!key) throw new KmsError('NotFoundException', `Alias ${this.aliasArn(aliasName)} is not found.`);
      return key;
    }
    const arn = KEY_ARN.exec(identifier);
    if (arn) {
      if (arn[1] !== this.region || arn[2] !== this.accountId) {
        throw new KmsError('NotFoundException', `Key '${identifier}' does not exist`);
      }
      return this.#keyById(arn[3] ?? '', identifier);
    }
    if (identifier.startsWith('arn:')) throw new KmsError('NotFoundException', `Invalid arn ${identifier}`);
    return this.#keyById(identifier, identifier);
  }

  #keyById(keyId: string, identifier: string): KeyRecord {
    const key = this.keys.get(keyId);
    if (!key) throw new KmsError('NotFoundException', `Key '${identifier.startsWith('arn:') ? identifier : this.keyArn(identifier)}' does not exist`);
    return key;
  }

  #aliasNameOf(identifier: string): string | undefined {
    if (identifier.startsWith('alias/')) return identifier;
    const arn = ALIAS_ARN.exec(identifier);
    if (!arn) return undefined;
    if (arn[1] !== this.region || arn[2] !== this.accountId) {
      throw new KmsError('NotFoundException', `Alias ${identifier} is not found.`);
    }
    return arn[3];
  }

  /** Checks an alias name for CreateAlias/UpdateAlias/DeleteAlias, with KMS's rules. */
  checkAliasName(aliasName: string): void {
    if (aliasName.length < 1 || aliasName.length > 256 || !ALIAS_MODEL_PATTERN.test(aliasName)) {
      throw new KmsError(
        'ValidationException',
        `1 validation error detected: Value '${aliasName}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ALIAS_MODEL_PATTERN.source} and have length between 1 and 256`,
      );
    }
    if (!aliasName.startsWith('alias/')) {
      throw new KmsError('ValidationException', 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
    }
    if (!ALIAS_NAME.test(aliasName)) {
      throw new KmsError('InvalidAliasNameException', `Alias name ${aliasName} must continue after 'alias/' with alphanumeric characters, '/', '_' or '-' only`);
    }
    if (aliasName.startsWith('alias/aws/')) {
      throw new KmsError('InvalidAliasNameException', `Alias ${aliasName} cannot begin with 'alias/aws/': that prefix is reserved for AWS managed keys`);
    }
  }

  aliasesOf(keyId: string): AliasRecord[] {
    return [...this.aliases.values()].filter((alias) => alias.targetKeyId === keyId);
  }

  /** Removes keys whose deletion date has passed, with their aliases, as KMS does. */
  purgeDeleted(): void {
    const now = this.nowSeconds();
    let changed = false;
    for (const key of this.keys.values()) {
      if (key.keyState === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= now) {
        this.keys.delete(key.keyId);
        for (const alias of this.aliasesOf(key.keyId)) this.aliases.delete(alias.aliasName);
        changed = true;
      }
    }
    if (changed) this.save();
  }

  /** Writes the data file atomically (temp file + rename), when persistence is on. */
  save(): void {
    if (this.#dataFile === undefined) return;
    const data: StoredFile = {
      format: 'kms-local/1',
      region: this.region,
      accountId: this.accountId,
      keys: [...this.keys.values()].map((key) => ({
        keyId: key.keyId,
        creationDate: key.creationDate,
        description: key.description,
        keySpec: key.keySpec,
        keyUsage: key.keyUsage,
        keyState: key.keyState,
        deletionDate: key.deletionDate,
        pendingWindowInDays: key.pendingWindowInDays,
        tags: Object.fromEntries(key.tags),
        privateKeyPem: key.material ? exportPrivateKeyPem(key.material) : undefined,
      })),
      aliases: [...this.aliases.values()],
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
    if (data.region !== this.region || data.accountId !== this.accountId) {
      throw new Error(
        `kms-local: ${file} holds keys of account ${data.accountId} in ${data.region}, but this server is ${this.accountId} in ${this.region}; start it with the same region and account id, or use another data file`,
      );
    }
    for (const [index, stored] of data.keys.entries()) {
      const problem = storedKeyProblem(stored);
      if (problem) throw new Error(`kms-local: ${file}: key ${index} ${problem}`);
      const spec = stored.keySpec as KeySpec;
      const material =
        spec === 'SYMMETRIC_DEFAULT' || stored.privateKeyPem === undefined ? undefined : importKeyMaterial(spec as SigningKeySpec, stored.privateKeyPem);
      if (spec !== 'SYMMETRIC_DEFAULT' && material === undefined) throw new Error(`kms-local: ${file}: key ${index} is asymmetric but has no privateKeyPem`);
      this.keys.set(stored.keyId, {
        keyId: stored.keyId,
        arn: this.keyArn(stored.keyId),
        creationDate: stored.creationDate,
        description: stored.description,
        keySpec: spec,
        keyUsage: stored.keyUsage,
        keyState: stored.keyState,
        deletionDate: stored.deletionDate,
        pendingWindowInDays: stored.pendingWindowInDays,
        tags: new Map(Object.entries(stored.tags)),
        material,
      });
    }
    for (const [index, alias] of data.aliases.entries()) {
      const valid =
        typeof alias === 'object' && alias !== null && typeof alias.aliasName === 'string' && ALIAS_NAME.test(alias.aliasName) &&
        typeof alias.targetKeyId === 'string' && this.keys.has(alias.targetKeyId) &&
        typeof alias.creationDate === 'number' && typeof alias.lastUpdatedDate === 'number';
      if (!valid) throw new Error(`kms-local: ${file}: alias ${index} is not a valid alias of a stored key`);
    }
    for (const alias of data.aliases) this.aliases.set(alias.aliasName, { ...alias });
  }
}

const KEY_STATES: readonly string[] = ['Enabled', 'Disabled', 'PendingDeletion'];
const KEY_USAGES: readonly string[] = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT'];

/** Why a data file's key entry cannot be loaded, or undefined when it can. */
function storedKeyProblem(stored: StoredKey | null): string | undefined {
  if (typeof stored !== 'object' || stored === null) return 'is not an object';
  if (typeof stored.keyId !== 'string' || !/^[A-Za-z0-9-]{1,128}$/.test(stored.keyId)) return 'has no valid keyId';
  if (typeof stored.keySpec !== 'string' || !isKeySpec(stored.keySpec)) return `has unknown key spec ${String(stored.keySpec)}`;
  if (!KEY_USAGES.includes(stored.keyUsage)) return `has unknown key usage ${String(stored.keyUsage)}`;
  if (!KEY_STATES.includes(stored.keyState)) return `has unknown key state ${String(stored.keyState)}`;
  if (typeof stored.creationDate !== 'number' || typeof stored.description !== 'string') return 'lacks creationDate or description';
  if (typeof stored.tags !== 'object' || stored.tags === null || !Object.values(stored.tags).every((v) => typeof v === 'string')) return 'has invalid tags';
  if (stored.keyState === 'PendingDeletion' && typeof stored.deletionDate !== 'number') return 'is pending deletion without a deletionDate';
  return undefined;
}
