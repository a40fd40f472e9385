// The seam through which kms-pubkey-provider and kms-jwt-signer report their KMS calls to telemetry
// (kms-jwt-opentelemetry implements it with @opentelemetry/api). SDK-free and OpenTelemetry-free:
// the packages that call KMS never import either for it.

/** The KMS operations the kms-jwt packages call. */
export type KmsCallOperation = 'GetPublicKey' | 'DescribeKey' | 'Sign';

/** One KMS call about to be made: what it is about, never what is signed. */
export interface KmsCall {
  /** The KMS API operation. */
  readonly operation: KmsCallOperation;
  /** What the call names as `KeyId`: a key ARN, key id, alias name or alias ARN (never key material). */
  readonly keyId: string;
  /**
   * The endpoint the client calls, once the caller resolved it (e.g. `https://kms.us-east-1.amazonaws.com`,
   * kms-local's `http://127.0.0.1:4599`); `undefined` when not known yet.
   */
  readonly endpoint: string | undefined;
}

/**
 * Runs one KMS call (`run`, the SDK's `client.send(...)`) on behalf of telemetry: an implementation
 * may start a span around it (active while `run` runs, so that the SDK's own spans become its
 * children), time it, and read the outcome — the SDK output or the SDK error it rejects with (its
 * `name` and `$metadata.requestId`) — and must settle exactly as `run` settles, with the same value or
 * error. It must call `run` once, at once.
 */
export type TraceKmsCall = <T>(call: KmsCall, run: () => Promise<T>) => Promise<T>;
