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
