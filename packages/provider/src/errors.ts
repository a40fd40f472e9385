import { KmsJwtError } from 'kms-jwt-verifier';

/**
 * The provider is configured wrongly: thrown by `createKmsKeyProvider` for invalid options, and by
 * `ready()` for a configured key or alias that KMS answers but that can never be trusted (not
 * found, disabled or pending deletion, access denied, not a signing key, unsupported key spec). By
 * `ready()` and the first KMS call too, for a client whose KMS endpoint is refused
 * ({@link KeyProviderEndpointError}) or cannot be resolved, or when `@aws-sdk/client-kms` is missing.
 */
export class KeyProviderConfigError extends KmsJwtError {
  readonly code = 'ERR_CONFIG_INVALID' as const;
  readonly family = 'config' as const;
  readonly status = 500 as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(`kms-pubkey-provider: ${message}`, options);
  }
}

/** Why a snapshot was refused. */
export type SnapshotRejectedReason =
  /** The file cannot be read, or it is not a snapshot as `exportSnapshot()` writes them. */
  | 'malformed'
  /** `createdAtMs` is missing, not a positive integer of epoch milliseconds, or 0. */
  | 'invalid-created-at'
  /** `createdAtMs` lies in the future, beyond the allowed clock skew (5 minutes). */
  | 'created-in-future'
  /** The snapshot is older than `snapshotMaxAgeMs`. */
  | 'too-old'
  /** An alias configured by ARN points (or pointed) at a key outside its own partition, account and Region. */
  | 'alias-out-of-scope';

/**
 * The `snapshot` option was refused at construction: `reason` says why, the message what to do
 * (export a fresh snapshot, or start without one). Nothing of it was used.
 */
export class SnapshotRejectedError extends KeyProviderConfigError {
  readonly reason: SnapshotRejectedReason;

  constructor(reason: SnapshotRejectedReason, message: string, options?: { cause?: unknown }) {
    super(`snapshot: ${message}`, options);
    this.reason = reason;
  }
}

/**
 * From `ready()`: a configured key's public key does not match its pinned `spkiSha256` (from KMS, or an
 * offline key), so it is not trusted. Either the pin is wrong, or the key source is not the one you
 * think it is.
 */
export class KeyPinMismatchError extends KeyProviderConfigError {}

/**
 * The KMS endpoint the client calls is refused: plain HTTP outside loopback (127.0.0.0/8, `[::1]`,
 * `localhost`), where anyone on the network path could answer GetPublicKey with their own key.
 * Thrown (code `ERR_CONFIG_INVALID`) by `ready()` and by the first KMS call, before any connection.
 */
export class KeyProviderEndpointError extends KeyProviderConfigError {
  /** The endpoint refused, e.g. `http://192.0.2.1:4599`. */
  readonly endpoint: string;

  constructor(message: string, endpoint: string) {
    super(message);
    this.endpoint = endpoint;
  }
}
