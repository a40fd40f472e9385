import { KeySourceUnavailableError } from 'kms-jwt-verifier';
import { KeyProviderConfigError } from './errors.js';
import { JwksInvalidError } from './jwks-errors.js';
import type { RemoteJwks } from './remote-jwks.js';

/** The most ignored entries a `ready()` message names. */
const MAX_NAMED = 5;

/**
 * `ready()`: the JWKS fetched now (unless its last answer is still fresh) and listing at least one
 * trusted key; else `JwksInvalidError` (a document that cannot be used), `KeySourceUnavailableError`
 * (no answer, or an HTTP error), or `KeyProviderConfigError` (a JWKS with no key the trust rules allow).
 */
export async function checkJwksReady(jwks: RemoteJwks, shownUrl: string, nowMs: () => number): Promise<void> {
  if (jwks.closed) throw new KeyProviderConfigError('ready() was called after close()');
  if (!jwks.isFresh(nowMs()) || jwks.failure() !== undefined) await jwks.refresh(true);
  // close() while the fetch ran aborted it: nothing was answered, so nothing below would be true.
  if (jwks.closed) throw new KeyProviderConfigError('ready() was interrupted by close(): the provider is closed');
  const failure = jwks.failure();
  if (failure !== undefined) {
    if (failure.error instanceof JwksInvalidError) throw failure.error;
    throw new KeySourceUnavailableError(`kms-pubkey-provider: ready(): ${failure.error.message.replace(/^kms-pubkey-provider: /, '')}`, { cause: failure.error });
  }
  if (jwks.listedCount() > 0) return;
  const ignored = jwks.ignored();
  const named = ignored.slice(0, MAX_NAMED).map(({ kid, reason }) => `${kid ?? 'an entry without kid'} (${reason})`);
  const rest = ignored.length > MAX_NAMED ? `, and ${ignored.length - MAX_NAMED} more` : '';
  throw new KeyProviderConfigError(
    `ready(): the JWKS at ${shownUrl} lists no key that keyArns and trust allow${ignored.length === 0 ? ' (it lists no key at all)' : `; it lists ${named.join(', ')}${rest}`}; check keyArns and trust, and that the issuer publishes its KMS key ARNs as kid`,
  );
}
