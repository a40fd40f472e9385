import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKmsJwtSigner, createKmsMessageSigner, KmsUnavailableError, SignerConfigError, SignerEndpointError, type KmsJwtSignerOptions } from '../src/index.js';
import { captureEndpointWarnings, pinnedToLoopback, startConnectionCounter } from '../../provider/test/endpoint-support.js';
import { createKey, decodeToken, expectSignerError, useKmsLocal, type TestKey } from './support.js';

const env = useKmsLocal();
const CREDENTIALS = { accessKeyId: 'kms-local', secretAccessKey: 'kms-local' };
const ALIAS = 'alias/endpoint-test';
let key: TestKey;

beforeAll(async () => {
  key = await createKey(env().client, 'ECC_NIST_P256', { alias: ALIAS });
});

function signer(client: KMSClient, options: Partial<KmsJwtSignerOptions> = {}) {
  return createKmsJwtSigner({ keyId: ALIAS, expiresInSeconds: 300, client, ...options });
}

let warnings: ReturnType<typeof captureEndpointWarnings>;

beforeEach(() => {
  warnings = captureEndpointWarnings();
  // Endpoint resolution reads these; the tests decide them (no shared config file, no endpoint URL).
  vi.stubEnv('AWS_CONFIG_FILE', join(tmpdir(), `kms-endpoint-test-no-config-${process.pid}`));
  vi.stubEnv('AWS_ENDPOINT_URL', undefined);
  vi.stubEnv('AWS_ENDPOINT_URL_KMS', undefined);
  vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', undefined);
});

afterEach(() => {
  warnings.restore();
  vi.unstubAllEnvs();
});

