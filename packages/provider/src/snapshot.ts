import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JwsAlgorithm, KmsSigningKeySpec } from 'kms-jwt-verifier';
import { SnapshotRejectedError } from './errors.js';
import { keyIdOfArn } from './key-refs.js';
import { allowedAlgorithms, isJwsAlgorithm, isSigningKeySpec } from './public-key.js';

/** A trusted key in a snapshot: public information only. */
export interface KmsKeySnapshotKey {
  readonly keyArn: string;
  readonly keySpec: KmsSigningKeySpec;
  /** The JWS algorithms the key was trusted for. */
  readonly algorithms: readonly JwsAlgorithm[];
  /** The DER SubjectPublicKeyInfo, base64, exactly as GetPublicKey returned it. */
  readonly publicKey: string;
}

/** Where an alias pointed, and the keys it pointed to before that are still within their grace. */
export interface KmsKeySnapshotAlias {
  /** The alias as configured (`alias/...` or an alias ARN). */
  readonly alias: string;
  /** The key ARN it points to; `null` when it was found deleted. */
  readonly keyArn: string | null;
  readonly retired: readonly { readonly keyArn: string; readonly graceUntilMs: number }[];
}

/**
 * What `exportSnapshot()` returns and the `snapshot` option takes: the trusted public keys and
 * alias targets, as JSON-safe data, so a cold start needs no KMS call.
 */
export interface KmsKeySnapshot {
  readonly version: 1;
  /** When it was taken (epoch ms): a snapshot older than `snapshotMaxAgeMs`, or from the future, is refused. */
  readonly createdAtMs: number;
  readonly keys: readonly KmsKeySnapshotKey[];
  readonly aliases: readonly KmsKeySnapshotAlias[];
}

/** A snapshot key, checked and parsed. */
export interface LoadedSnapshotKey {
  readonly keyArn: string;
  readonly keyId: string;
  readonly keySpec: KmsSigningKeySpec;
  readonly spki: Buffer;
  readonly publicKey: KeyObject;
  readonly algorithms: readonly JwsAlgorithm[];
}

function fail(message: string, cause?: unknown): never {
  throw new SnapshotRejectedError('malformed', message, cause === undefined ? undefined : { cause });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the `snapshot` option: an object, or the path of a JSON file holding one. */
export function readSnapshot(source: KmsKeySnapshot | string): unknown {
  if (typeof source !== 'string') return source;
  try {
    return JSON.parse(readFileSync(source, 'utf8')) as unknown;
  } catch (error) {
    return fail(`cannot read ${source} as JSON`, error);
  }
}

/**
 * Checks a snapshot's form whole before any of it applies; keys are checked as a GetPublicKey answer
 * would be. `createdAtMs` is returned as found: snapshot-guard.ts judges it.
 */
export function parseSnapshot(
  value: unknown,
  allowlist: readonly JwsAlgorithm[] | undefined,
): { createdAtMs: unknown; keys: Map<string, LoadedSnapshotKey>; aliases: readonly KmsKeySnapshotAlias[] } {
  if (!isObject(value) || value['version'] !== 1) fail('expected an object with version 1, as exportSnapshot() returns');
  if (!Array.isArray(value['keys']) || !Array.isArray(value['aliases'])) fail('keys and aliases must be arrays');
  const keys = new Map<string, LoadedSnapshotKey>();
  for (const [index, entry] of (value['keys'] as unknown[]).entries()) {
    if (!isObject(entry)) fail(`keys[${index}] must be an object`);
    const { keyArn, keySpec, algorithms, publicKey } = entry;
    const keyId = typeof keyArn === 'string' ? keyIdOfArn(keyArn) : undefined;
    if (keyId === undefined) fail(`keys[${index}].keyArn must be a KMS key ARN`);
    if (!isSigningKeySpec(keySpec)) fail(`keys[${index}] (${String(keyArn)}): keySpec must be a KMS signing key spec`);
    if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isJwsAlgorithm)) fail(`keys[${index}] (${String(keyArn)}): algorithms must be a non-empty array of JWS algorithms`);
    if (typeof publicKey !== 'string') fail(`keys[${index}] (${String(keyArn)}): publicKey must be a base64 DER SPKI`);
    const spki = Buffer.from(publicKey, 'base64');
    let parsed: KeyObject;
    try {
      parsed = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    } catch (error) {
      return fail(`keys[${index}] (${String(keyArn)}): publicKey is not a DER SPKI`, error);
    }
    const usable = allowedAlgorithms(keySpec, parsed, undefined, allowlist);
    if (typeof usable === 'string') fail(`keys[${index}] (${String(keyArn)}): ${usable}`);
    const kept = usable.filter((alg) => (algorithms as string[]).includes(alg));
    if (kept.length === 0) fail(`keys[${index}] (${String(keyArn)}): none of its algorithms is allowed for key spec ${keySpec}`);
    keys.set(keyId, { keyArn: keyArn as string, keyId, keySpec, spki, publicKey: parsed, algorithms: Object.freeze(kept) });
  }
  const aliases: KmsKeySnapshotAlias[] = [];
  for (const [index, entry] of (value['aliases'] as unknown[]).entries()) {
    if (!isObject(entry) || typeof entry['alias'] !== 'string') fail(`aliases[${index}] must be an object with an alias`);
    const keyArn = entry['keyArn'];
    if (keyArn !== null && (typeof keyArn !== 'string' || keyIdOfArn(keyArn) === undefined)) fail(`aliases[${index}].keyArn must be a key ARN or null`);
    const retired = entry['retired'];
    if (!Array.isArray(retired)) fail(`aliases[${index}].retired must be an array`);
    for (const old of retired as unknown[]) {
      if (!isObject(old) || typeof old['keyArn'] !== 'string' || keyIdOfArn(old['keyArn']) === undefined || typeof old['graceUntilMs'] !== 'number') {
        fail(`aliases[${index}].retired must hold { keyArn, graceUntilMs }`);
      }
    }
    aliases.push(entry as unknown as KmsKeySnapshotAlias);
  }
  return { createdAtMs: value['createdAtMs'], keys, aliases };
}
