import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { createVerifier, KeySourceUnavailableError } from 'kms-jwt-verifier';
import { checkKmsEndpoint, resolveKmsEndpoint } from 'kms-jwt-verifier/kms-endpoint';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKmsKeyProvider, KeyProviderConfigError, KeyProviderEndpointError, type KmsKeyProviderOptions } from '../src/index.js';
import { captureEndpointWarnings, pinnedToLoopback, startConnectionCounter } from './endpoint-support.js';
import { AUDIENCE, ISSUER, createAlias, createKey, manualTime, recordEvents, rejection, signToken, useKms } from './support.js';

const env = useKms();
const CREDENTIALS = { accessKeyId: 'kms-local', secretAccessKey: 'kms-local' };

/** A provider on manual time; closed by the test. */
function provider(options: Partial<KmsKeyProviderOptions> & Pick<KmsKeyProviderOptions, 'keys'>) {
  const time = manualTime();
  return createKmsKeyProvider({ client: env().client, nowMs: time.nowMs, timers: time.timers, ...options });
}

let warnings: ReturnType<typeof captureEndpointWarnings>;

beforeEach(() => {
  warnings = captureEndpointWarnings();
  // Endpoint resolution reads these; the tests decide them (no shared config file, no endpoint URL).
  vi.stubEnv('AWS_CONFIG_FILE', join(tmpdir(), `kms-endpoint-test-no-config-${process.pid}`));
  vi.stubEnv('AWS_ENDPOINT_URL', undefined);
  vi.stubEnv('AWS_ENDPOINT_URL_KMS', undefined);
  vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', undefined);
  vi.stubEnv('AWS_USE_FIPS_ENDPOINT', undefined);
  vi.stubEnv('AWS_USE_DUALSTACK_ENDPOINT', undefined);
});

afterEach(() => {
  warnings.restore();
  vi.unstubAllEnvs();
});