describe('the KMS endpoint: reported', () => {
  it("reports kms-local's endpoint in hydrate(), signs through it, and does not warn (loopback)", async () => {
    const { kms, client } = env();
    const local = signer(client);
    await expect(local.hydrate()).resolves.toMatchObject({ keyArn: key.arn, endpoint: kms.endpoint });
    expect(decodeToken(await local.sign({ sub: 'user-1' })).header['kid']).toBe(key.arn);
    expect(warnings.messages()).toEqual([]);
  });

  it('follows AWS_ENDPOINT_URL_KMS like any SDK client, and reports it in hydrate()', async () => {
    const { kms } = env();
    vi.stubEnv('AWS_ENDPOINT_URL_KMS', kms.endpoint);
    const client = new KMSClient({ region: kms.region, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      kms.resetCallCounts();
      await expect(signer(client).hydrate()).resolves.toMatchObject({ keyArn: key.arn, endpoint: kms.endpoint });
      expect(kms.callCount('DescribeKey')).toBe(1);
    } finally {
      client.destroy();
    }
  });
});

describe('the KMS endpoint: plain HTTP outside loopback is refused', () => {
  it('refuses http://192.0.2.1 (TEST-NET) at hydrate() with SignerEndpointError, naming the endpoint and the fix', async () => {
    const client = new KMSClient({ region: 'us-east-1', credentials: CREDENTIALS, endpoint: 'http://192.0.2.1:4599', maxAttempts: 1 });
    try {
      const error = await expectSignerError(signer(client).hydrate(), SignerEndpointError, 'ERR_CONFIG_INVALID');
      expect(error).toBeInstanceOf(SignerConfigError);
      expect(error).toMatchObject({ endpoint: 'http://192.0.2.1:4599', retryable: false });
      expect(error.message).toMatch(/^kms-jwt-signer: the KMS client calls http:\/\/192\.0\.2\.1:4599 \(from the client's endpoint option\) over plain HTTP outside loopback/);
      expect(error.message).toContain('Use an https:// endpoint');
      expect(error.message).toContain("trustedEndpoint: 'http://192.0.2.1:4599'");
    } finally {
      client.destroy();
    }
  });

  it('refuses the first sign too when hydrate() was not called, and never connects', async () => {
    const counter = await startConnectionCounter();
    const endpoint = `http://kms.example.test:${counter.port}`;
    const client = new KMSClient({ region: 'us-east-1', credentials: CREDENTIALS, endpoint, maxAttempts: 1, requestHandler: pinnedToLoopback() });
    try {
      const refused = signer(client);
      const error = await expectSignerError(refused.sign({ sub: 'user-1' }), SignerEndpointError, 'ERR_CONFIG_INVALID');
      expect(error.endpoint).toBe(endpoint);
      await expectSignerError(refused.sign({ sub: 'user-1' }), SignerEndpointError, 'ERR_CONFIG_INVALID');
      await expectSignerError(refused.hydrate(), SignerEndpointError, 'ERR_CONFIG_INVALID');
      expect(counter.connections()).toBe(0);
    } finally {
      client.destroy();
      await counter.close();
    }
  });

  it('signs over plain HTTP through exactly the endpoint named in trustedEndpoint (kms-local in a container network), without a warning', async () => {
    const { kms } = env();
    const endpoint = `http://kms-local.example.test:${kms.port}`;
    const client = new KMSClient({ ...kms.clientConfig, endpoint, maxAttempts: 1, requestHandler: pinnedToLoopback() });
    try {
      const trusted = signer(client, { trustedEndpoint: endpoint });
      await expect(trusted.hydrate()).resolves.toMatchObject({ keyArn: key.arn, endpoint });
      expect(decodeToken(await trusted.sign({ sub: 'user-1' })).header['kid']).toBe(key.arn);
      await expectSignerError(signer(client, { trustedEndpoint: 'http://kms-local.example.test:1' }).hydrate(), SignerEndpointError, 'ERR_CONFIG_INVALID');
      expect(warnings.messages()).toEqual([]);
    } finally {
      client.destroy();
    }
  });
});

describe('the KMS endpoint: a non-AWS HTTPS endpoint is warned about', () => {
  it('emits one KMS_JWT_NON_AWS_ENDPOINT warning per client, before the first call, naming the endpoint', async () => {
    const counter = await startConnectionCounter();
    const endpoint = `https://kms.example.test:${counter.port}`;
    const options = { region: 'us-east-1', credentials: CREDENTIALS, endpoint, maxAttempts: 1, requestHandler: pinnedToLoopback() };
    const client = new KMSClient(options);
    const second = new KMSClient(options);
    warnings.probe(() => counter.connections());
    try {
      // The call itself fails (nothing speaks TLS there); the warning came before it connected.
      await expectSignerError(signer(client).hydrate(), KmsUnavailableError, 'ERR_KMS_UNAVAILABLE');
      expect(warnings.messages()).toEqual([
        `kms-jwt-signer: the KMS client calls ${endpoint} (from the client's endpoint option), which is not an AWS KMS endpoint: what it answers (public keys, signatures) is trusted as KMS's. ` +
          `If this endpoint is yours on purpose, pass trustedEndpoint: '${endpoint}' to stop this warning.`,
      ]);
      expect(warnings.probed()).toEqual([0]);
      await expectSignerError(signer(client).sign({ sub: 'user-1' }), KmsUnavailableError, 'ERR_KMS_UNAVAILABLE');
      expect(warnings.messages()).toHaveLength(1);
      await expectSignerError(signer(second).sign({ sub: 'user-1' }), KmsUnavailableError, 'ERR_KMS_UNAVAILABLE');
      expect(warnings.messages()).toHaveLength(2);
    } finally {
      client.destroy();
      second.destroy();
      await counter.close();
    }
  });

  it('emits no warning for the endpoint named in trustedEndpoint', async () => {
    const counter = await startConnectionCounter();
    const endpoint = `https://kms.example.test:${counter.port}`;
    const client = new KMSClient({ region: 'us-east-1', credentials: CREDENTIALS, endpoint, maxAttempts: 1, requestHandler: pinnedToLoopback() });
    try {
      await expectSignerError(signer(client, { trustedEndpoint: endpoint }).hydrate(), KmsUnavailableError, 'ERR_KMS_UNAVAILABLE');
      expect(warnings.messages()).toEqual([]);
    } finally {
      client.destroy();
      await counter.close();
    }
  });
});

describe('the KMS endpoint: the message signer checks it too (the same signing core)', () => {
  it('refuses plain HTTP outside loopback at hydrate() and sign before any connection, and reports the endpoint in hydrate() otherwise', async () => {
    const counter = await startConnectionCounter();
    const refusedEndpoint = `http://kms.example.test:${counter.port}`;
    const refusedClient = new KMSClient({ region: 'us-east-1', credentials: CREDENTIALS, endpoint: refusedEndpoint, maxAttempts: 1, requestHandler: pinnedToLoopback() });
    try {
      const refused = createKmsMessageSigner({ keyId: ALIAS, client: refusedClient });
      const error = await expectSignerError(refused.sign({ json: { orderId: 'o-1' } }), SignerEndpointError, 'ERR_CONFIG_INVALID');
      expect(error).toMatchObject({ endpoint: refusedEndpoint, retryable: false });
      expect(error.message).toContain(`trustedEndpoint: '${refusedEndpoint}'`);
      await expectSignerError(refused.hydrate(), SignerEndpointError, 'ERR_CONFIG_INVALID');
      expect(counter.connections()).toBe(0);
    } finally {
      refusedClient.destroy();
      await counter.close();
    }

    const { kms, client } = env();
    const local = createKmsMessageSigner({ keyId: ALIAS, client });
    await expect(local.hydrate()).resolves.toEqual({ keyArn: key.arn, algorithm: 'ES256', keySpec: 'ECC_NIST_P256', endpoint: kms.endpoint });
    expect((await local.sign({ json: { orderId: 'o-1' } })).keyArn).toBe(key.arn);
    expect(warnings.messages()).toEqual([]);
  });
});
