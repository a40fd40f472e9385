import type { Meter, Tracer } from '@opentelemetry/api';

/**
 * What every part of the instrumentation is built from: one meter and one tracer, obtained once by
 * `createKmsJwtTelemetry` from the configured (or global) providers, under this package's name and
 * version. Internal: each part (verifier, provider, signer, fleet) creates its instruments from it once.
 */
export interface TelemetryScope {
  readonly meter: Meter;
  readonly tracer: Tracer;
}

/**
 * Bucket boundaries, in seconds, for the duration histograms (KMS calls, signing, the limiter's wait):
 * OpenTelemetry's HTTP semantic conventions' advice. The SDK's default boundaries (0 to 10,000) are
 * meant for milliseconds and would put every call in the first bucket.
 */
export const DURATION_BUCKETS_S: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
