import type { KMSClient } from '@aws-sdk/client-kms';
import { KmsJwtError } from 'kms-jwt-verifier';
import {
  createJwksKeyProvider,
  createKmsKeyProvider,
  KeyProviderConfigError,
  type JwksKeyProvider,
  type JwksKeyProviderHooks,
  type KeyProviderHooks,
  type KmsKeyProvider,
  type KmsKeyProviderOptions,
} from 'kms-pubkey-provider';
import { CliError, UsageError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { createKmsClient, trustedEndpointOf } from './kms-client.js';
import { describeEndpoint, type KmsFlags } from './kms-flags.js';
import { findSetupProblem } from './kms-errors.js';
import type { KeySources, RemoteJwksSource } from './key-sources.js';

/** The key flags of `verify` and `verify-message`. */
export const KEY_OPTIONS = {
  key: { type: 'string', multiple: true },
  alias: { type: 'string', multiple: true },
  jwks: { type: 'string', multiple: true },
  pem: { type: 'string', multiple: true },
  kid: { type: 'string', multiple: true },
  snapshot: { type: 'string' },
} as const;

/** The remote JWKS flags of `verify` and `console` (not `verify-message`). */
export const REMOTE_JWKS_OPTIONS = {
  'jwks-url': { type: 'string' },
  'jwks-key-arn': { type: 'string', multiple: true },
  'jwks-trust': { type: 'string', multiple: true },
} as const;

/** The help lines of {@link REMOTE_JWKS_OPTIONS}. */
export const REMOTE_JWKS_USAGE = `  --jwks-url <url>      a remote JWKS (an issuer's jwksHandler, kms-jwt jwks --out behind a web server):
                        https://, or http:// on a loopback host only; fetched again as its Cache-Control
                        says. Trusts only the keys the allowlist names (one of the two flags below is
                        required); not combined with the other key flags
  --jwks-key-arn <arn>  a key ARN the --jwks-url may publish; repeatable
  --jwks-trust <accountId>:<region>  any key ARN of that account and Region the --jwks-url publishes;
                        repeatable`;

/** The help lines of {@link KEY_OPTIONS}; `what` is what the keys sign (`tokens`, `messages`). */
export function keyOptionsUsage(what: string): string {
  return `  --key <arn|id>        a KMS key, its public key fetched with GetPublicKey; repeatable
  --alias <name>        a KMS alias (alias/... or alias ARN), trusting the key it points to now;
                        repeatable (after a rotation, add --key <old ARN> for the old key's ${what})
  --jwks <file>         a JWKS file (e.g. from kms-jwt jwks --out), offline; repeatable
  --pem <file>          a PEM public key file, offline, bound to the --kid at the same position; repeatable
  --kid <arn>           the kid (key ARN) that ${what} signed by the matching --pem carry
  --snapshot <file>     a kms-pubkey-provider snapshot (kms-jwt jwks --format snapshot), offline;
                        trusts its keys and aliases, or only those named by --key/--alias (then
                        confirmed with KMS); refused when taken more than 24 h ago`;
}

/** A key source that cannot be used: no verdict (exit 3), unless it is a setup mistake. The original error is the `cause`. */
export function keysUnavailable(error: unknown, where: string): CliError {
  const setup = findSetupProblem(error);
  if (setup !== undefined) return setup;
  const message = error instanceof Error ? error.message.replace(/^kms-pubkey-provider: /, '') : String(error);
  const code = error instanceof KmsJwtError ? ` [${error.code}]` : '';
  return new CliError(`cannot obtain the keys to verify with (${where}): ${message}${code}`, EXIT_CODES.unavailable, { cause: error });
}

/** What both kinds of trusted keys have. */
interface TrustedKeysBase {
  /** Where the keys come from, for messages: the KMS endpoint, `offline keys`, or `the JWKS at <url>`. */
  readonly where: string;
  /** Stops the provider and the KMS client. */
  close(): void;
}

/** KMS keys (`--key`, `--alias`) and offline keys (`--jwks`, `--pem`, `--snapshot`). */
export interface KmsTrustedKeys extends TrustedKeysBase {
  readonly kind: 'kms';
  readonly provider: KmsKeyProvider;
  /** The KMS client the provider calls; `undefined` for offline keys only. */
  readonly client: KMSClient | undefined;
}

/** The allowed keys of a remote JWKS (`--jwks-url`). */
export interface JwksTrustedKeys extends TrustedKeysBase {
  readonly kind: 'jwks';
  readonly provider: JwksKeyProvider;
  readonly client: undefined;
  /** The JWKS URL, without query or fragment. */
  readonly url: string;
}

/** The trusted keys of a command, ready to verify with. */
export type TrustedKeys = KmsTrustedKeys | JwksTrustedKeys;

/** Provider options a command adds to those of the key flags (the console's hooks and alias refresh); each provider takes the hooks it has. */
export type ExtraProviderOptions = KeyProviderHooks & JwksKeyProviderHooks & Pick<KmsKeyProviderOptions, 'aliasRefreshMs'>;

/** The JWKS URL as messages show it: no query, no fragment. */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}

