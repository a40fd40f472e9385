import type { RevocationListUnavailableReason } from './errors.js';

/** What an instrumentation reads of a revocation list when it collects (its gauges): cheap, side-effect-free reads. */
export interface RevocationListState {
  /** The list's `keyPrefix`: tells lists in one process apart (a bounded name, never an entry). */
  readonly keyPrefix: string;
  /** Unexpired entries in memory (a Redis list's mirror), as of the last sweep or lookup. */
  size(): number;
  /**
   * How long ago, in ms, the mirror was last confirmed in sync with Redis (a heartbeat came back
   * with nothing lost since the load); `undefined` for an embedded list and before the first load.
   */
  stalenessMs(): number | undefined;
}

/** The events of one revocation list, as {@link FleetTelemetry.revocationList} returns them. */
export interface RevocationListTelemetry {
  /** This process revoked a token (`revoke` stored it; one already expired is not counted). */
  revoked(): void;
  /** An announcement of a revocation arrived from Redis (this process's own included). */
  announced(): void;
  /** `isRevoked` threw `RevocationListUnavailableError` (the adapters answer 503), with its `reason`. */
  unavailable(reason: RevocationListUnavailableReason): void;
  /** The list was closed: its state is no longer read. */
  closed(): void;
}

/**
 * What a revocation list reports to an instrumentation, such as kms-jwt-opentelemetry's
 * `createKmsJwtTelemetry().fleet`: plain callbacks, called synchronously, expected to return at once
 * without throwing. They are given counts, reasons and the key prefix only, never an `iss` or `jti`.
 */
export interface FleetTelemetry {
  /** A revocation list was created: returns where its events go; `state` is read when metrics are collected. */
  revocationList(state: RevocationListState): RevocationListTelemetry;
}
