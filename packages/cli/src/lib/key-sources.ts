import { readFile } from 'node:fs/promises';
import type { JwksTrustRule, KmsKeyProviderOptions, OfflineKey } from 'kms-pubkey-provider';
import { CliError, UsageError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { aliasName, keyArnRef, keyRef } from './key-refs.js';

/** The key flags of `verify`. */
export interface KeyFlags {
  readonly key?: readonly string[] | undefined;
  readonly alias?: readonly string[] | undefined;
  readonly jwks?: readonly string[] | undefined;
  readonly pem?: readonly string[] | undefined;
  readonly kid?: readonly string[] | undefined;
  readonly snapshot?: string | undefined;
  readonly 'jwks-url'?: string | undefined;
  readonly 'jwks-key-arn'?: readonly string[] | undefined;
  readonly 'jwks-trust'?: readonly string[] | undefined;
}

/** A remote JWKS (`--jwks-url`) and the allowlist of the keys it may make trusted. */
export interface RemoteJwksSource {
  readonly url: string;
  /** `--jwks-key-arn`: key ARNs the JWKS may publish. */
  readonly keyArns: readonly string[];
  /** `--jwks-trust`: accounts and Regions whose key ARNs the JWKS may publish. */
  readonly trust: readonly JwksTrustRule[];
}

/** What the provider is built from, and whether any of it needs KMS. */
export interface KeySources {
  readonly options: Pick<KmsKeyProviderOptions, 'keys' | 'offlineKeys' | 'snapshot' | 'confirmSnapshot'>;
  /** `--key` or `--alias` given: the provider calls KMS (unless a snapshot answers for them). */
  readonly usesKms: boolean;
  /** `--jwks-url` given: the keys come from that JWKS only (it is not combined with the other key flags). */
  readonly remote?: RemoteJwksSource | undefined;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;

/** `--jwks-trust <accountId>:<region>`. */
function trustRuleOf(value: string): JwksTrustRule {
  const [accountId = '', region = '', ...rest] = value.split(':');
  if (!ACCOUNT_ID.test(accountId) || !REGION.test(region) || rest.length > 0) {
    throw new UsageError(`--jwks-trust must be <accountId>:<region>, such as 111122223333:us-east-1, not ${value}`);
  }
  return { accountId, region };
}

/** The `--jwks-url` source; `undefined` without it. The allowlist is required and no other key flag is taken with it. */
function remoteJwksFrom(flags: KeyFlags): RemoteJwksSource | undefined {
  const keyArns = flags['jwks-key-arn'] ?? [];
  const trustFlags = flags['jwks-trust'] ?? [];
  const url = flags['jwks-url'];
  if (url === undefined) {
    if (keyArns.length + trustFlags.length > 0) throw new UsageError('--jwks-key-arn and --jwks-trust name the keys of a --jwks-url to trust: give the --jwks-url');
    return undefined;
  }
  const others = (['key', 'alias', 'jwks', 'pem', 'kid', 'snapshot'] as const).filter((name) => flags[name] !== undefined && flags[name].length > 0);
  if (others.length > 0) {
    throw new UsageError(`--jwks-url cannot be combined with ${others.map((name) => `--${name}`).join(', ')}: verify against one remote JWKS, or against KMS and offline keys (kms-jwt jwks --out makes a JWKS file of KMS keys)`);
  }
  if (keyArns.length + trustFlags.length === 0) {
    throw new UsageError('--jwks-url needs an allowlist of the keys to trust from it: --jwks-key-arn <key ARN> or --jwks-trust <accountId>:<region> (repeatable); every key a URL serves is never trusted');
  }
  return { url, keyArns: keyArns.map((arn) => keyArnRef(arn, '--jwks-key-arn')), trust: trustFlags.map(trustRuleOf) };
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
  const remote = remoteJwksFrom(flags);
  if (remote !== undefined) return { options: {}, usesKms: false, remote };
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
