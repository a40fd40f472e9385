import { randomBytes, randomUUID } from 'node:crypto';
import type { KmsAccount } from './account.js';
import { KmsError } from './errors.js';
import type { KeyMaterial } from './key-material.js';
import { defaultKeyPolicy } from './key-policy.js';
import type { KeySpec, KeyUsage } from './key-specs.js';
import { partitionOf } from './partition.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingReplicaDeletion';

export interface KeyRecord {
  readonly keyId: string;
  /** The Region the key lives in; a multi-Region key has one record per Region, all with the same keyId. */
  readonly region: string;
  readonly arn: string;
  /** Epoch seconds. */
  readonly creationDate: number;
  description: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  keyState: KeyState;
  /** Epoch seconds; set while PendingDeletion. */
  deletionDate?: number | undefined;
  /** Days; set while PendingDeletion or PendingReplicaDeletion. */
  pendingWindowInDays?: number | undefined;
  readonly tags: Map<string, string>;
  /** The key policy document, as stored (the default one unless CreateKey, ReplicateKey or PutKeyPolicy set one). */
  policy: string;
  /** Asymmetric keys: the key pair. */
  readonly material?: KeyMaterial | undefined;
  /** HMAC keys: the secret key bytes. */
  readonly secret?: Buffer | undefined;
  /** SYMMETRIC_DEFAULT keys: the id of the current key material (kms-local holds no such material). */
  readonly keyMaterialId?: string | undefined;
  /** Multi-Region keys: the Region of the primary key (this record's own Region when it is the primary). */
  readonly primaryRegion?: string | undefined;
}

/** What a new key record needs; the store fills in the rest. */
export type NewKeyRecord = Omit<KeyRecord, 'region' | 'arn' | 'policy' | 'keyMaterialId' | 'tags'> & {
  readonly policy?: string | undefined;
  readonly tags?: Map<string, string>;
  readonly keyMaterialId?: string | undefined;
};

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

const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;
export const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const ALIAS_MODEL_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

/**
 * Keys, aliases and tags of one account in one Region. The account ({@link KmsAccount}) holds one
 * store per Region it has served and persists them all together.
 */
export class KmsStore {
  readonly region: string;
  readonly partition: string;
  readonly account: KmsAccount;
  readonly keys = new Map<string, KeyRecord>();
  readonly aliases = new Map<string, AliasRecord>();

  constructor(account: KmsAccount, region: string) {
    this.account = account;
    this.region = region;
    this.partition = partitionOf(region);
  }

  get accountId(): string {
    return this.account.accountId;
  }

  /** Epoch seconds, as KMS timestamps are. */
  nowSeconds(): number {
    return this.account.nowSeconds();
  }

  /** Writes the account's data file, when persistence is on. */
  save(): void {
    this.account.save();
  }

  /** Removes keys (in every Region) whose deletion date has passed, as KMS does. */
  purgeDeleted(): void {
    this.account.purgeDeleted();
  }

  keyArn(keyId: string): string {
    return `arn:${this.partition}:kms:${this.region}:${this.accountId}:key/${keyId}`;
  }

  aliasArn(aliasName: string): string {
    return `arn:${this.partition}:kms:${this.region}:${this.accountId}:${aliasName}`;
  }

  /** A new key id: a UUID, or `mrk-` and 32 hex digits for a multi-Region key. */
  newKeyId(multiRegion = false): string {
    return multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
  }

  /** Adds a key to this Region: its ARN, default key policy and (symmetric keys) key material id are filled in. */
  addKey(init: NewKeyRecord): KeyRecord {
    const record: KeyRecord = {
      ...init,
      region: this.region,
      arn: this.keyArn(init.keyId),
      tags: init.tags ?? new Map(),
      policy: init.policy ?? defaultKeyPolicy(this.partition, this.accountId),
      keyMaterialId: init.keySpec === 'SYMMETRIC_DEFAULT' ? (init.keyMaterialId ?? randomBytes(32).toString('hex')) : undefined,
    };
    this.keys.set(record.keyId, record);
    return record;
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
      if (arn[1] !== this.partition || arn[2] !== this.region || arn[3] !== this.accountId) {
        throw new KmsError('NotFoundException', `Key '${identifier}' does not exist`);
      }
      return this.#keyById(arn[4] ?? '', identifier);
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
    if (arn[1] !== this.partition || arn[2] !== this.region || arn[3] !== this.accountId) {
      throw new KmsError('NotFoundException', `Alias ${identifier} is not found.`);
    }
    return arn[4];
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
}
