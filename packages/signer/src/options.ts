import { randomUUID } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { JWS_ALGORITHMS, MESSAGE_TYPE, type JwsAlgorithm } from 'kms-jwt-verifier';
import { toTrustedEndpoint } from 'kms-jwt-verifier/kms-endpoint';
import { isMessageType } from './media-type.js';
import { SignerConfigError } from './errors.js';
import { checkHeaderParameters } from './claims.js';
import { checkTelemetry, type SignerTelemetry } from './telemetry.js';
import { isAudience, isPlainObject, isPositiveInteger } from './validation.js';

/** Options of {@link createKmsJwtSigner}. */
export interface KmsJwtSignerOptions {
  /** The KMS key that signs: a key id, key ARN, alias name (`alias/...`) or alias ARN. Tokens carry the key ARN it resolves to as `kid`. Required. */
  readonly keyId: string;
  /**
   * Seconds from now to the `exp` claim. Required: `null` is the explicit opt-out (no `exp` unless
   * the claims carry one), so no token lives forever by accident. A call's `expiresInSeconds`
   * overrides it; an `exp` in the claims takes its place.
   */
  readonly expiresInSeconds: number | null;
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
  /** Seconds from now to the `nbf` claim (negative allows for clock skew). Default: no `nbf`. */
  readonly notBeforeSeconds?: number;
  /** The `iss` claim when the claims carry none. Default: none. */
  readonly issuer?: string;
  /** The `aud` claim when the claims carry none. Default: none. */
  readonly audience?: string | readonly string[];
  /** The header `typ`; `null` leaves it out. Default: `'JWT'`. */
  readonly typ?: string | null;
  /** Extra protected header parameters for every token; never `alg`, `kid`, `typ` (use `typ`) or `b64`. Default: none. */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Makes the `jti` claim when the claims carry none; `false` leaves it out. Default: `crypto.randomUUID`. */
  readonly jwtId?: (() => string) | false;
  /** Most KMS Sign calls in flight at once; `Infinity` for no limit. Default: `50` (the SDK's default socket pool). */
  readonly maxConcurrency?: number;
  /**
   * Most KMS Sign calls started in any one-second window (KMS request quotas are per second, per
   * account and region); calls are spaced evenly, with at most a twentieth of a second's worth
   * started together after a pause, and wait in order. Default: no rate limit.
   */
  readonly maxRatePerSecond?: number;
  /** Verify each signature against the key's public key (GetPublicKey, fetched once per key ARN) before returning the token. Default: `false`. */
  readonly selfVerify?: boolean;
  /** How long a resolved key (DescribeKey: alias → key ARN, key spec, state) is reused, in milliseconds; `0` resolves on every call. Default: `30000`. */
  readonly aliasCacheMaxAgeMs?: number;
  /** The current time in epoch milliseconds, for `iat`, `exp`, `nbf` and the key cache. Default: `Date.now`. */
  readonly nowMs?: () => number;
  /**
   * Metrics and traces: a span per `sign` with a child span per KMS call, signings by outcome, KMS calls
   * and their latency, throttles and the limiter wait, e.g. `createKmsJwtTelemetry().signer` from
   * kms-jwt-opentelemetry. Default: none; costs one undefined check.
   */
  readonly telemetry?: SignerTelemetry;
}

/** Per-call options of `sign`. */
export interface SignOptions {
  /** Seconds from now to `exp` for this token; `null` for none. Default: the signer's `expiresInSeconds`. */
  readonly expiresInSeconds?: number | null;
  /** Seconds from now to `nbf` for this token. Default: the signer's `notBeforeSeconds`. */
  readonly notBeforeSeconds?: number;
  /** Extra protected header parameters for this token, over the signer's `header`. Default: none. */
  readonly header?: Readonly<Record<string, unknown>>;
}

/** Validated options that every signer (of tokens, of messages) has. */
export interface CoreSettings {
  readonly keyId: string;
  readonly trustedEndpoint: string | undefined;
  readonly algorithm: JwsAlgorithm | undefined;
  readonly maxConcurrency: number;
  readonly maxRatePerSecond: number | undefined;
  readonly selfVerify: boolean;
  readonly aliasCacheMaxAgeMs: number;
  readonly nowMs: () => number;
  readonly telemetry: SignerTelemetry | undefined;
}

/** The options every signer takes, as {@link toCoreSettings} checks them. */
export type CoreOptions = Pick<KmsJwtSignerOptions, 'keyId' | 'client' | 'trustedEndpoint' | 'algorithm' | 'maxConcurrency' | 'maxRatePerSecond' | 'selfVerify' | 'aliasCacheMaxAgeMs' | 'nowMs' | 'telemetry'>;

/** Validated options. */
export interface Settings extends CoreSettings {
  readonly expiresInSeconds: number | null;
  readonly notBeforeSeconds: number | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | readonly string[] | undefined;
  readonly typ: string | null;
  readonly header: Readonly<Record<string, unknown>>;
  readonly jwtId: (() => string) | false;
}

/** Largest `maxRatePerSecond`: far above any KMS quota, and it bounds the limiter's memory. */
const MAX_RATE_PER_SECOND = 100_000;

