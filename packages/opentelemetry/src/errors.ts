/** An option of `createKmsJwtTelemetry` is wrong; thrown at once (ERR_CONFIG_INVALID). */
export class TelemetryConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID' as const;

  constructor(message: string) {
    super(`kms-jwt-opentelemetry: ${message}`);
  }

  override get name(): string {
    return this.constructor.name;
  }
}
