import { isJwsAlgorithm, type JwsAlgorithm } from './algorithms.js';
import { VerifierConfigError } from './errors.js';
import type { KeyResolver } from './key-resolver.js';
import type { ReplayHook } from './message-types.js';
import { seconds } from './options.js';
import { keyResolverFrom, type StaticKey } from './static-keys.js';

/** Default `maxPayloadBytes`: 256 KiB, the largest Amazon SQS message body. */
export const DEFAULT_MAX_MESSAGE_PAYLOAD_BYTES = 262_144;

/** Bytes a signed message may carry besides its payload: the header segment, the signature and the dots. */
export const MESSAGE_OVERHEAD_BYTES = 8192;

/** Options of {@link createMessageVerifier}. */
export interface MessageVerifierOptions {
  /** Trusted keys: a {@link KeyResolver} (such as kms-pubkey-provider's) or static keys `[{ kid, key }]`, as for `createVerifier`. Required. */
  readonly keys: KeyResolver | readonly StaticKey[];
  /**
   * Oldest message accepted, in seconds since its `iat` (less `clockToleranceSeconds`); older ones
   * are refused with ERR_JWT_TOO_OLD. It bounds how long a captured message can be replayed, and
   * how long an `isReplayed` store must remember ids. Required: `null` accepts messages of any age
   * (an explicit opt-out, e.g. for a dead-letter queue redriven days later).
   */
  readonly maxMessageAgeSeconds: number | null;
  /** Records each verified message's id and answers `true` for one seen before (ERR_MESSAGE_REPLAYED); run last, after the signature and time checks, so only genuine messages reach your store. Default: none. */
  readonly isReplayed?: ReplayHook;
  /** JWS algorithms to accept, intersected with each key's own algorithms. Default: each key's algorithms (from its KMS key spec). */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** Clock skew tolerated when checking `exp`, `iat` and the age, in seconds. Default: `0`. */
  readonly clockToleranceSeconds?: number;
  /**
   * Largest payload accepted, in bytes: a detached payload is measured before anything else, a
   * compact JWS longer than this payload in base64url plus 8192 characters (header and signature)
   * is refused before any parsing (ERR_TOKEN_TOO_LARGE). Default: `262144` (256 KiB, the SQS limit).
   */
  readonly maxPayloadBytes?: number;
  /** Refuse ECDSA signatures not in canonical low-S form (ERR_JWS_SIGNATURE_HIGH_S); kms-jwt-signer emits low-S only. Default: `false`. */
  readonly rejectHighS?: boolean;
  /** Where signatures are checked: `'sync'` on the calling thread, or `'threadpool'` (libuv; keeps the event loop free while a large payload is hashed). Where the runtime checks them with Web Crypto (workerd, browsers; ECDSA on Deno) both are asynchronous. Default: `'sync'`. */
  readonly signatureVerification?: 'sync' | 'threadpool';
  /** The current time in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
}

/** Validated options. */
export interface MessageSettings {
  readonly resolver: KeyResolver;
  readonly maxAgeSeconds: number | undefined;
  readonly isReplayed: ReplayHook | undefined;
  readonly algorithms: ReadonlySet<JwsAlgorithm> | undefined;
  readonly clockToleranceSeconds: number;
  readonly maxPayloadBytes: number;
  /** Longest compact JWS: the largest payload in base64url, plus the overhead. */
  readonly maxJwsLength: number;
  readonly rejectHighS: boolean;
  readonly threadpool: boolean;
  readonly nowMs: () => number;
}

/** Checks every option; each mistake throws a {@link VerifierConfigError} that names it. */
export function toMessageSettings(options: MessageVerifierOptions): MessageSettings {
  if (typeof options !== 'object' || options === null) throw new VerifierConfigError('createMessageVerifier needs an options object like { keys, maxMessageAgeSeconds }');
  const resolver = keyResolverFrom(options.keys);
  const maxAge = options.maxMessageAgeSeconds;
  if (maxAge === undefined) {
    throw new VerifierConfigError('maxMessageAgeSeconds is required: the oldest message to accept, in seconds since it was signed, or null to accept messages of any age (not recommended)');
  }
  // Number.isFinite is false for every non-number (a caller without types).
  if (maxAge !== null && !(Number.isFinite(maxAge) && maxAge > 0)) {
    throw new VerifierConfigError('maxMessageAgeSeconds must be a number of seconds > 0, or null');
  }
  const isReplayed = options.isReplayed;
  if (isReplayed !== undefined && typeof isReplayed !== 'function') throw new VerifierConfigError('isReplayed must be a function');
  const algorithms = options.algorithms;
  if (algorithms !== undefined && (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isJwsAlgorithm))) {
    throw new VerifierConfigError('algorithms must be a non-empty array of JWS algorithms a KMS key produces (ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)');
  }
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_MESSAGE_PAYLOAD_BYTES;
  if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 1) throw new VerifierConfigError('maxPayloadBytes must be an integer >= 1');
  const rejectHighS = options.rejectHighS ?? false;
  if (typeof rejectHighS !== 'boolean') throw new VerifierConfigError('rejectHighS must be true or false');
  const mode = options.signatureVerification ?? 'sync';
  if (mode !== 'sync' && mode !== 'threadpool') throw new VerifierConfigError("signatureVerification must be 'sync' or 'threadpool'");
  const nowMs = options.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') throw new VerifierConfigError('nowMs must be a function returning epoch milliseconds');
  return {
    resolver,
    maxAgeSeconds: maxAge ?? undefined,
    isReplayed,
    algorithms: algorithms === undefined ? undefined : new Set(algorithms),
    clockToleranceSeconds: seconds('clockToleranceSeconds', options.clockToleranceSeconds, 0) ?? 0,
    maxPayloadBytes,
    maxJwsLength: Math.ceil((maxPayloadBytes * 4) / 3) + MESSAGE_OVERHEAD_BYTES,
    rejectHighS,
    threadpool: mode === 'threadpool',
    nowMs,
  };
}