/** Checks the options every signer takes (`keyId`, `client`, `trustedEndpoint`, `algorithm`, limits, `selfVerify`, caching, clock); each mistake throws a {@link SignerConfigError}. */
export function toCoreSettings(options: CoreOptions): CoreSettings {
  const { keyId } = options;
  if (typeof keyId !== 'string' || keyId.trim().length === 0) {
    throw new SignerConfigError('keyId is required: a KMS key id, key ARN, alias name (alias/...) or alias ARN');
  }
  const algorithm = options.algorithm;
  if (algorithm !== undefined && !(JWS_ALGORITHMS as readonly unknown[]).includes(algorithm)) {
    throw new SignerConfigError(`algorithm must be one of ${JWS_ALGORITHMS.join(', ')} (the JWS algorithms KMS keys make)`);
  }
  const client = options.client;
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof (client as { send?: unknown }).send !== 'function')) {
    throw new SignerConfigError('client must be a KMSClient from @aws-sdk/client-kms');
  }
  const trustedEndpoint = typeof options.trustedEndpoint === 'string' ? toTrustedEndpoint(options.trustedEndpoint) : undefined;
  if (options.trustedEndpoint !== undefined && trustedEndpoint === undefined) {
    throw new SignerConfigError("trustedEndpoint must be the http:// or https:// URL of a KMS endpoint you trust, such as 'https://kms-proxy.internal'");
  }
  const maxConcurrency = options.maxConcurrency ?? 50;
  if (!(isPositiveInteger(maxConcurrency) || maxConcurrency === Number.POSITIVE_INFINITY)) throw new SignerConfigError('maxConcurrency must be a whole number >= 1, or Infinity');
  const maxRatePerSecond = options.maxRatePerSecond;
  if (maxRatePerSecond !== undefined && !(typeof maxRatePerSecond === 'number' && maxRatePerSecond > 0 && maxRatePerSecond <= MAX_RATE_PER_SECOND)) {
    throw new SignerConfigError(`maxRatePerSecond must be a number > 0 and <= ${MAX_RATE_PER_SECOND}`);
  }
  const selfVerify = options.selfVerify ?? false;
  if (typeof selfVerify !== 'boolean') throw new SignerConfigError('selfVerify must be true or false');
  const aliasCacheMaxAgeMs = options.aliasCacheMaxAgeMs ?? 30_000;
  if (!(typeof aliasCacheMaxAgeMs === 'number' && aliasCacheMaxAgeMs >= 0 && Number.isFinite(aliasCacheMaxAgeMs))) {
    throw new SignerConfigError('aliasCacheMaxAgeMs must be a finite number of milliseconds >= 0');
  }
  const nowMs = options.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') throw new SignerConfigError('nowMs must be a function returning epoch milliseconds');
  const telemetry = checkTelemetry(options.telemetry);
  return { keyId, trustedEndpoint, algorithm, maxConcurrency, maxRatePerSecond, selfVerify, aliasCacheMaxAgeMs, nowMs, telemetry };
}

/** Checks every option; each mistake throws a {@link SignerConfigError} that names the option. */
export function toSettings(options: KmsJwtSignerOptions): Settings {
  if (!isPlainObject(options)) throw new SignerConfigError('createKmsJwtSigner needs an options object like { keyId, expiresInSeconds }');
  if (typeof options.keyId !== 'string' || options.keyId.trim().length === 0) {
    throw new SignerConfigError('keyId is required: a KMS key id, key ARN, alias name (alias/...) or alias ARN');
  }
  if (!('expiresInSeconds' in options) || options.expiresInSeconds === undefined) {
    throw new SignerConfigError('expiresInSeconds is required: the lifetime of each token in seconds, or null to issue tokens without exp (not recommended)');
  }
  const expiresInSeconds = options.expiresInSeconds;
  if (expiresInSeconds !== null && !isPositiveInteger(expiresInSeconds)) throw new SignerConfigError('expiresInSeconds must be a whole number of seconds >= 1, or null');
  const notBeforeSeconds = options.notBeforeSeconds;
  if (notBeforeSeconds !== undefined && !Number.isSafeInteger(notBeforeSeconds)) throw new SignerConfigError('notBeforeSeconds must be a whole number of seconds');
  const core = toCoreSettings(options);
  if (options.issuer !== undefined && (typeof options.issuer !== 'string' || options.issuer.length === 0)) throw new SignerConfigError('issuer must be a non-empty string');
  if (options.audience !== undefined && !isAudience(options.audience)) throw new SignerConfigError('audience must be a non-empty string or a non-empty array of them');
  const typ = options.typ === undefined ? 'JWT' : options.typ;
  if (typ !== null && (typeof typ !== 'string' || typ.length === 0)) throw new SignerConfigError("typ must be a non-empty string (such as 'JWT' or 'at+jwt') or null");
  if (typ !== null && isMessageType(typ)) throw new SignerConfigError(`typ ${MESSAGE_TYPE} is the signed messages' own: sign messages with createKmsMessageSigner`);
  const header = options.header ?? {};
  const headerProblem = checkHeaderParameters(header);
  if (headerProblem) throw new SignerConfigError(`header: ${headerProblem.message}`);
  const jwtId = options.jwtId ?? randomUUID;
  if (jwtId !== false && typeof jwtId !== 'function') throw new SignerConfigError('jwtId must be a function returning a string, or false');

  return {
    ...core,
    expiresInSeconds,
    notBeforeSeconds,
    issuer: options.issuer,
    audience: typeof options.audience === 'string' || options.audience === undefined ? options.audience : Object.freeze([...options.audience]),
    typ,
    header: Object.freeze({ ...header }),
    jwtId,
  };
}
