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
  /** When the source last confirmed the key (epoch ms); for a snapshot's key, when it was loaded. */
  readonly fetchedAt: number;
  /**
   * Whether the key source vouched for this public key: `false` for a snapshot's key until KMS answers
   * (it is then confirmed at once, and left out of exports meanwhile).
   */
  readonly confirmed: boolean;
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
  'spki-mismatch': 'the public key does not match its pinned spkiSha256',
};

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** Whether two entries hold the same public key. */
export function samePublicKey(a: TrustedEntry, b: { readonly spki: Buffer }): boolean {
  return a.spki.equals(b.spki);
}

/** A cache entry for a sourced key; keeps the stale entry's `TrustedKey` when the key is unchanged. */
export function trustedEntry(sourced: SourcedKey, stale: KeyEntry | undefined, now: number): TrustedEntry {
  const same = stale?.kind === 'trusted' && samePublicKey(stale, sourced) && sameList(stale.key.algorithms, sourced.algorithms);
  const key: TrustedKey = same ? stale.key : Object.freeze({ id: sourced.keyArn, publicKey: sourced.publicKey, algorithms: sourced.algorithms });
  return { kind: 'trusted', key, keyArn: sourced.keyArn, keySpec: sourced.keySpec, spki: sourced.spki, fetchedAt: now, confirmed: true };
}

/** A cache entry for a refused key; its message says why, never with key material. */
export function untrustedEntry(keyArn: string, reason: RefusalReason, detail: string | Error, now: number): UntrustedEntry {
  const message = `${UNTRUSTED_TEXT[reason]} (${typeof detail === 'string' ? detail : describeError(detail)})`;
  return { kind: 'untrusted', keyArn, reason, message, error: typeof detail === 'string' ? undefined : detail, fetchedAt: now };
}
