/*
 * The deploy step: whoever deploys the consumer, with AWS access, exports the producer's public
 * keys once — kms-pubkey-provider's exportJwks(), or `kms-jwt jwks --alias alias/order-events --out
 * producer-jwks.json` — and ships the file with the consumer. The consumer itself never calls KMS.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { JsonWebKeySet } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KmsKeyProvider } from 'kms-pubkey-provider';

/** Options of {@link exportProducerJwks}. */
export interface ExportProducerJwksOptions {
  /** A client allowed kms:DescribeKey and kms:GetPublicKey. Required. */
  readonly client: KMSClient;
  /** The producer's keys: its alias (resolved to the key it names now), key ARNs. Required. */
  readonly keyIds: readonly string[];
}

/** Fetches the producer's public keys from KMS (DescribeKey for an alias, GetPublicKey) and returns them as a JWKS, `kid` = key ARN. */
export async function exportProducerJwks(options: ExportProducerJwksOptions): Promise<JsonWebKeySet> {
  const provider: KmsKeyProvider = createKmsKeyProvider({ client: options.client, keys: options.keyIds });
  try {
    await provider.ready();
    return provider.exportJwks();
  } finally {
    provider.close();
  }
}
