import { isJwsAlgorithm, type JwsAlgorithm } from './algorithms.js';
import type { ClaimRules } from './claims.js';
import { VerifierConfigError } from './errors.js';
import type { KeyResolver } from './key-resolver.js';
import type { StaticKey } from './static-keys.js';
import type { JwsHeader, JwtPayload } from './types.js';
import type { VerifierTelemetry } from './verifier-telemetry.js';

/** A custom check run after every built-in one; throw to reject the token. */
export type ValidateHook = (payload: JwtPayload, header: JwsHeader) => void | Promise<void>;

/** Claim rules that may differ per call to `verify` (see {@link VerifyOverrides}). */
export interface ClaimOptions {
  /** Accepted `iss` value or values. Required in {@link VerifierOptions}: `null` accepts any issuer (an explicit opt-out). */
  readonly issuer?: string | readonly string[] | null;
  /** Accepted `aud` value or values; the token must name at least one. Required in {@link VerifierOptions}: `null` opts out. */
  readonly audience?: string | readonly string[] | null;
  /** Required `sub`. Default: any subject. */
  readonly subject?: string;
  /** Required header `typ`, compared case-insensitively with an optional `application/` prefix (e.g. `JWT`, `at+jwt`); a signed message's `kms-jwt-message+jws` is refused whatever this says. Default: not checked. */
  readonly typ?: string;
  /** Claims that must be present. Default: `['exp']` (no eternal tokens); `[]` allows tokens without exp. */
  readonly requiredClaims?: readonly string[];
  /** Reject tokens issued (`iat`) longer ago than this many seconds; requires `iat`. Default: no limit. */
  readonly maxTokenAgeSeconds?: number;
  /**
   * Longest token lifetime accepted, in seconds: `exp − iat`, or what is left of it (`exp − now`,
   * less `clockToleranceSeconds`) when the token has no `iat`. A longer-lived token (an `exp` in the
   * year 9999, a stolen `kms:Sign` permission minting long-lived tokens) is rejected with
   * ERR_JWT_LIFETIME_TOO_LONG. Tokens without `exp` are left to `requiredClaims`. `null` turns the cap
   * off (an explicit opt-out). Default: `86400` (24 hours, the longest access-token lifetime Amazon
   * Cognito allows).
   */
  readonly maxTokenLifetimeSeconds?: number | null;
  /** Clock skew tolerated when checking exp, nbf and iat, in seconds. Default: `0`. */
  readonly clockToleranceSeconds?: number;
  /** Extra check after the built-in ones, sync or async, run on every verification including cache hits (so revocation and replay checks hold); a thrown error rejects the token (ERR_JWT_CLAIM_INVALID, unless it is already a KmsJwtError). Default: none. */
  readonly validate?: ValidateHook;
  /** JWS algorithms to accept, intersected with each key's own algorithms. Default: each key's algorithms (from its KMS key spec). */
  readonly algorithms?: readonly JwsAlgorithm[];
}

/** Options of {@link createVerifier}. */
export interface VerifierOptions extends ClaimOptions {
  /** Trusted keys: a {@link KeyResolver} (such as kms-pubkey-provider's) or static keys `[{ kid, key }]`. Required. */
  readonly keys: KeyResolver | readonly StaticKey[];
  readonly issuer: string | readonly string[] | null;
  readonly audience: string | readonly string[] | null;
  /** Longest token accepted, in bytes; longer input is rejected before any parsing. Default: `8192`. */
  readonly maxTokenBytes?: number;
  /** Accept ECDSA signatures carried in DER form (some published KMS examples emit them); strict DER only. Default: `false`. */
  readonly acceptDerSignatures?: boolean;
  /**
   * Refuse ECDSA signatures that are not in canonical low-S form (`s > n / 2`) with
   * ERR_JWS_SIGNATURE_HIGH_S, DER signatures accepted by `acceptDerSignatures` included. Anyone can
   * turn a valid signature `(r, s)` into `(r, n − s)`, a second valid token string with the same
   * claims; kms-jwt-signer only emits low-S signatures, so with this option each of its tokens has
   * exactly one accepted form. Leave it off for tokens of other issuers: KMS itself, OpenSSL and most
   * JWT libraries emit high-S signatures about half the time. Either way, key revocation and replay
   * checks on `jti`, never on the token string. Default: `false`.
   */
  readonly rejectHighS?: boolean;
  /** The verified-token cache (successes only; a token enters on its second verification; each hit re-asks the key resolver, re-checks exp/nbf/iat and re-runs `validate`): `false` turns it off. Default: `{ maxEntries: 10000, maxAgeSeconds: 600 }`. */
  readonly cache?: false | VerifiedTokenCacheOptions;
  /** Where signatures are checked: `'sync'` on the calling thread (fastest per call), or `'threadpool'` (libuv; keeps the event loop free). Where the runtime checks them with Web Crypto (workerd, browsers; ECDSA on Deno) both are asynchronous. Default: `'sync'`. */
  readonly signatureVerification?: 'sync' | 'threadpool';
  /** The current time in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
  /**
   * Where verifications, refusals (by error code) and cache hits and misses are reported, such as
   * kms-jwt-opentelemetry's `createKmsJwtTelemetry().verifier`; the HTTP layer of the adapters
   * reports the requests it refuses through it too. Default: none; costs one undefined check.
   */
  readonly telemetry?: VerifierTelemetry;
}

