export { createKmsJwtTelemetry, type KmsJwtTelemetry, type KmsJwtTelemetryOptions } from './create-kms-jwt-telemetry.js';
export { TelemetryConfigError } from './errors.js';
export { REFUSAL_EVENT } from './verifier-telemetry.js';
