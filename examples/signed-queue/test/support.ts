import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { JsonWebKeySet } from 'kms-jwt-verifier';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { afterAll, beforeAll } from 'vitest';
import { exportProducerJwks } from '../src/deploy-trust.js';

export const PRODUCER_ALIAS = 'alias/order-events-test';

export interface Kms {
  readonly kms: KmsLocal;
  readonly client: KMSClient;
  /** The producer key behind {@link PRODUCER_ALIAS}. */
  readonly producerKeyArn: string;
  /** Another key of the same account, which the consumer is not given. */
  readonly otherKeyArn: string;
  /** The producer's JWKS, as exported at deploy time. */
  readonly jwks: JsonWebKeySet;
}

async function createKey(client: KMSClient): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  if (KeyMetadata?.Arn === undefined) throw new Error('CreateKey returned no ARN');
  return KeyMetadata.Arn;
}

/** kms-local with a producer key (behind an alias) and another key, and the producer's JWKS; stopped after the file's tests. */
export function useKms(): () => Kms {
  let state: Kms | undefined;
  beforeAll(async () => {
    const kms = await startKmsLocal();
    const client = new KMSClient(kms.clientConfig);
    const producerKeyArn = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: PRODUCER_ALIAS, TargetKeyId: producerKeyArn }));
    const otherKeyArn = await createKey(client);
    const jwks = await exportProducerJwks({ client, keyIds: [PRODUCER_ALIAS] });
    state = { kms, client, producerKeyArn, otherKeyArn, jwks };
  });
  afterAll(async () => {
    state?.client.destroy();
    await state?.kms.close();
  });
  return () => {
    if (state === undefined) throw new Error('kms-local is not started yet');
    return state;
  };
}
