import type { TraceKmsCall } from 'kms-jwt-verifier';
import type { KeyProviderHooks } from './events.js';

/**
 * Where `resolve` found its answer: the key cache (`cache`), a snapshot's key KMS has not confirmed
 * yet (`snapshot`), an offline key (`offline`), or a fetch it waited for (`kms`, `jwks`).
 */
export type KeyResolutionSource = 'cache' | 'kms' | 'snapshot' | 'jwks' | 'offline';

/** What `resolve` answered: a key (`found`), `undefined` (`not-found`: no such trusted key), or it threw or rejected (`unavailable`). */
export type KeyResolutionOutcome = 'found' | 'not-found' | 'unavailable';

/**
 * A provider's running tallies, plain numbers that only grow (but `trustedKeys()`), read by telemetry
 * when it collects (never a call per resolution).
 */
export interface KeyProviderTallies {
  /** `resolve` answers so far, by where the answer came from and what it was: `resolutions[source][outcome]`. */
  readonly resolutions: { readonly [S in KeyResolutionSource]: { readonly [O in KeyResolutionOutcome]: number } };
  /** Keys answered past their freshness (`cacheMaxAgeMs`, or the JWKS's `max-age`) while fetching them again fails. */
  readonly staleServed: number;
  /** How many keys the provider answers now (fresh or stale, within grace, offline). */
  trustedKeys(): number;
}

/** Why something was put in the penalty box: the call that failed. */
export interface PenaltyBoxEvent {
  /** `GetPublicKey` (a key), `DescribeKey` (an alias), or `JwksFetch` (the remote JWKS). */
  readonly operation: 'GetPublicKey' | 'DescribeKey' | 'JwksFetch';
}

/**
 * What a key provider reports to telemetry (kms-jwt-opentelemetry's `createKmsJwtTelemetry().provider`
 * implements it). Every member is optional; none receives a token or key material. Errors thrown by
 * callbacks are ignored.
 */
export interface KeyProviderTelemetry extends Pick<KeyProviderHooks, 'onRotation' | 'onKeyUntrusted'> {
  /** Runs each KMS call (GetPublicKey, DescribeKey), for a span, its outcome and its latency. Default: none. */
  readonly traceKmsCall?: TraceKmsCall;
  /** Called once when the provider is created, with its running tallies; the function it returns is called by `close()`. Default: none. */
  readonly register?: (tallies: KeyProviderTallies) => () => void;
  /** A failed call put a key, an alias or the JWKS in the penalty box (`failureCooldownMs`). Default: none. */
  readonly onPenaltyBox?: (event: PenaltyBoxEvent) => void;
}

/** Calls a telemetry callback; one that throws never breaks key resolution. */
export function notify<E>(callback: ((event: E) => void) | undefined, event: E): void {
  if (callback === undefined) return;
  try {
    callback(event);
  } catch {
    // Telemetry must not break key resolution.
  }
}

/** Hands a provider's tallies to telemetry; returns what `close()` calls (at most once has an effect). */
export function registerTallies(telemetry: KeyProviderTelemetry | undefined, tallies: KeyProviderTallies): () => void {
  let unregister: (() => void) | undefined;
  try {
    unregister = telemetry?.register?.(tallies);
  } catch {
    unregister = undefined;
  }
  return () => {
    const run = unregister;
    unregister = undefined;
    try {
      run?.();
    } catch {
      // Telemetry must not break close().
    }
  };
}

/** Checks the `telemetry` option: an object whose members, when given, are functions. */
export function checkTelemetry(telemetry: unknown, fail: (message: string) => Error): KeyProviderTelemetry | undefined {
  if (telemetry === undefined) return undefined;
  if (typeof telemetry !== 'object' || telemetry === null) throw fail('telemetry must be an object, such as createKmsJwtTelemetry().provider from kms-jwt-opentelemetry');
  for (const name of ['traceKmsCall', 'register', 'onPenaltyBox', 'onRotation', 'onKeyUntrusted'] as const) {
    const member = (telemetry as Record<string, unknown>)[name];
    if (member !== undefined && typeof member !== 'function') throw fail(`telemetry.${name} must be a function`);
  }
  return telemetry as KeyProviderTelemetry;
}
