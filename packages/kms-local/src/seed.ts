import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateHmacKey, generateKeyMaterial, importKeyMaterial, type KeyMaterial } from './key-material.js';
import { isHmacKeySpec, isKeySpec, isSigningKeySpec, KEY_SPECS, type KeySpec, type KeyUsage } from './key-specs.js';
import type { KmsStore } from './store.js';

/** One key to preload. */
export interface SeedKey {
  /** The key id (a UUID). Default: derived from the private key, or from the entry's position and spec. */
  readonly keyId?: string;
  /** The key spec, e.g. `ECC_NIST_P256`. */
  readonly keySpec: KeySpec;
  /** Default: `SIGN_VERIFY` for asymmetric specs, `GENERATE_VERIFY_MAC` for HMAC specs, `ENCRYPT_DECRYPT` for `SYMMETRIC_DEFAULT`. */
  readonly keyUsage?: KeyUsage;
  /** Default: empty. */
  readonly description?: string;
  /** A PKCS#8 PEM private key of the spec's type. Default: a newly generated key. */
  readonly privateKeyPem?: string;
  /** `false` to start the key Disabled. Default: `true`. */
  readonly enabled?: boolean;
  /** Tags as `{ key: value }`. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Alias names (`alias/...`) that point to this key. */
  readonly aliases?: readonly string[];
}

/**
 * Keys and aliases to preload at start. Applying a seed is idempotent: a key whose id exists is
 * left as it is, and an alias that exists keeps its target (so a rotation done at run time and
 * persisted to the data file survives a restart). A seed is checked whole before anything is
 * applied; a key id that the data file holds with another key spec or another private key is an error.
 */
export interface KmsLocalSeed {
  readonly keys?: readonly SeedKey[];
  readonly aliases?: ReadonlyArray<{ readonly aliasName: string; readonly targetKeyId: string }>;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEED_MEMBERS = ['keys', 'aliases'];
const KEY_MEMBERS = ['keyId', 'keySpec', 'keyUsage', 'description', 'privateKeyPem', 'enabled', 'tags', 'aliases'];
const ALIAS_MEMBERS = ['aliasName', 'targetKeyId'];
const MAX_TAGS_PER_KEY = 50;

/** Reads a seed from a JSON file. */
export function readSeedFile(path: string): KmsLocalSeed {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`kms-local: cannot read the seed file ${path}: ${(error as Error).message}`);
  }
  try {
    checkSeedShape(parsed);
  } catch (error) {
    throw new Error(`${(error as Error).message} (in the seed file ${path})`);
  }
  return parsed;
}

function derivedKeyId(source: string): string {
  const hex = createHash('sha256').update(source).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknownMembers(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const member of Object.keys(value)) {
    if (!allowed.includes(member)) throw new Error(`kms-local: ${where} has unknown member "${member}" (expected ${allowed.join(', ')})`);
  }
}

