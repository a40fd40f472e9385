import { metrics, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import type { FleetTelemetry } from 'kms-jwt-fleet';
import type { SignerTelemetry } from 'kms-jwt-signer';
import type { VerifierTelemetry } from 'kms-jwt-verifier';
import type { KeyProviderTelemetry } from 'kms-pubkey-provider';
import { TelemetryConfigError } from './errors.js';
import { createFleetTelemetry } from './fleet-telemetry.js';
import { PACKAGE_NAME, packageVersion } from './package-version.js';
import { createProviderTelemetry } from './provider-telemetry.js';
import { createSignerTelemetry } from './signer-telemetry.js';
import type { TelemetryScope } from './telemetry-scope.js';
import { createVerifierTelemetry } from './verifier-telemetry.js';

/** Options of {@link createKmsJwtTelemetry}. */
export interface KmsJwtTelemetryOptions {
  /** Where metrics go. Default: the global meter provider of `@opentelemetry/api` (a no-op until an SDK registers one). */
  readonly meterProvider?: MeterProvider;
  /** Where spans go. Default: the global tracer provider of `@opentelemetry/api` (a no-op until an SDK registers one). */
  readonly tracerProvider?: TracerProvider;
  /**
   * Add a `kms_jwt.verification.refused` event (with the error code as `error.type`, nothing else)
   * to the active span — the request's, with HTTP instrumentation — for each refused verification.
   * Default: `false`.
   */
  readonly refusalEvents?: boolean;
}

/** One facet per instrumented package: pass each to its factory's `telemetry` option. */
export interface KmsJwtTelemetry {
  /** For `createVerifier({ ..., telemetry })` (kms-jwt-verifier); the adapters' refusals are counted through it too. */
  readonly verifier: VerifierTelemetry;
  /** For `createKmsKeyProvider({ ..., telemetry })` and `createJwksKeyProvider({ ..., telemetry })` (kms-pubkey-provider); one facet serves every provider, their counts summed. */
  readonly provider: KeyProviderTelemetry;
  /** For `createKmsJwtSigner({ ..., telemetry })` and `createKmsMessageSigner({ ..., telemetry })` (kms-jwt-signer). */
  readonly signer: SignerTelemetry;
  /** For `createRevocationList({ ..., telemetry })` (kms-jwt-fleet). */
  readonly fleet: FleetTelemetry;
}

/**
 * Creates the instrumentation of kms-jwt: one meter and one tracer obtained once, under this
 * package's name and version, and each facet's instruments created once. With no OpenTelemetry
 * SDK registered (and no provider given), every instrument is the API's no-op.
 */
export function createKmsJwtTelemetry(options: KmsJwtTelemetryOptions = {}): KmsJwtTelemetry {
  if (typeof options !== 'object' || options === null) throw new TelemetryConfigError('createKmsJwtTelemetry takes an options object');
  const { meterProvider, tracerProvider } = options;
  if (meterProvider !== undefined && typeof (meterProvider as { getMeter?: unknown } | null)?.getMeter !== 'function') {
    throw new TelemetryConfigError('meterProvider must be an OpenTelemetry MeterProvider (with getMeter), such as the SDK\'s new MeterProvider({ readers })');
  }
  if (tracerProvider !== undefined && typeof (tracerProvider as { getTracer?: unknown } | null)?.getTracer !== 'function') {
    throw new TelemetryConfigError('tracerProvider must be an OpenTelemetry TracerProvider (with getTracer), such as the SDK\'s BasicTracerProvider or NodeTracerProvider');
  }
  const refusalEvents = options.refusalEvents ?? false;
  if (typeof refusalEvents !== 'boolean') throw new TelemetryConfigError('refusalEvents must be true or false');
  const version = packageVersion();
  const scope: TelemetryScope = {
    meter: (meterProvider ?? metrics.getMeterProvider()).getMeter(PACKAGE_NAME, version),
    tracer: (tracerProvider ?? trace.getTracerProvider()).getTracer(PACKAGE_NAME, version),
  };
  return Object.freeze({
    verifier: createVerifierTelemetry(scope, refusalEvents),
    provider: createProviderTelemetry(scope),
    signer: createSignerTelemetry(scope),
    fleet: createFleetTelemetry(scope),
  });
}
