import { randomUUID } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { JwsAlgorithm } from 'kms-jwt-verifier';
import { SignerConfigError } from './errors.js';
import { checkMessageHeaderParameters } from './message-header.js';
import { toCoreSettings, type CoreSettings } from './options.js';
import type { SignerTelemetry } from './telemetry.js';
import { isPlainObject, isPositiveInteger } from './validation.js';

/** Default `maxPayloadBytes`: 256 KiB, the largest Amazon SQS message body. */
export const DEFAULT_MAX_MESSAGE_PAYLOAD_BYTES = 262_144;

/** Options of {@link createKmsMessageSigner}. */
export interface KmsMessageSignerOptions {
  /** The KMS key that signs: a key id, key ARN, alias name (`alias/...`) or alias ARN. Messages carry the key ARN it resolves to as `kid`. Required. */
  readonly keyId: string;
  /** The KMS client, created once and shared (one per region). Default: `new KMSClient({})`, configured from the environment. */
  readonly client?: KMSClient;
  /**
   * A KMS endpoint that is not AWS KMS's but is yours on purpose (a proxy, kms-local in a container
   * network), e.g. `'https://kms-proxy.internal'`: exactly this endpoint is used without the
   * `KMS_JWT_NON_AWS_ENDPOINT` warning, and even over plain HTTP outside loopback. Default: none.
   */
  readonly trustedEndpoint?: string;
  /** The JWS `alg`; must be one the key makes. Default: the key spec's own (ES256, ES384, ES512, ES256K, EdDSA; RS256 for RSA keys). */
  readonly algorithm?: JwsAlgorithm;
  /**
   * Seconds from signing to the message's `exp` header parameter (listed in `crit`, so that a
   * generic JWS library refuses the message unless it checks `exp`); `null` for none. A call's
   * `expiresInSeconds` overrides it. Default: `null`: messages do not expire, and consumers bound
   * their age with `maxMessageAgeSeconds`.
   */
  readonly expiresInSeconds?: number | null;
  /** Makes each message's id (header `jti`) when a call gives none. Default: `crypto.randomUUID`. */
  readonly generateMessageId?: () => string;
  /** Extra protected header parameters for every message (a topic, a schema version); never the message's own (`alg`, `kid`, `typ`, `cty`, `iat`, `exp`, `nbf`, `jti`, `crit`, `b64`) nor a key-carrying one. Default: none. */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Largest payload signed, in bytes; a larger one is refused with ERR_MESSAGE_TOO_LARGE before any KMS call. Default: `262144` (256 KiB, the SQS limit). */
  readonly maxPayloadBytes?: number;
  /** Most KMS Sign calls in flight at once; `Infinity` for no limit. Default: `50` (the SDK's default socket pool). */
  readonly maxConcurrency?: number;
  /** Most KMS Sign calls started in any one-second window, spaced evenly. Default: no rate limit. */
  readonly maxRatePerSecond?: number;
  /** Verify each signature against the key's public key (GetPublicKey, fetched once per key ARN) before returning the message. Default: `false`. */
  readonly selfVerify?: boolean;
  /** How long a resolved key (DescribeKey: alias → key ARN, key spec, state) is reused, in milliseconds; `0` resolves on every call. Default: `30000`. */
  readonly aliasCacheMaxAgeMs?: number;
  /** The current time in epoch milliseconds, for `iat`, `exp` and the key cache. Default: `Date.now`. */
  readonly nowMs?: () => number;
  /**
   * Metrics and traces: a span per `sign` with a child span per KMS call, signings by outcome, KMS calls
   * and their latency, throttles and the limiter wait, e.g. `createKmsJwtTelemetry().signer` from
   * kms-jwt-opentelemetry. Default: none; costs one undefined check.
   */
  readonly telemetry?: SignerTelemetry;
}

/** Per-call options of a message signer's `sign`. */
export interface SignMessageOptions {
  /** Seconds from now to `exp` for this message; `null` for none. Default: the signer's `expiresInSeconds`. */
  readonly expiresInSeconds?: number | null;
  /** This message's id (header `jti`), e.g. a business key consumers deduplicate on. Default: the signer's `generateMessageId()`. */
  readonly messageId?: string;
  /** Extra protected header parameters for this message, over the signer's `header`. Default: none. */
  readonly header?: Readonly<Record<string, unknown>>;
}

/** Validated options. */
export interface MessageSettings extends CoreSettings {
  readonly expiresInSeconds: number | null;
  readonly generateMessageId: () => string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly maxPayloadBytes: number;
}

/** Checks every option; each mistake throws a {@link SignerConfigError} that names the option. */
export function toMessageSettings(options: KmsMessageSignerOptions): MessageSettings {
  if (!isPlainObject(options)) throw new SignerConfigError('createKmsMessageSigner needs an options object like { keyId }');
  const core = toCoreSettings(options);
  const expiresInSeconds = options.expiresInSeconds ?? null;
  if (expiresInSeconds !== null && !isPositiveInteger(expiresInSeconds)) throw new SignerConfigError('expiresInSeconds must be a whole number of seconds >= 1, or null');
  const generateMessageId = options.generateMessageId ?? randomUUID;
  if (typeof generateMessageId !== 'function') throw new SignerConfigError('generateMessageId must be a function returning a non-empty string');
  const header = options.header ?? {};
  const headerProblem = checkMessageHeaderParameters(header);
  if (headerProblem) throw new SignerConfigError(`header: ${headerProblem.message}`);
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_MESSAGE_PAYLOAD_BYTES;
  if (!isPositiveInteger(maxPayloadBytes)) throw new SignerConfigError('maxPayloadBytes must be a whole number of bytes >= 1');
  return { ...core, expiresInSeconds, generateMessageId, header: Object.freeze({ ...header }), maxPayloadBytes };
}
