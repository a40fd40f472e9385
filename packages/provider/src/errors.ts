import { KmsJwtError } from 'kms-jwt-verifier';

/**
 * The provider is configured wrongly: thrown by `createKmsKeyProvider` for invalid options, and by
 * `ready()` for a configured key or alias that KMS answers but that can never be trusted (not
 * found, disabled or pending deletion, access denied, not a signing key, unsupported key spec).
 */
export class KeyProviderConfigError extends KmsJwtError {
  readonly code = 'ERR_CONFIG_INVALID' as const;
  readonly family = 'config' as const;
  readonly status = 500 as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(`kms-pubkey-provider: ${message}`, options);
  }
}
