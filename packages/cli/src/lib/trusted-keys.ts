import type { KMSClient } from '@aws-sdk/client-kms';
import { KmsJwtError } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KeyProviderHooks, type KmsKeyProvider, type KmsKeyProviderOptions } from 'kms-pubkey-provider';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { createKmsClient, trustedEndpointOf } from './kms-client.js';
import { describeEndpoint, type KmsFlags } from './kms-flags.js';
import { findSetupProblem } from './kms-errors.js';
import type { KeySources } from './key-sources.js';

/** The key flags of `verify` and `verify-message`. */
export const KEY_OPTIONS = {
  key: { type: 'string', multiple: true },
  alias: { type: 'string', multiple: true },
  jwks: { type: 'string', multiple: true },
  pem: { type: 'string', multiple: true },
  kid: { type: 'string', multiple: true },
  snapshot: { type: 'string' },
} as const;

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

/** The trusted keys of a command, ready to verify with. */
export interface TrustedKeys {
  readonly provider: KmsKeyProvider;
  /** The KMS client the provider calls; `undefined` for offline keys only. */
  readonly client: KMSClient | undefined;
  /** Where the keys come from, for messages: the KMS endpoint, or `offline keys`. */
  readonly where: string;
  /** Stops the provider and the KMS client. */
  close(): void;
}

/** Provider options a command adds to those of the key flags (the console's hooks and alias refresh). */
export type ExtraProviderOptions = KeyProviderHooks & Pick<KmsKeyProviderOptions, 'aliasRefreshMs'>;

/**
 * kms-pubkey-provider over the key flags, with its keys fetched (`ready()`). A failure is thrown
 * as {@link keysUnavailable}'s error, the provider's own error as its `cause`.
 */
export async function openTrustedKeys(sources: KeySources, flags: KmsFlags, extra: ExtraProviderOptions = {}): Promise<TrustedKeys> {
  const where = sources.usesKms ? describeEndpoint(flags) : 'offline keys';
  let client: KMSClient | undefined;
  let provider: KmsKeyProvider | undefined;
  const close = (): void => {
    provider?.close();
    client?.destroy();
  };
  try {
    if (sources.usesKms) client = createKmsClient(flags);
    provider = createKmsKeyProvider({ ...sources.options, ...extra, ...(client === undefined ? {} : { client, ...trustedEndpointOf(flags) }) });
    await provider.ready();
    return { provider, client, where, close };
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
