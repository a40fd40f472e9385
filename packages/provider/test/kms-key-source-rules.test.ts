import { KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KeyProviderConfigError } from '../src/errors.js';
import { KmsKeySource } from '../src/kms-key-source.js';
import { createAlias, createKey, rejection, useKms } from './support.js';

// The KMS key source (kms-key-source.ts) against kms-local: DescribeKey of an alias (its target, a
// missing alias, a call cut off at requestTimeoutMs) and an endpoint that cannot be worked out.

const env = useKms();

function source(client: KMSClient, requestTimeoutMs = 5_000): KmsKeySource {
  return new KmsKeySource({ client, requestTimeoutMs, algorithms: undefined, trustedEndpoint: 'http://127.0.0.1' });
}

describe('KmsKeySource', () => {
  it("answers an alias with its target key's id, ARN and state, and a missing alias as missing", async () => {
    const { admin, client } = env();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const kms = source(client);
    expect(await kms.describeAlias(alias)).toEqual({ kind: 'target', keyId: key.keyId, arn: key.arn, enabled: true });
    const missing = await kms.describeAlias('alias/provider-test-none');
    expect(missing.kind).toBe('missing');
    expect(missing.kind === 'missing' && missing.error.name).toBe('NotFoundException');
  });

  it('cuts off a DescribeKey that hangs at requestTimeoutMs', async () => {
    const { kms, admin, client } = env();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const remove = kms.faults.inject({ type: 'latency', latencyMs: 3_000, operations: ['DescribeKey'] });
    try {
      const error = await rejection(source(client, 100).describeAlias(alias));
      expect(error).toBeInstanceOf(Error);
    } finally {
      remove();
    }
  });

  it('refuses a client whose endpoint cannot be worked out, with KeyProviderConfigError and the cause', async () => {
    const broken = new KMSClient({ region: (): Promise<string> => Promise.reject(new Error('no region configured')), credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      const error = await rejection(source(broken).checkEndpoint());
      expect(error).toBeInstanceOf(KeyProviderConfigError);
      expect((error as Error).message).toMatch(/cannot tell which KMS endpoint the client calls \(/);
      expect((error as Error).cause).toBeInstanceOf(Error);
    } finally {
      broken.destroy();
    }
  });
});