/** Checks the JSON types of a seed, so that a hand-written seed file fails with a message that says where. */
function checkSeedShape(seed: unknown): asserts seed is KmsLocalSeed {
  if (!isRecord(seed)) throw new Error('kms-local: a seed must be an object like { "keys": [...], "aliases": [...] }');
  rejectUnknownMembers(seed, SEED_MEMBERS, 'the seed');
  if (seed.keys !== undefined && !Array.isArray(seed.keys)) throw new Error('kms-local: the seed\'s "keys" must be a list');
  if (seed.aliases !== undefined && !Array.isArray(seed.aliases)) throw new Error('kms-local: the seed\'s "aliases" must be a list');
  for (const [index, entry] of (seed.keys ?? []).entries()) {
    const where = `seed key ${index}`;
    if (!isRecord(entry)) throw new Error(`kms-local: ${where} must be an object with at least a keySpec`);
    rejectUnknownMembers(entry, KEY_MEMBERS, where);
    for (const member of ['keyId', 'keySpec', 'keyUsage', 'description', 'privateKeyPem'] as const) {
      if (entry[member] !== undefined && typeof entry[member] !== 'string') throw new Error(`kms-local: ${where}: ${member} must be a string`);
    }
    if (entry.keySpec === undefined) throw new Error(`kms-local: ${where} has no keySpec`);
    if (entry.enabled !== undefined && typeof entry.enabled !== 'boolean') throw new Error(`kms-local: ${where}: enabled must be true or false`);
    if (entry.tags !== undefined && (!isRecord(entry.tags) || !Object.values(entry.tags).every((value) => typeof value === 'string'))) {
      throw new Error(`kms-local: ${where}: tags must be an object of string values, like { "team": "identity" }`);
    }
    if (entry.aliases !== undefined && (!Array.isArray(entry.aliases) || !entry.aliases.every((name) => typeof name === 'string'))) {
      throw new Error(`kms-local: ${where}: aliases must be a list of alias names`);
    }
  }
  for (const [index, alias] of (seed.aliases ?? []).entries()) {
    const where = `seed alias ${index}`;
    if (!isRecord(alias) || typeof alias.aliasName !== 'string' || typeof alias.targetKeyId !== 'string') {
      throw new Error(`kms-local: ${where} must be an object like { "aliasName": "alias/name", "targetKeyId": "<key id>" }`);
    }
    rejectUnknownMembers(alias, ALIAS_MEMBERS, where);
  }
}

interface PlannedKey {
  readonly keyId: string;
  readonly spec: KeySpec;
  readonly usage: KeyUsage;
  readonly entry: SeedKey;
  readonly imported: KeyMaterial | undefined;
}

function planKey(store: KmsStore, entry: SeedKey, index: number): PlannedKey {
  const where = `seed key ${index}`;
  if (!isKeySpec(entry.keySpec)) throw new Error(`kms-local: ${where} has unknown keySpec ${String(entry.keySpec)}; use one of ${Object.keys(KEY_SPECS).join(', ')}`);
  const spec = entry.keySpec;
  const usage = entry.keyUsage ?? KEY_SPECS[spec].usages[0] ?? 'SIGN_VERIFY';
  if (!KEY_SPECS[spec].usages.includes(usage)) throw new Error(`kms-local: ${where}: key usage ${usage} does not fit key spec ${spec}`);
  if (entry.keyId !== undefined && !KEY_ID.test(entry.keyId)) throw new Error(`kms-local: ${where}: keyId ${entry.keyId} is not a key id (a lowercase UUID)`);
  if (entry.description !== undefined && entry.description.length > 8192) throw new Error(`kms-local: ${where}: the description is longer than 8192 characters`);
  const tagKeys = Object.keys(entry.tags ?? {});
  if (tagKeys.length > MAX_TAGS_PER_KEY) throw new Error(`kms-local: ${where} has ${tagKeys.length} tags; a KMS key can have at most ${MAX_TAGS_PER_KEY}`);
  for (const [tagKey, tagValue] of Object.entries(entry.tags ?? {})) {
    if (tagKey.length < 1 || tagKey.length > 128 || tagValue.length > 256) throw new Error(`kms-local: ${where}: tag ${tagKey} needs a key of 1 to 128 characters and a value of at most 256`);
    if (tagKey.toLowerCase().startsWith('aws:')) throw new Error(`kms-local: ${where}: tag key ${tagKey} uses the reserved prefix aws:`);
  }
  if (entry.privateKeyPem !== undefined && !isSigningKeySpec(spec)) throw new Error(`kms-local: ${where}: a ${spec} key takes no privateKeyPem`);
  let imported: KeyMaterial | undefined;
  if (entry.privateKeyPem !== undefined && isSigningKeySpec(spec)) {
    try {
      imported = importKeyMaterial(spec, entry.privateKeyPem);
    } catch (error) {
      throw new Error(`kms-local: ${where}: ${(error as Error).message.replace(/^kms-local: /, '')}`);
    }
  }
  const keyId = entry.keyId ?? derivedKeyId(imported ? imported.spki.toString('base64') : `seed:${index}:${spec}:${entry.description ?? ''}`);

  const existing = store.keys.get(keyId);
  if (existing !== undefined) {
    if (existing.keySpec !== spec) throw new Error(`kms-local: ${where}: key ${keyId} is ${spec} in the seed but ${existing.keySpec} in the data file`);
    if (imported !== undefined && !(existing.material?.spki.equals(imported.spki) ?? false)) {
      throw new Error(`kms-local: ${where}: key ${keyId} has another private key in the data file than the seed's privateKeyPem`);
    }
  }
  return { keyId, spec, usage, entry, imported };
}

