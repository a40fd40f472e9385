import { KeySourceUnavailableError } from 'kms-jwt-verifier';
import { KeyPinMismatchError, KeyProviderConfigError } from './errors.js';
import { describeError, errorName } from './kms-errors.js';
import type { ProviderParts } from './provider-parts.js';

interface Problem {
  readonly key: string;
  readonly text: string;
  readonly cause: unknown;
  /** Whether the source answered (a configuration mistake) rather than failed. */
  readonly config: boolean;
  /** Whether the key does not match its pinned `spkiSha256`. */
  readonly pin?: boolean;
}

/** Looks up the aliases, then fetches the trusted keys, each unless still fresh (a snapshot's, until KMS confirmed them, are not). */
async function refreshAll({ trust, cache, aliases, nowMs, offlinePinFailures }: ProviderParts): Promise<Problem[]> {
  await aliases.refreshAll(nowMs());
  const problems: Problem[] = offlinePinFailures.map((kid) => ({ key: kid, text: 'the offline key does not match its pinned spkiSha256', cause: undefined, config: true, pin: true }));
  problems.push(...aliases.problems().map(({ alias, text, cause, config }) => ({ key: alias, text, cause, config })));
  const now = nowMs();
  const wanted = [...trust.values()].filter((record) => trust.isTrusted(record, now));
  await Promise.all(
    wanted.map((record) => {
      const entry = cache.peek(record.keyId);
      return entry?.kind === 'trusted' && cache.isFresh(entry, nowMs()) ? undefined : cache.refresh(record, true);
    }),
  );
  for (const record of wanted) {
    const entry = cache.peek(record.keyId);
    const failure = cache.failure(record.keyId);
    if (entry?.kind === 'untrusted') problems.push({ key: trust.describe(record), text: entry.message, cause: entry.error, config: true, pin: entry.reason === 'spki-mismatch' });
    else if (failure !== undefined) {
      problems.push({ key: trust.describe(record), text: `GetPublicKey failed (${describeError(failure.error)})`, cause: failure.error, config: errorName(failure.error) === 'AccessDeniedException' });
    } else if (entry === undefined) {
      // No failure recorded: the provider was closed before the key was fetched, or the key did not stay in the cache.
      const text = cache.closed ? 'the provider was closed before its public key was fetched' : 'its public key was fetched but is not cached; raise cacheMaxEntries to at least the number of trusted keys';
      problems.push({ key: trust.describe(record), text, cause: undefined, config: !cache.closed });
    }
  }
  return problems;
}

/**
 * `ready()`: every configured alias resolved and every trusted key fetched (unless still fresh),
 * else one error naming each key that cannot be used and why — `KeyPinMismatchError` when a key does
 * not match its pin, `KeyProviderConfigError` when the source answered, `KeySourceUnavailableError`
 * when it could not be reached.
 */
export async function checkReady(parts: ProviderParts): Promise<void> {
  if (parts.cache.closed) throw new KeyProviderConfigError('ready() was called after close()');
  const problems = await refreshAll(parts);
  if (problems.length === 0) return;
  const message = `ready(): ${problems.length === 1 ? 'a configured key cannot be used' : `${problems.length} configured keys cannot be used`}: ${problems.map((problem) => `${problem.key}: ${problem.text}`).join('; ')}`;
  const causes = problems.map((problem) => problem.cause).filter((cause) => cause !== undefined);
  const cause = causes.length > 1 ? new AggregateError(causes, 'KMS errors') : causes[0];
  if (problems.some((problem) => problem.pin === true)) throw new KeyPinMismatchError(message, cause === undefined ? undefined : { cause });
  if (problems.some((problem) => problem.config)) throw new KeyProviderConfigError(message, cause === undefined ? undefined : { cause });
  throw new KeySourceUnavailableError(`kms-pubkey-provider: ${message}`, cause === undefined ? undefined : { cause });
}
