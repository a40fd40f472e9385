import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateKeyMaterial, importKeyMaterial } from './key-material.js';
import { isKeySpec, KEY_SPECS, type KeySpec, type KeyUsage } from './key-specs.js';
import type { KmsStore } from './store.js';

/** One key to preload. */
export interface SeedKey {
  /** The key id (a UUID). Default: derived from the private key, or from the entry's position and spec. */
  readonly keyId?: string;
  /** The key spec, e.g. `ECC_NIST_P256`. */
  readonly keySpec: KeySpec;
  /** Default: `SIGN_VERIFY` for asymmetric specs, `ENCRYPT_DECRYPT` for `SYMMETRIC_DEFAULT`. */
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
 * persisted to the data file survives a restart).
 */
export interface KmsLocalSeed {
  readonly keys?: readonly SeedKey[];
  readonly aliases?: ReadonlyArray<{ readonly aliasName: string; readonly targetKeyId: string }>;
}

/** Reads a seed from a JSON file. */
export function readSeedFile(path: string): KmsLocalSeed {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as KmsLocalSeed;
  } catch (error) {
    throw new Error(`kms-local: cannot read the seed file ${path}: ${(error as Error).message}`);
  }
}

function derivedKeyId(source: string): string {
  const hex = createHash('sha256').update(source).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Applies a seed to the store (see {@link KmsLocalSeed} for idempotence). */
export async function applySeed(store: KmsStore, seed: KmsLocalSeed): Promise<void> {
  const keys = seed.keys ?? [];
  for (const [index, entry] of keys.entries()) {
    if (!isKeySpec(entry.keySpec)) throw new Error(`kms-local: seed key ${index} has unknown keySpec ${String(entry.keySpec)}`);
    const spec = entry.keySpec;
    const usage = entry.keyUsage ?? (spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY');
    if (!KEY_SPECS[spec].usages.includes(usage)) throw new Error(`kms-local: seed key ${index}: key usage ${usage} does not fit key spec ${spec}`);
    if (entry.privateKeyPem !== undefined && spec === 'SYMMETRIC_DEFAULT') throw new Error(`kms-local: seed key ${index}: a SYMMETRIC_DEFAULT key takes no privateKeyPem`);
    const imported = entry.privateKeyPem === undefined || spec === 'SYMMETRIC_DEFAULT' ? undefined : importKeyMaterial(spec, entry.privateKeyPem);
    const keyId = entry.keyId ?? derivedKeyId(imported ? imported.spki.toString('base64') : `seed:${index}:${spec}:${entry.description ?? ''}`);
    if (!store.keys.has(keyId)) {
      const material = spec === 'SYMMETRIC_DEFAULT' ? undefined : (imported ?? (await generateKeyMaterial(spec)));
      store.keys.set(keyId, {
        keyId,
        arn: store.keyArn(keyId),
        creationDate: store.nowSeconds(),
        description: entry.description ?? '',
        keySpec: spec,
        keyUsage: usage,
        keyState: entry.enabled === false ? 'Disabled' : 'Enabled',
        tags: new Map(Object.entries(entry.tags ?? {})),
        material,
      });
    }
    for (const aliasName of entry.aliases ?? []) addAlias(store, aliasName, keyId);
  }
  for (const alias of seed.aliases ?? []) {
    const target = store.resolve(alias.targetKeyId, { aliases: false });
    addAlias(store, alias.aliasName, target.keyId);
  }
  store.save();
}

function addAlias(store: KmsStore, aliasName: string, keyId: string): void {
  store.checkAliasName(aliasName);
  if (store.aliases.has(aliasName)) return;
  const now = store.nowSeconds();
  store.aliases.set(aliasName, { aliasName, targetKeyId: keyId, creationDate: now, lastUpdatedDate: now });
}
