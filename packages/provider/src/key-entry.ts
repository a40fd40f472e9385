import type { KmsSigningKeySpec, TrustedKey } from 'kms-jwt-verifier';
import type { RefusalReason, SourcedKey } from './key-source.js';
import { describeError } from './kms-errors.js';

/** A key the source vouched for, as cached. */
export interface TrustedEntry {
  readonly kind: 'trusted';
  /** What `resolve` answers: the same object for as long as the key stays unchanged. */
  readonly key: TrustedKey;
  readonly keyArn: string;
  readonly keySpec: KmsSigningKeySpec;
  readonly spki: Buffer;
  /** When the source last confirmed the key (epoch ms). */
  readonly fetchedAt: number;
}

/** A key the source refused, as cached: `resolve` answers `undefined` (401) until a later fetch says otherwise. */
export interface UntrustedEntry {
  readonly kind: 'untrusted';
  readonly keyArn: string;
  readonly reason: RefusalReason;
  readonly message: string;
  /** The source's answer, when it was an error. */
  readonly error: Error | undefined;
  readonly fetchedAt: number;
}

export type KeyEntry = TrustedEntry | UntrustedEntry;

const UNTRUSTED_TEXT: Readonly<Record<RefusalReason, string>> = {
  'not-found': 'KMS does not know this key',
  disabled: 'the key is disabled',
  'invalid-state': 'the key is pending deletion (or otherwise not usable)',
  unusable: 'the key cannot verify tokens',
};

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** A cache entry for a sourced key; keeps the stale entry's `TrustedKey` when the key is unchanged. */
export function trustedEntry(sourced: SourcedKey, stale: KeyEntry | undefined, now: number): TrustedEntry {
  const same = stale?.kind === 'trusted' && stale.spki.equals(sourced.spki) && sameList(stale.key.algorithms, sourced.algorithms);
  const key: TrustedKey = same ? stale.key : Object.freeze({ id: sourced.keyArn, publicKey: sourced.publicKey, algorithms: sourced.algorithms });
  return { kind: 'trusted', key, keyArn: sourced.keyArn, keySpec: sourced.keySpec, spki: sourced.spki, fetchedAt: now };
}

/** A cache entry for a refused key; its message says why, never with key material. */
export function untrustedEntry(keyArn: string, reason: RefusalReason, detail: string | Error, now: number): UntrustedEntry {
  const message = `${UNTRUSTED_TEXT[reason]} (${typeof detail === 'string' ? detail : describeError(detail)})`;
  return { kind: 'untrusted', keyArn, reason, message, error: typeof detail === 'string' ? undefined : detail, fetchedAt: now };
}
