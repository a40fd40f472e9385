import { readFile } from 'node:fs/promises';
import type { KmsKeyProviderOptions, OfflineKey } from 'kms-pubkey-provider';
import { CliError, UsageError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { aliasName, keyRef } from './key-refs.js';

/** The key flags of `verify`. */
export interface KeyFlags {
  readonly key?: readonly string[] | undefined;
  readonly alias?: readonly string[] | undefined;
  readonly jwks?: readonly string[] | undefined;
  readonly pem?: readonly string[] | undefined;
  readonly kid?: readonly string[] | undefined;
  readonly snapshot?: string | undefined;
}

/** What the provider is built from, and whether any of it needs KMS. */
export interface KeySources {
  readonly options: Pick<KmsKeyProviderOptions, 'keys' | 'offlineKeys' | 'snapshot' | 'confirmSnapshot'>;
  /** `--key` or `--alias` given: the provider calls KMS (unless a snapshot answers for them). */
  readonly usesKms: boolean;
}

interface SnapshotRefs {
  readonly aliases: readonly string[];
  readonly keys: readonly string[];
}

/**
 * The keys a snapshot file names: its aliases, and its keys that no alias points (or pointed) to.
 * Keys reached only through an alias keep the alias's rotation and grace rules.
 */
async function snapshotRefs(file: string): Promise<SnapshotRefs> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot load the snapshot ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT_CODES.unavailable, { cause: error });
  }
  const snapshot = value as { keys?: unknown; aliases?: unknown };
  if (typeof value !== 'object' || value === null || !Array.isArray(snapshot.keys) || !Array.isArray(snapshot.aliases)) {
    throw new CliError(`cannot load the snapshot ${file}: not a snapshot (expected { version: 1, keys, aliases }, as kms-jwt jwks --format snapshot writes)`, EXIT_CODES.unavailable);
  }
  const aliases: string[] = [];
  const covered = new Set<string>();
  for (const entry of snapshot.aliases as unknown[]) {
    const alias = entry as { alias?: unknown; keyArn?: unknown; retired?: unknown };
    if (typeof alias.alias === 'string') aliases.push(alias.alias);
    if (typeof alias.keyArn === 'string') covered.add(alias.keyArn);
    for (const retired of Array.isArray(alias.retired) ? (alias.retired as unknown[]) : []) {
      const keyArn = (retired as { keyArn?: unknown }).keyArn;
      if (typeof keyArn === 'string') covered.add(keyArn);
    }
  }
  const keys = (snapshot.keys as unknown[])
    .map((entry) => (entry as { keyArn?: unknown }).keyArn)
    .filter((keyArn): keyArn is string => typeof keyArn === 'string' && !covered.has(keyArn));
  return { aliases, keys };
}

/** Turns the key flags into provider options; at least one source is required. */
export async function keySourcesFrom(flags: KeyFlags): Promise<KeySources> {
  const keys = (flags.key ?? []).map(keyRef);
  const aliases = (flags.alias ?? []).map((alias) => aliasName(alias));
  const pems = flags.pem ?? [];
  const kids = flags.kid ?? [];
  if (pems.length !== kids.length) {
    throw new UsageError(`each --pem needs a --kid (the key ARN its tokens carry), in the same order: got ${pems.length} --pem and ${kids.length} --kid`);
  }
  const offlineKeys: OfflineKey[] = [
    ...(flags.jwks ?? []).map((file) => ({ file })),
    ...pems.map((file, index) => ({ file, kid: kids[index] ?? '' })),
  ];
  const usesKms = keys.length + aliases.length > 0;
  if (!usesKms && offlineKeys.length === 0 && flags.snapshot === undefined) {
    throw new UsageError('no keys to verify with: give --key or --alias (KMS), or --jwks, --pem with --kid, or --snapshot (offline)');
  }
  let refs = [...keys, ...aliases];
  if (flags.snapshot !== undefined && !usesKms) {
    const fromSnapshot = await snapshotRefs(flags.snapshot);
    refs = [...new Set([...fromSnapshot.keys, ...fromSnapshot.aliases])];
    if (refs.length === 0) throw new CliError(`the snapshot ${flags.snapshot} holds no keys`, EXIT_CODES.unavailable);
  }
  return {
    options: {
      ...(refs.length === 0 ? {} : { keys: refs }),
      ...(offlineKeys.length === 0 ? {} : { offlineKeys }),
      // Offline (no --key or --alias), the snapshot is the trust given on the command line, like --jwks:
      // it is not confirmed with KMS. With --key or --alias, KMS confirms its keys first.
      ...(flags.snapshot === undefined ? {} : { snapshot: flags.snapshot, confirmSnapshot: usesKms }),
    },
    usesKms,
  };
}