/** Options of the verified-token cache. */
export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the least recently used go first. Default: `10000`. */
  readonly maxEntries?: number;
  /** Longest a verified token is remembered, in seconds, even before its exp. Default: `600`. */
  readonly maxAgeSeconds?: number;
}

/** Per-call claim rules; a call with overrides never reads or fills the verified-token cache. */
export type VerifyOverrides = ClaimOptions;

/** Validated claim rules plus the algorithm allowlist. */
export interface Rules extends ClaimRules {
  readonly algorithms: ReadonlySet<JwsAlgorithm> | undefined;
  readonly validate: ValidateHook | undefined;
}

/** Called for a value the options give, or for one they must give (`undefined` then throws). */
function list(name: string, value: string | readonly string[] | null | undefined): readonly string[] | null {
  if (value === undefined) throw new VerifierConfigError(`${name} is required: give the accepted value(s), or null to accept any ${name} (not recommended)`);
  if (value === null) return null;
  const values = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new VerifierConfigError(`${name} must be a non-empty string, a non-empty array of them, or null`);
  }
  return Object.freeze([...values]);
}

/** Default of `maxTokenLifetimeSeconds`: 24 hours. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

function lifetime(value: number | null | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  // Number.isFinite is false for every non-number (a caller without types).
  if (!Number.isFinite(value) || value <= 0) {
    throw new VerifierConfigError('maxTokenLifetimeSeconds must be a number of seconds > 0, or null to accept tokens of any lifetime (not recommended)');
  }
  return value;
}

export function seconds(name: string, value: number | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new VerifierConfigError(`${name} must be a number of seconds >= 0`);
  return value;
}

/** Validates claim options; `base` supplies what an override leaves out. */
export function toRules(options: ClaimOptions, base?: Rules): Rules {
  const required = base === undefined;
  const algorithms = options.algorithms;
  if (algorithms !== undefined && (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isJwsAlgorithm))) {
    throw new VerifierConfigError('algorithms must be a non-empty array of JWS algorithms a KMS key produces (ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)');
  }
  const requiredClaims = options.requiredClaims;
  if (requiredClaims !== undefined && (!Array.isArray(requiredClaims) || !requiredClaims.every((c) => typeof c === 'string'))) {
    throw new VerifierConfigError('requiredClaims must be an array of claim names');
  }
  for (const [name, value] of [['subject', options.subject], ['typ', options.typ]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) throw new VerifierConfigError(`${name} must be a non-empty string`);
  }
  if (options.validate !== undefined && typeof options.validate !== 'function') throw new VerifierConfigError('validate must be a function');
  return {
    // An override of undefined keeps the verifier's rule: only an explicit null opts out.
    issuer: options.issuer !== undefined || required ? list('issuer', options.issuer) : base.issuer,
    audience: options.audience !== undefined || required ? list('audience', options.audience) : base.audience,
    subject: options.subject ?? base?.subject,
    typ: options.typ ?? base?.typ,
    requiredClaims: requiredClaims ? Object.freeze([...requiredClaims]) : (base?.requiredClaims ?? Object.freeze(['exp'])),
    maxTokenAgeSeconds: seconds('maxTokenAgeSeconds', options.maxTokenAgeSeconds, base?.maxTokenAgeSeconds),
    // An override of undefined keeps the verifier's cap: only an explicit null turns it off.
    maxTokenLifetimeSeconds: lifetime(options.maxTokenLifetimeSeconds, base === undefined ? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS : base.maxTokenLifetimeSeconds),
    clockToleranceSeconds: seconds('clockToleranceSeconds', options.clockToleranceSeconds, base?.clockToleranceSeconds ?? 0) ?? 0,
    validate: options.validate ?? base?.validate,
    algorithms: algorithms ? new Set(algorithms) : base?.algorithms,
  };
}