async function openRemoteJwks(remote: RemoteJwksSource, extra: ExtraProviderOptions): Promise<JwksTrustedKeys> {
  const url = shownUrl(remote.url);
  const where = `the JWKS at ${url}`;
  const { onJwksFetched, onJwksFetchFailed, onJwksKeyIgnored, onKeyUntrusted } = extra;
  let provider: JwksKeyProvider;
  try {
    provider = createJwksKeyProvider({
      url: remote.url,
      ...(remote.keyArns.length === 0 ? {} : { keyArns: remote.keyArns }),
      ...(remote.trust.length === 0 ? {} : { trust: remote.trust }),
      ...(onJwksFetched === undefined ? {} : { onJwksFetched }),
      ...(onJwksFetchFailed === undefined ? {} : { onJwksFetchFailed }),
      ...(onJwksKeyIgnored === undefined ? {} : { onJwksKeyIgnored }),
      ...(onKeyUntrusted === undefined ? {} : { onKeyUntrusted }),
    });
  } catch (error) {
    // The URL or the allowlist given on the command line is wrong: a usage error.
    if (error instanceof KeyProviderConfigError) throw new UsageError(error.message.replace(/^kms-pubkey-provider: (url\b)?/, (_, url?: string) => (url === undefined ? '--jwks-url: ' : '--jwks-url')), { cause: error });
    throw error;
  }
  try {
    await provider.ready();
  } catch (error) {
    provider.close();
    throw keysUnavailable(error, where);
  }
  return { kind: 'jwks', provider, client: undefined, where, url, close: () => provider.close() };
}

/** The entries of `record` that are not `undefined` (for exactOptionalPropertyTypes). */
function definedOnly<T extends object>(record: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/**
 * kms-pubkey-provider over the key flags (or, with `--jwks-url`, its remote JWKS provider), with its keys fetched (`ready()`). A failure is thrown
 * as {@link keysUnavailable}'s error, the provider's own error as its `cause`.
 */
export async function openTrustedKeys(sources: KeySources, flags: KmsFlags, extra: ExtraProviderOptions = {}): Promise<TrustedKeys> {
  if (sources.remote !== undefined) return openRemoteJwks(sources.remote, extra);
  const { onKeyFetched, onKeyFetchFailed, onRotation, onKeyMismatch, onKeyUntrusted, aliasRefreshMs } = extra;
  const kmsExtra = { onKeyFetched, onKeyFetchFailed, onRotation, onKeyMismatch, onKeyUntrusted, aliasRefreshMs };
  const where = sources.usesKms ? describeEndpoint(flags) : 'offline keys';
  let client: KMSClient | undefined;
  let provider: KmsKeyProvider | undefined;
  const close = (): void => {
    provider?.close();
    client?.destroy();
  };
  try {
    if (sources.usesKms) client = createKmsClient(flags);
    provider = createKmsKeyProvider({ ...sources.options, ...definedOnly(kmsExtra), ...(client === undefined ? {} : { client, ...trustedEndpointOf(flags) }) });
    await provider.ready();
    return { kind: 'kms', provider, client, where, close };
  } catch (error) {
    close();
    throw keysUnavailable(error, where);
  }
}

/** What `--json` prints for keys that cannot be obtained: the provider's code, else ERR_KEY_SOURCE_UNAVAILABLE. */
export function unavailableReport(failure: CliError): { readonly code: string; readonly family: string; readonly message: string } {
  const cause = failure.cause;
  const [code, family] = cause instanceof KmsJwtError ? [cause.code, cause.family] : ['ERR_KEY_SOURCE_UNAVAILABLE', 'infrastructure'];
  return { code, family, message: failure.message };
}
