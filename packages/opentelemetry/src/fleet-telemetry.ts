import type { Attributes } from '@opentelemetry/api';
import type { FleetTelemetry, RevocationListState, RevocationListUnavailableReason } from 'kms-jwt-fleet';
import type { TelemetryScope } from './telemetry-scope.js';

/**
 * The fleet's facet: revocations and unavailable answers counted as they happen (rare events), and
 * the mirror's size and staleness read from every open revocation list when a metric reader collects.
 */
export function createFleetTelemetry(scope: TelemetryScope): FleetTelemetry {
  const { meter } = scope;
  const lists = new Map<RevocationListState, Attributes>();
  const revocations = meter.createCounter('kms_jwt.fleet.revocations', {
    description: 'Revocations: made by this process (revoke) or announcements of one received from Redis (announcement)',
    unit: '{revocation}',
  });
  const unavailable = meter.createCounter('kms_jwt.fleet.unavailable', {
    description: 'isRevoked calls that could not answer (the adapters answer 503), by reason (error.type: not-ready, stale, overflow, closed)',
    unit: '{check}',
  });
  const size = meter.createObservableUpDownCounter('kms_jwt.fleet.mirror.size', {
    description: 'Unexpired revocations held in memory by each revocation list',
    unit: '{revocation}',
  });
  size.addCallback((result) => {
    for (const [state, attributes] of lists) result.observe(state.size(), attributes);
  });
  const staleness = meter.createObservableGauge('kms_jwt.fleet.mirror.staleness', {
    description: "Time since a Redis revocation list's mirror was last confirmed in sync with Redis",
    unit: 's',
  });
  staleness.addCallback((result) => {
    for (const [state, attributes] of lists) {
      const ms = state.stalenessMs();
      if (ms !== undefined) result.observe(ms / 1000, attributes);
    }
  });

  return {
    revocationList(state) {
      const attributes: Attributes = Object.freeze({ 'kms_jwt.fleet.key_prefix': state.keyPrefix });
      const revoked: Attributes = Object.freeze({ ...attributes, 'kms_jwt.revocation.source': 'revoke' });
      const announced: Attributes = Object.freeze({ ...attributes, 'kms_jwt.revocation.source': 'announcement' });
      const reasons = new Map<RevocationListUnavailableReason, Attributes>();
      lists.set(state, attributes);
      return {
        revoked: () => revocations.add(1, revoked),
        announced: () => revocations.add(1, announced),
        unavailable(reason) {
          let reasonAttributes = reasons.get(reason);
          if (reasonAttributes === undefined) {
            reasonAttributes = Object.freeze({ ...attributes, 'error.type': reason });
            reasons.set(reason, reasonAttributes);
          }
          unavailable.add(1, reasonAttributes);
        },
        closed: () => {
          lists.delete(state);
        },
      };
    },
  };
}
