import type { TraceKmsCall } from 'kms-jwt-verifier';
import { SignerConfigError } from './errors.js';

/** One `sign` call about to run: which signer, never what is signed. */
export interface SigningCall {
  /** `token` (createKmsJwtSigner) or `message` (createKmsMessageSigner). */
  readonly kind: 'token' | 'message';
  /** The signer's `keyId` option, as configured: a key id, key ARN, alias name or alias ARN. */
  readonly keyId: string;
}

/** How long one KMS Sign call waited for `maxConcurrency` and `maxRatePerSecond` before it started. */
export interface LimiterWaitEvent {
  /** The wait in milliseconds (0 when neither limit held it back). */
  readonly waitMs: number;
  /** The ARN of the key the call signs with. */
  readonly keyArn: string;
}

/**
 * What a signer reports to telemetry (kms-jwt-opentelemetry's `createKmsJwtTelemetry().signer`
 * implements it). Every member is optional; none receives what is signed, a signature or a token.
 */
export interface SignerTelemetry {
  /** Runs each KMS call (DescribeKey, Sign, GetPublicKey), for a span, its outcome and its latency. Default: none. */
  readonly traceKmsCall?: TraceKmsCall;
  /**
   * Runs each `sign` call, for a span around it (the KMS calls it makes become its children) and its
   * outcome; it must settle exactly as `run` settles and never read what `run` resolves with. Default: none.
   */
  readonly traceSign?: <T>(call: SigningCall, run: () => Promise<T>) => Promise<T>;
  /** Each KMS Sign call's wait for the signer's limits. Errors it throws are ignored. Default: none. */
  readonly onLimiterWait?: (event: LimiterWaitEvent) => void;
}

/** Checks the `telemetry` option: an object whose members, when given, are functions. */
export function checkTelemetry(telemetry: unknown): SignerTelemetry | undefined {
  if (telemetry === undefined) return undefined;
  if (typeof telemetry !== 'object' || telemetry === null) throw new SignerConfigError('telemetry must be an object, such as createKmsJwtTelemetry().signer from kms-jwt-opentelemetry');
  for (const name of ['traceKmsCall', 'traceSign', 'onLimiterWait'] as const) {
    const member = (telemetry as Record<string, unknown>)[name];
    if (member !== undefined && typeof member !== 'function') throw new SignerConfigError(`telemetry.${name} must be a function`);
  }
  return telemetry as SignerTelemetry;
}

/** `sign`, run inside the telemetry's `traceSign` when there is one. */
export function tracedSign<A extends unknown[], T>(telemetry: SignerTelemetry | undefined, call: SigningCall, sign: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  const trace = telemetry?.traceSign;
  if (trace === undefined) return sign;
  return (...args) => trace(call, () => sign(...args));
}

/** One KMS call, run inside the telemetry's `traceKmsCall` when there is one. */
export function tracedKmsCall<T>(trace: TraceKmsCall | undefined, call: Parameters<TraceKmsCall>[0], run: () => Promise<T>): Promise<T> {
  return trace === undefined ? run() : trace(call, run);
}
