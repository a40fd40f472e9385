import { KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KeyProviderConfigError } from '../src/errors.js';
import { KmsKeySource } from '../src/kms-key-source.js';
import { startLyingKms } from './endpoint-support.js';
import { createAlias, createKey, rejection, useKms } from './support.js';

// The KMS key source (kms-key-source.ts) against kms-local: DescribeKey of an alias (its target, a
// missing alias, a call cut off at requestTimeoutMs) and an endpoint that cannot be worked out.

const env = useKms();

function source(client: KMSClient, requestTimeoutMs = 5_000): KmsKeySource {
  return new KmsKeySource({ client, requestTimeoutMs, algorithms: undefined, trustedEndpoint: 'http://127.0.0.1', traceKmsCall: undefined });
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

  it('creates its own client from the environment when given none, and answers through it', async () => {
    const { kms, admin } = env();
    const key = await createKey(admin);
    const saved = { endpoint: process.env['AWS_ENDPOINT_URL_KMS'], region: process.env['AWS_REGION'], id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
    process.env['AWS_ENDPOINT_URL_KMS'] = String(kms.clientConfig.endpoint);
    process.env['AWS_REGION'] = kms.clientConfig.region;
    process.env['AWS_ACCESS_KEY_ID'] = 'kms-local';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'kms-local';
    const own = new KmsKeySource({ client: undefined, requestTimeoutMs: 5_000, algorithms: undefined, trustedEndpoint: String(kms.clientConfig.endpoint), traceKmsCall: undefined });
    try {
      const answer = await own.fetchKey({ keyId: key.keyId, arn: key.arn }, new AbortController().signal);
      expect(answer.kind === 'key' && answer.key.keyArn).toBe(key.arn);
    } finally {
      own.close();
      for (const [name, value] of [['AWS_ENDPOINT_URL_KMS', saved.endpoint], ['AWS_REGION', saved.region], ['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it.each([
    ['without the key ARN and key id', (metadata: Record<string, unknown>) => ({ KeyMetadata: { ...metadata, Arn: undefined, KeyId: undefined } })],
    ['without key metadata', () => ({})],
  ])('refuses a DescribeKey answer %s (an endpoint that lies)', async (_name, strip) => {
    const { kms, admin } = env();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const liar = await startLyingKms(kms, (operation, answer) => (operation === 'DescribeKey' ? strip(answer['KeyMetadata'] as Record<string, unknown>) : answer));
    const client = new KMSClient({ ...liar.clientConfig, maxAttempts: 1 });
    try {
      const error = await rejection(source(client).describeAlias(alias));
      expect((error as Error).message).toBe('DescribeKey answered without the key ARN and key id');
    } finally {
      client.destroy();
      await liar.close();
    }
  });
});
