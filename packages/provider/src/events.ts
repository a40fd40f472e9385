import type { JwsAlgorithm, KmsSigningKeySpec } from 'kms-jwt-verifier';

/** Why a key stopped being trusted (or never was). */
export type KeyUntrustedReason =
  /** KMS answers NotFoundException: no such key (or the ARN names another account or Region). */
  | 'not-found'
  /** KMS answers DisabledException: the key is disabled. */
  | 'disabled'
  /** KMS answers KMSInvalidStateException: the key is pending deletion (or otherwise not usable). */
  | 'invalid-state'
  /** The key is not a signing key (KeyUsage other than SIGN_VERIFY), has an unsupported key spec, or no algorithm left to allow. */
  | 'unusable'
  /** The key was an alias's target and `retiredKeyGraceMs` has passed since the alias moved away. */
  | 'grace-ended'
  /** The public key KMS returned does not match the key's pinned `spkiSha256`. */
  | 'spki-mismatch';

/** A public key was fetched from KMS (or a refresh confirmed it). */
export interface KeyFetchedEvent {
  readonly keyArn: string;
  readonly keySpec: KmsSigningKeySpec;
  readonly algorithms: readonly JwsAlgorithm[];
  /** `false` when a refresh returned the key already cached (the same `TrustedKey` stays in use). */
  readonly changed: boolean;
  /** The endpoint the key was fetched from, e.g. `https://kms.us-east-1.amazonaws.com` or kms-local's `http://127.0.0.1:4599`. */
  readonly endpoint: string | undefined;
}

/** A KMS call failed for a reason that may pass (throttling, 5xx, timeout, network, access denied). */
export interface KeyFetchFailedEvent {
  /** The key ARN, key id or alias the call was about. */
  readonly key: string;
  readonly operation: 'GetPublicKey' | 'DescribeKey';
  /** The error's name, e.g. `ThrottlingException`, `KMSInternalException`, `TimeoutError` (KMS did not answer within `requestTimeoutMs`, which `error.message` says, or the SDK's own connection timeout). */
  readonly errorName: string;
  readonly error: Error;
  /** Until when (epoch ms) the cached key keeps being served; `undefined` when nothing is cached. */
  readonly servingStaleUntilMs: number | undefined;
  /** The endpoint the call went to; `undefined` when it could not be resolved (the failure says why). */
  readonly endpoint: string | undefined;
}

/** An alias now points to another key; the previous key stays trusted until `graceUntilMs`. */
export interface RotationEvent {
  /** The alias as configured (`alias/...` or an alias ARN). */
  readonly alias: string;
  /** The key ARN the alias pointed to before. */
  readonly previousKeyArn: string;
  /** The key ARN it points to now; `undefined` when the alias was deleted. */
  readonly keyArn: string | undefined;
  /** When (epoch ms) the previous key stops being trusted, unless it is still trusted otherwise. */
  readonly graceUntilMs: number;
}

/** A key stopped being trusted (or KMS refused it on its first fetch). */
export interface KeyUntrustedEvent {
  /** The key ARN, or the key id when the ARN was never learned. */
  readonly keyArn: string;
  readonly reason: KeyUntrustedReason;
  /** What KMS answered or what check failed; never key material. */
  readonly message: string;
}

/** Hooks the provider calls; none receives private key material or tokens. Errors they throw are ignored. */
export interface KeyProviderHooks {
  /** A public key was fetched or refreshed. Default: none. */
  readonly onKeyFetched?: (event: KeyFetchedEvent) => void;
  /** A GetPublicKey or DescribeKey call failed for a reason that may pass. Default: none. */
  readonly onKeyFetchFailed?: (event: KeyFetchFailedEvent) => void;
  /** An alias moved to another key (or was deleted). Default: none. */
  readonly onRotation?: (event: RotationEvent) => void;
  /** A key stopped being trusted. Default: none. */
  readonly onKeyUntrusted?: (event: KeyUntrustedEvent) => void;
  /** A public key did not match its pin, or a snapshot's key differed from KMS's. Default: none. */
  readonly onKeyMismatch?: (event: KeyMismatchEvent) => void;
}

/** Where a public key came from. */
export type KeySourceName = 'kms' | 'snapshot' | 'offline';

/**
 * A public key did not match what it was checked against: its pinned `spkiSha256`, or (for a key
 * loaded from a snapshot) the key KMS answers. Names the key and the source, never key material.
 */
export interface KeyMismatchEvent {
  /** The key ARN (or offline kid) the public key was given for. */
  readonly keyArn: string;
  /** Where the public key that did not match came from. */
  readonly source: KeySourceName;
  /** What it was checked against: the configured `spkiSha256` (`pin`), or KMS's GetPublicKey answer (`kms`). */
  readonly expected: 'pin' | 'kms';
  /** `refused`: that public key is not trusted; `replaced`: KMS's public key is trusted instead of the snapshot's. */
  readonly outcome: 'refused' | 'replaced';
  /** What did not match, in words. */
  readonly message: string;
}
