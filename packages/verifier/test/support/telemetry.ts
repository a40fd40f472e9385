import type { VerifierTelemetry } from '../../src/index.js';

/** A telemetry that records every call, in order. */
export function recording(): { telemetry: VerifierTelemetry; calls: string[] } {
  const calls: string[] = [];
  const telemetry: VerifierTelemetry = {
    verified: () => calls.push('verified'),
    refused: (code) => calls.push(`refused ${code}`),
    cacheHit: () => calls.push('hit'),
    cacheMiss: () => calls.push('miss'),
    requestRefused: (code, status, adapter) => calls.push(`request ${code} ${status} ${adapter}`),
  };
  return { telemetry, calls };
}
