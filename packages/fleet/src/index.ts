export { createRevocationList, type RevocationCheck, type RevocationList } from './create-revocation-list.js';
export type { FleetRedisClient, RevocationListHooks, RevocationListOptions, RevocationListResyncEvent, RevocationListStaleEvent } from './options.js';
export type { Revocation } from './revocation.js';
export { createKeySignal, type KeyEvent, type KeyEventKind, type KeyEventReceived, type KeySignal, type KeySignalOptions, type RecheckableKeys } from './create-key-signal.js';
export { FleetConfigError, RevocationInvalidError, RevocationListFullError, RevocationListUnavailableError, type RevocationListUnavailableReason } from './errors.js';
export type { FleetTelemetry, RevocationListState, RevocationListTelemetry } from './fleet-telemetry.js';
