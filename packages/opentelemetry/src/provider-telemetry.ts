import type { Attributes } from '@opentelemetry/api';
import type { KeyProviderTallies, KeyProviderTelemetry, KeyResolutionOutcome, KeyResolutionSource } from 'kms-pubkey-provider';
import { createKmsCallTracer } from './kms-call.js';
import type { TelemetryScope } from './telemetry-scope.js';

const SOURCES: readonly KeyResolutionSource[] = ['cache', 'kms', 'snapshot', 'jwks', 'offline'];
const OUTCOMES: readonly KeyResolutionOutcome[] = ['found', 'not-found', 'unavailable'];

/** The counts of every provider, summed: those registered now, plus what closed providers had counted (so that counters never go down). */
class TallySum {
  readonly #live = new Set<KeyProviderTallies>();
  readonly #closed = { resolutions: new Map<string, number>(), staleServed: 0 };

  add(tallies: KeyProviderTallies): () => void {
    this.#live.add(tallies);
    return () => {
      if (!this.#live.delete(tallies)) return;
      this.#closed.staleServed += tallies.staleServed;
      for (const source of SOURCES) for (const outcome of OUTCOMES) this.#addClosed(source, outcome, tallies.resolutions[source][outcome]);
    };
  }

  #addClosed(source: KeyResolutionSource, outcome: KeyResolutionOutcome, count: number): void {
    const key = `${source}\u0000${outcome}`;
    this.#closed.resolutions.set(key, (this.#closed.resolutions.get(key) ?? 0) + count);
  }

  resolutions(source: KeyResolutionSource, outcome: KeyResolutionOutcome): number {
    let count = this.#closed.resolutions.get(`${source}\u0000${outcome}`) ?? 0;
    for (const tallies of this.#live) count += tallies.resolutions[source][outcome];
    return count;
  }

  staleServed(): number {
    let count = this.#closed.staleServed;
    for (const tallies of this.#live) count += tallies.staleServed;
    return count;
  }

  trustedKeys(): number {
    let count = 0;
    for (const tallies of this.#live) count += tallies.trustedKeys();
    return count;
  }
}

/**
 * The key providers' telemetry (`createKmsKeyProvider({ telemetry })`, `createJwksKeyProvider({ telemetry })`):
 * resolutions, stale keys served and trusted keys read from the providers' tallies at collection time
 * (nothing per resolution), penalty-box entries, rotations and keys untrusted as they happen, and a
 * span and a duration per KMS call. One instance serves any number of providers.
 */
export function createProviderTelemetry(scope: TelemetryScope): KeyProviderTelemetry {
  const { meter } = scope;
  const sum = new TallySum();
  const resolutions = meter.createObservableCounter('kms_jwt.key.resolutions', {
    description: 'Key resolutions (resolve(kid)) by where the answer came from (kms_jwt.key.source) and what it was (kms_jwt.outcome)',
    unit: '{resolution}',
  });
  const staleServed = meter.createObservableCounter('kms_jwt.key.stale_served', {
    description: 'Key resolutions answered with a key past its freshness while fetching it again fails (stale-if-error)',
    unit: '{resolution}',
  });
  const trusted = meter.createObservableGauge('kms_jwt.key.trusted', { description: 'Keys the key providers answer now', unit: '{key}' });
  meter.addBatchObservableCallback(
    (observer) => {
      for (const source of SOURCES) {
        for (const outcome of OUTCOMES) {
          const count = sum.resolutions(source, outcome);
          if (count > 0) observer.observe(resolutions, count, { 'kms_jwt.key.source': source, 'kms_jwt.outcome': outcome });
        }
      }
      observer.observe(staleServed, sum.staleServed());
      observer.observe(trusted, sum.trustedKeys());
    },
    [resolutions, staleServed, trusted],
  );
  const penaltyBox = meter.createCounter('kms_jwt.key.penalty_box.entries', {
    description: 'Failed calls that put a key (GetPublicKey), an alias (DescribeKey) or the remote JWKS (JwksFetch) in the penalty box',
    unit: '{entry}',
  });
  const rotations = meter.createCounter('kms_jwt.key.rotations', { description: 'Configured aliases seen pointing to another key (or deleted)', unit: '{rotation}' });
  const untrusted = meter.createCounter('kms_jwt.key.untrusted', {
    description: 'Keys that stopped being trusted (or were refused on their first fetch), by reason; grace-ended is a grace window ending',
    unit: '{key}',
  });
  return {
    traceKmsCall: createKmsCallTracer(scope, 'provider'),
    register: (tallies) => sum.add(tallies),
    onPenaltyBox: (event) => penaltyBox.add(1, { 'kms_jwt.operation': event.operation }),
    onRotation: (event) => rotations.add(1, { 'kms_jwt.alias': event.alias }),
    onKeyUntrusted: (event) => {
      const attributes: Attributes = { 'kms_jwt.key.arn': event.keyArn, 'kms_jwt.untrusted.reason': event.reason };
      untrusted.add(1, attributes);
    },
  };
}