describe('the KMS endpoint: reported', () => {
  it("reports kms-local's endpoint at ready() and in onKeyFetched and onKeyFetchFailed, without a warning (loopback)", async () => {
    const { kms, admin } = env();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const events = recordEvents();
    const time = manualTime();
    const watched = provider({ keys: [alias], cacheMaxAgeMs: 1_000, nowMs: time.nowMs, timers: time.timers, ...events.hooks });

    await expect(watched.ready()).resolves.toEqual({ endpoint: kms.endpoint });
    expect(kms.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(events.log.find((event) => event.type === 'keyFetched')).toMatchObject({ keyArn: key.arn, endpoint: kms.endpoint });

    const remove = kms.faults.inject({ type: 'unavailable', operations: ['GetPublicKey'] });
    try {
      time.advance(1_001);
      expect(await events.until((event) => event.type === 'keyFetchFailed')).toMatchObject({ key: key.arn, operation: 'GetPublicKey', endpoint: kms.endpoint });
    } finally {
      remove();
    }
    expect(warnings.messages()).toEqual([]);
    watched.close();
  });

  it('follows AWS_ENDPOINT_URL_KMS like any SDK client, reports it at ready(), and fetches from it', async () => {
    const { kms, admin } = env();
    const key = await createKey(admin);
    vi.stubEnv('AWS_ENDPOINT_URL_KMS', kms.endpoint);
    const client = new KMSClient({ region: kms.region, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      expect(client.config.endpoint).toBeUndefined();
      await expect(resolveKmsEndpoint(client)).resolves.toEqual({ endpoint: kms.endpoint, source: 'configured' });
      const followed = provider({ client, keys: [key.arn] });
      kms.resetCallCounts();
      await expect(followed.ready()).resolves.toEqual({ endpoint: kms.endpoint });
      expect(kms.callCount('GetPublicKey')).toBe(1);
      followed.close();
    } finally {
      client.destroy();
    }
  });

  it('reports no endpoint and resolves none for a provider of offline keys only', async () => {
    const offline = createKmsKeyProvider({ offlineKeys: [{ kid: 'offline-1', key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString() }] });
    await expect(offline.ready()).resolves.toEqual({ endpoint: undefined });
    offline.close();
  });
});

describe('the KMS endpoint: resolved as the SDK does, without a call', () => {
  const aws = (options: ConstructorParameters<typeof KMSClient>[0]) => new KMSClient({ credentials: CREDENTIALS, ...options });

  it.each([
    ['us-east-1', 'https://kms.us-east-1.amazonaws.com', {}],
    ['us-east-1 with FIPS', 'https://kms-fips.us-east-1.amazonaws.com', { useFipsEndpoint: true }],
    ['us-east-1 dual-stack', 'https://kms.us-east-1.api.aws', { useDualstackEndpoint: true }],
    ['us-east-1 with FIPS, dual-stack', 'https://kms-fips.us-east-1.api.aws', { useFipsEndpoint: true, useDualstackEndpoint: true }],
    ['eu-west-1', 'https://kms.eu-west-1.amazonaws.com', { region: 'eu-west-1' }],
    ['cn-north-1', 'https://kms.cn-north-1.amazonaws.com.cn', { region: 'cn-north-1' }],
    ['us-gov-west-1', 'https://kms.us-gov-west-1.amazonaws.com', { region: 'us-gov-west-1' }],
  ] as const)('resolves a client for %s to %s, an AWS endpoint (no warning), without any call', async (_name, expected, options) => {
    const client = aws({ region: 'us-east-1', ...options });
    try {
      await expect(resolveKmsEndpoint(client)).resolves.toEqual({ endpoint: expected, source: 'region' });
      await expect(checkKmsEndpoint(client, { packageName: 'test', trustedEndpoint: undefined })).resolves.toMatchObject({ kind: 'aws', endpoint: expected });
      expect(warnings.messages()).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('takes the Region from AWS_REGION and FIPS from AWS_USE_FIPS_ENDPOINT, as the SDK does', async () => {
    vi.stubEnv('AWS_REGION', 'ap-southeast-2');
    vi.stubEnv('AWS_USE_FIPS_ENDPOINT', 'true');
    const client = aws({});
    try {
      await expect(resolveKmsEndpoint(client)).resolves.toEqual({ endpoint: 'https://kms-fips.ap-southeast-2.amazonaws.com', source: 'region' });
    } finally {
      client.destroy();
    }
  });

  it("prefers the client's endpoint option to AWS_ENDPOINT_URL_KMS, and ignoreConfiguredEndpointUrls ignores the variable", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_KMS', 'http://127.0.0.1:1');
    const explicit = aws({ region: 'us-east-1', endpoint: 'http://127.0.0.1:2/' });
    const ignoring = aws({ region: 'us-east-1', ignoreConfiguredEndpointUrls: true });
    try {
      await expect(resolveKmsEndpoint(explicit)).resolves.toEqual({ endpoint: 'http://127.0.0.1:2', source: 'client' });
      await expect(resolveKmsEndpoint(ignoring)).resolves.toEqual({ endpoint: 'https://kms.us-east-1.amazonaws.com', source: 'region' });
    } finally {
      explicit.destroy();
      ignoring.destroy();
    }
  });

  it('refuses at ready(), as a configuration error, a client whose endpoint cannot be resolved (FIPS with a custom endpoint)', async () => {
    const { kms } = env();
    const client = new KMSClient({ ...kms.clientConfig, useFipsEndpoint: true });
    const refused = provider({ client, keys: [(await createKey(env().admin)).arn] });
    try {
      kms.resetCallCounts();
      const error = await rejection(refused.ready());
      expect(error).toBeInstanceOf(KeyProviderConfigError);
      expect((error as Error).message).toMatch(/^kms-pubkey-provider: cannot tell which KMS endpoint the client calls \(.*FIPS and custom endpoint are not supported/);
      expect(kms.callCount()).toBe(0);
    } finally {
      refused.close();
      client.destroy();
    }
  });
});

describe('the KMS endpoint: plain HTTP outside loopback is refused', () => {
  it('refuses http://192.0.2.1 (TEST-NET) at ready() with KeyProviderEndpointError, naming the endpoint and the fix, before any connection', async () => {
    const events = recordEvents();
    const client = new KMSClient({ region: 'us-east-1', credentials: CREDENTIALS, endpoint: 'http://192.0.2.1:4599', maxAttempts: 1 });
    const refused = provider({ client, keys: ['arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', 'alias/signing'], ...events.hooks });
    try {
      const error = await rejection(refused.ready());
      expect(error).toBeInstanceOf(KeyProviderEndpointError);
      expect(error).toBeInstanceOf(KeyProviderConfigError);
      expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500, endpoint: 'http://192.0.2.1:4599' });
      const { message } = error as Error;
      expect(message).toMatch(/^kms-pubkey-provider: the KMS client calls http:\/\/192\.0\.2\.1:4599 \(from the client's endpoint option\) over plain HTTP outside loopback/);
      expect(message).toContain('Use an https:// endpoint');
      expect(message).toContain("trustedEndpoint: 'http://192.0.2.1:4599'");
      // ready() refused before any fetch: no key-fetch event at all.
      expect(events.log).toEqual([]);
    } finally {
      refused.close();
      client.destroy();
    }
  });

  it('refuses the first resolve (and so verify) with the same error when ready() was not called, and never connects', async () => {
    const counter = await startConnectionCounter();
    const events = recordEvents();
    const endpoint = `http://kms.example.test:${counter.port}`;
    const client = new KMSClient({ region: 'us-east-1', credentials: CREDENTIALS, endpoint, maxAttempts: 1, requestHandler: pinnedToLoopback() });
    const key = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    const refused = provider({ client, keys: [key], ...events.hooks });
    try {
      const error = await rejection(Promise.resolve().then(() => refused.resolve(key)));
      expect(error).toBeInstanceOf(KeyProviderEndpointError);
      expect(error).toMatchObject({ endpoint });
      const verifier = createVerifier({ keys: refused, issuer: ISSUER, audience: AUDIENCE });
      const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: key })).toString('base64url');
      expect(await rejection(verifier.verify(`${header}.e30.AAAA`))).toBeInstanceOf(KeyProviderEndpointError);
      expect(events.log.find((event) => event.type === 'keyFetchFailed')).toMatchObject({ errorName: 'KeyProviderEndpointError', endpoint: undefined });
      expect(counter.connections()).toBe(0);
    } finally {
      refused.close();
      client.destroy();
      await counter.close();
    }
  });

  it('allows plain HTTP to exactly the endpoint named in trustedEndpoint (kms-local in a container network), without a warning', async () => {
    const { kms, admin } = env();
    const key = await createKey(admin);
    const endpoint = `http://kms-local.example.test:${kms.port}`;
    const client = new KMSClient({ ...kms.clientConfig, endpoint, maxAttempts: 1, requestHandler: pinnedToLoopback() });
    const trusted = provider({ client, keys: [key.arn], trustedEndpoint: `${endpoint}/` });
    const other = provider({ client, keys: [key.arn], trustedEndpoint: 'http://kms-local.example.test:1' });
    try {
      await expect(trusted.ready()).resolves.toEqual({ endpoint });
      expect(await rejection(other.ready())).toBeInstanceOf(KeyProviderEndpointError);
      expect(warnings.messages()).toEqual([]);
    } finally {
      trusted.close();
      other.close();
      client.destroy();
    }
  });

  it.each([
    ['not a URL', 'kms-proxy.internal'],
    ['not http(s)', 'ftp://kms-proxy.internal'],
    ['not a string', 4599],
  ])('refuses a trustedEndpoint that is %s at construction', (_name, trustedEndpoint) => {
    expect(() => createKmsKeyProvider({ keys: ['alias/a'], trustedEndpoint: trustedEndpoint as string })).toThrow(
      /^kms-pubkey-provider: trustedEndpoint must be the http:\/\/ or https:\/\/ URL of a KMS endpoint you trust/,
    );
  });
});

describe('the KMS endpoint: a non-AWS HTTPS endpoint is warned about', () => {
  it('emits one KMS_JWT_NON_AWS_ENDPOINT warning per client, at ready() before the call, naming the endpoint', async () => {
    const counter = await startConnectionCounter();
    const endpoint = `https://kms.example.test:${counter.port}`;
    const options = { region: 'us-east-1', credentials: CREDENTIALS, endpoint, maxAttempts: 1, requestHandler: pinnedToLoopback() };
    const client = new KMSClient(options);
    const second = new KMSClient(options);
    const keys = ['arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9'];
    const first = provider({ client, keys, requestTimeoutMs: 2_000 });
    const sameClient = provider({ client, keys, requestTimeoutMs: 2_000 });
    const otherClient = provider({ client: second, keys, requestTimeoutMs: 2_000 });
    warnings.probe(() => counter.connections());
    try {
      // The call itself fails (nothing speaks TLS there); the warning came before it connected.
      expect(await rejection(first.ready())).toBeInstanceOf(KeySourceUnavailableError);
      expect(warnings.messages()).toHaveLength(1);
      expect(warnings.probed()).toEqual([0]);
      expect(warnings.messages()[0]).toBe(
        `kms-pubkey-provider: the KMS client calls ${endpoint} (from the client's endpoint option), which is not an AWS KMS endpoint: what it answers (public keys, signatures) is trusted as KMS's. ` +
          `If this endpoint is yours on purpose, pass trustedEndpoint: '${endpoint}' to stop this warning.`,
      );
      expect(counter.connections()).toBeGreaterThan(0);
      await rejection(first.ready());
      await rejection(sameClient.ready());
      expect(warnings.messages()).toHaveLength(1);
      await rejection(otherClient.ready());
      expect(warnings.messages()).toHaveLength(2);
    } finally {
      for (const closing of [first, sameClient, otherClient]) closing.close();
      client.destroy();
      second.destroy();
      await counter.close();
    }
  });

  it('emits no warning for the endpoint named in trustedEndpoint', async () => {
    const counter = await startConnectionCounter();
    const endpoint = `https://kms.example.test:${counter.port}`;
    const client = new KMSClient({ region: 'us-east-1', credentials: CREDENTIALS, endpoint, maxAttempts: 1, requestHandler: pinnedToLoopback() });
    const opted = provider({ client, keys: ['alias/signing'], trustedEndpoint: endpoint, requestTimeoutMs: 2_000 });
    try {
      expect(await rejection(opted.ready())).toBeInstanceOf(KeySourceUnavailableError);
      expect(warnings.messages()).toEqual([]);
    } finally {
      opted.close();
      client.destroy();
      await counter.close();
    }
  });
});

describe('the KMS endpoint: loopback', () => {
  it('neither refuses nor warns about kms-local over plain HTTP on 127.0.0.1, and a verifier works through it', async () => {
    const { kms, admin, client } = env();
    const key = await createKey(admin);
    const local = provider({ client, keys: [key.arn] });
    await expect(local.ready()).resolves.toEqual({ endpoint: kms.endpoint });
    const token = await signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: Date.now() });
    expect((await createVerifier({ keys: local, issuer: ISSUER, audience: AUDIENCE }).verify(token)).key).toBe(key.arn);
    expect(warnings.messages()).toEqual([]);
    local.close();
  });
});
