import { trace, type Attributes } from '@opentelemetry/api';
import type { VerifierTelemetry } from 'kms-jwt-verifier';
import type { TelemetryScope } from './telemetry-scope.js';

/** A count and the attributes it is exported with (created once, on the first event of its kind). */
interface Tally {
  count: number;
  readonly attributes: Attributes;
}

/** The name of the span event a refusal adds to the active span, with `refusalEvents: true`. */
export const REFUSAL_EVENT = 'kms_jwt.verification.refused';

const VERIFIED: Attributes = Object.freeze({ 'kms_jwt.verification.outcome': 'verified' });
const HIT: Attributes = Object.freeze({ 'kms_jwt.cache.result': 'hit' });
const MISS: Attributes = Object.freeze({ 'kms_jwt.cache.result': 'miss' });

/**
 * The verifier's facet: plain integer tallies, incremented by the verifier's callbacks (a field
 * increment per verification, no call into the SDK), and exported by observable counters read when
 * a metric reader collects. One facet may serve any number of verifiers: their counts add up.
 */
export function createVerifierTelemetry(scope: TelemetryScope, refusalEvents: boolean): VerifierTelemetry {
  let verified = 0;
  let hits = 0;
  let misses = 0;
  const refused = new Map<string, Tally & { readonly event: Attributes }>();
  // adapter → code → tally
  const requestRefusals = new Map<string, Map<string, Tally>>();

  const verifications = scope.meter.createObservableCounter('kms_jwt.verifier.verifications', {
    description: 'Token verifications by kms-jwt-verifier, by outcome and, for refusals, error code (error.type)',
    unit: '{verification}',
  });
  verifications.addCallback((result) => {
    result.observe(verified, VERIFIED);
    for (const tally of refused.values()) result.observe(tally.count, tally.attributes);
  });
  const lookups = scope.meter.createObservableCounter('kms_jwt.verifier.cache.lookups', {
    description: 'Lookups in the verified-token cache of kms-jwt-verifier, by result (hit or miss)',
    unit: '{lookup}',
  });
  lookups.addCallback((result) => {
    result.observe(hits, HIT);
    result.observe(misses, MISS);
  });
  const httpRefusals = scope.meter.createObservableCounter('kms_jwt.http.refusals', {
    description: 'Requests the kms-jwt adapters refused (400, 401, 403, 503), by error code (error.type), status and adapter',
    unit: '{request}',
  });
  httpRefusals.addCallback((result) => {
    for (const byCode of requestRefusals.values()) for (const tally of byCode.values()) result.observe(tally.count, tally.attributes);
  });

  return {
    verified() {
      verified += 1;
    },
    refused(code) {
      let tally = refused.get(code);
      if (tally === undefined) {
        tally = { count: 0, attributes: Object.freeze({ 'kms_jwt.verification.outcome': 'refused', 'error.type': code }), event: Object.freeze({ 'error.type': code }) };
        refused.set(code, tally);
      }
      tally.count += 1;
      if (refusalEvents) trace.getActiveSpan()?.addEvent(REFUSAL_EVENT, tally.event);
    },
    cacheHit() {
      hits += 1;
    },
    cacheMiss() {
      misses += 1;
    },
    requestRefused(code, status, adapter) {
      let byCode = requestRefusals.get(adapter);
      if (byCode === undefined) {
        byCode = new Map();
        requestRefusals.set(adapter, byCode);
      }
      let tally = byCode.get(code);
      if (tally === undefined) {
        tally = { count: 0, attributes: Object.freeze({ 'error.type': code, 'http.response.status_code': status, 'kms_jwt.adapter': adapter }) };
        byCode.set(code, tally);
      }
      tally.count += 1;
    },
  };
}