function checkAliasName(store: KmsStore, aliasName: string, where: string): void {
  try {
    store.checkAliasName(aliasName);
  } catch (error) {
    throw new Error(`kms-local: ${where}: ${(error as Error).message}`);
  }
}

/** The key id an alias of the seed points to: a key of the seed, or a key already in the store. */
function aliasTarget(store: KmsStore, planned: readonly PlannedKey[], aliasName: string, target: string): string {
  const seedKey = planned.find((key) => key.keyId === target || store.keyArn(key.keyId) === target);
  if (seedKey) return seedKey.keyId;
  try {
    return store.resolve(target, { aliases: false }).keyId;
  } catch {
    throw new Error(`kms-local: seed alias ${aliasName} targets ${target}, which is neither a key id or key ARN of the seed nor a key in the data file`);
  }
}

/** Applies a seed to the store (see {@link KmsLocalSeed} for idempotence). */
export async function applySeed(store: KmsStore, seed: KmsLocalSeed): Promise<void> {
  checkSeedShape(seed);
  const planned = (seed.keys ?? []).map((entry, index) => planKey(store, entry, index));
  const seen = new Map<string, number>();
  for (const [index, key] of planned.entries()) {
    const first = seen.get(key.keyId);
    if (first !== undefined) throw new Error(`kms-local: seed keys ${first} and ${index} have the same key id ${key.keyId}`);
    seen.set(key.keyId, index);
  }

  const aliases = new Map<string, string>();
  const addPlannedAlias = (aliasName: string, keyId: string, where: string) => {
    checkAliasName(store, aliasName, where);
    if (aliases.has(aliasName)) throw new Error(`kms-local: the seed names alias ${aliasName} more than once`);
    aliases.set(aliasName, keyId);
  };
  for (const [index, key] of planned.entries()) {
    for (const aliasName of key.entry.aliases ?? []) addPlannedAlias(aliasName, key.keyId, `seed key ${index}`);
  }
  for (const alias of seed.aliases ?? []) {
    addPlannedAlias(alias.aliasName, aliasTarget(store, planned, alias.aliasName, alias.targetKeyId), `seed alias ${alias.aliasName}`);
  }

  // Everything is checked: generate the missing key material, then change the store.
  const materials = await Promise.all(
    planned.map((key) => (store.keys.has(key.keyId) || !isSigningKeySpec(key.spec) ? undefined : (key.imported ?? generateKeyMaterial(key.spec)))),
  );
  for (const [index, key] of planned.entries()) {
    if (store.keys.has(key.keyId)) continue;
    store.addKey({
      keyId: key.keyId,
      creationDate: store.nowSeconds(),
      description: key.entry.description ?? '',
      keySpec: key.spec,
      keyUsage: key.usage,
      keyState: key.entry.enabled === false ? 'Disabled' : 'Enabled',
      tags: new Map(Object.entries(key.entry.tags ?? {})),
      material: materials[index],
      secret: isHmacKeySpec(key.spec) ? generateHmacKey(key.spec) : undefined,
    });
  }
  const now = store.nowSeconds();
  for (const [aliasName, keyId] of aliases) {
    if (!store.aliases.has(aliasName)) store.aliases.set(aliasName, { aliasName, targetKeyId: keyId, creationDate: now, lastUpdatedDate: now });
  }
  store.save();
}
