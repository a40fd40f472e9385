import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll } from 'vitest';
import { startKmsLocal, type KmsLocal, type KmsLocalOptions } from '../src/index.js';

/** A kms-local on a free loopback port and a real SDK client pointed at it, for one test file. */
export interface KmsLocalFixture {
  readonly kms: KmsLocal;
  readonly client: KMSClient;
}

/**
 * Starts kms-local before the file's tests and stops it after them. Read the fixture inside tests
 * (not at collection time): `const env = useKmsLocal(); it('...', () => env().client.send(...))`.
 */
export function useKmsLocal(options: KmsLocalOptions = {}, clientOptions: { maxAttempts?: number } = {}): () => KmsLocalFixture {
  let fixture: KmsLocalFixture | undefined;
  beforeAll(async () => {
    const kms = await startKmsLocal(options);
    fixture = { kms, client: new KMSClient({ ...kms.clientConfig, ...clientOptions }) };
  });
  afterAll(async () => {
    fixture?.client.destroy();
    await fixture?.kms.close();
  });
  return () => {
    if (!fixture) throw new Error('useKmsLocal(): the fixture is read before beforeAll ran');
    return fixture;
  };
}
