import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkKmsEndpoint, NON_AWS_ENDPOINT_WARNING, resolveKmsEndpoint, type KmsClientLike } from '../src/kms-endpoint/index.js';

// kms-jwt-verifier/kms-endpoint in this package's own tests: where a KMS client sends its calls (read
// from the client's configuration only: these clients never send anything) and the verdict on it.
// The providers' and signers' use of it, against kms-local, is tested in their packages.

// What the machine's AWS environment and config file say does not reach these clients.
const AWS_ENDPOINT_SETTINGS = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KMS', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT', 'AWS_PROFILE'];
beforeEach(() => {
  vi.stubEnv('AWS_CONFIG_FILE', join(tmpdir(), `kms-endpoint-rules-no-config-${process.pid}`));
  for (const name of AWS_ENDPOINT_SETTINGS) vi.stubEnv(name, undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** A client configuration of the shape @aws-sdk/client-kms resolves, for the answers a real client never gives. */
const configured = (config: KmsClientLike['config']): KmsClientLike => ({ config });

describe('the endpoint a KMS client calls', () => {
  it.each([
    ['its endpoint option', { endpoint: 'http://127.0.0.1:4599/' }, 'http://127.0.0.1:4599', 'client'],
    ['its endpoint option with a path', { endpoint: 'https://proxy.internal:8443/kms' }, 'https://proxy.internal:8443/kms', 'client'],
    ['its Region', {}, 'https://kms.eu-west-1.amazonaws.com', 'region'],
    ['its Region, FIPS and dual-stack', { useFipsEndpoint: true, useDualstackEndpoint: true }, 'https://kms-fips.eu-west-1.api.aws', 'region'],
    ['its Region, FIPS only', { useFipsEndpoint: true }, 'https://kms-fips.eu-west-1.amazonaws.com', 'region'],
  ] as const)('is read from %s', async (_name, options, endpoint, source) => {
    await expect(resolveKmsEndpoint(new KMSClient({ region: 'eu-west-1', ...options }))).resolves.toEqual({ endpoint, source });
  });

  it('follows AWS_ENDPOINT_URL_KMS, unless the client has an endpoint option or ignores configured endpoints', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_KMS', 'https://kms-proxy.internal:8443');
    await expect(resolveKmsEndpoint(new KMSClient({ region: 'eu-west-1' }))).resolves.toEqual({ endpoint: 'https://kms-proxy.internal:8443', source: 'configured' });
    await expect(resolveKmsEndpoint(new KMSClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4599' }))).resolves.toEqual({ endpoint: 'http://127.0.0.1:4599', source: 'client' });
    await expect(resolveKmsEndpoint(new KMSClient({ region: 'eu-west-1', ignoreConfiguredEndpointUrls: true }))).resolves.toEqual({ endpoint: 'https://kms.eu-west-1.amazonaws.com', source: 'region' });
  });

  it('reads an endpoint given as a URL, as host parts with a port or without, or as text', async () => {
    const read = (endpoint: unknown) => resolveKmsEndpoint(configured({ endpoint: () => endpoint }));
    await expect(read({ url: new URL('https://proxy.internal:8443/kms') })).resolves.toEqual({ endpoint: 'https://proxy.internal:8443/kms', source: 'client' });
    await expect(read({ protocol: 'https:', hostname: 'proxy.internal', port: 8443, path: '/kms' })).resolves.toEqual({ endpoint: 'https://proxy.internal:8443/kms', source: 'client' });
    await expect(read({ protocol: 'https:', hostname: 'proxy.internal', port: '8443' })).resolves.toEqual({ endpoint: 'https://proxy.internal:8443', source: 'client' });
    await expect(read({ protocol: 'https:', hostname: 'proxy.internal', port: '' })).resolves.toEqual({ endpoint: 'https://proxy.internal', source: 'client' });
    await expect(read('http://localhost:4599')).resolves.toEqual({ endpoint: 'http://localhost:4599', source: 'client' });
    // Host parts win over a url member that is not a URL.
    await expect(read({ url: 'https://elsewhere.example', protocol: 'https:', hostname: 'proxy.internal' })).resolves.toEqual({ endpoint: 'https://proxy.internal', source: 'client' });
    await expect(resolveKmsEndpoint(configured({ endpoint: async () => 'http://localhost:4599/' }))).resolves.toEqual({ endpoint: 'http://localhost:4599', source: 'client' });
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['host parts without a hostname', { protocol: 'https:' }],
    ['host parts without a protocol', { hostname: 'proxy.internal' }],
  ])('refuses an endpoint that answers %s, saying it is not a URL', async (_name, endpoint) => {
    await expect(resolveKmsEndpoint(configured({ endpoint: () => endpoint }))).rejects.toThrow(new TypeError('the client has an endpoint that is not a URL'));
  });

  it('takes a configured endpoint only when it is a non-empty text and the client has no endpoint of its own', async () => {
    const rules = ({ Endpoint, Region }: { Endpoint?: string; Region?: unknown }) => ({ url: new URL(Endpoint ?? `https://kms.${String(Region)}.amazonaws.com`) });
    const client = (config: KmsClientLike['config']) => configured({ region: 'eu-west-1', endpointProvider: rules, ...config });
    await expect(resolveKmsEndpoint(client({ serviceConfiguredEndpoint: () => 'https://kms-proxy.internal' }))).resolves.toEqual({ endpoint: 'https://kms-proxy.internal', source: 'configured' });
    await expect(resolveKmsEndpoint(client({ serviceConfiguredEndpoint: () => '' }))).resolves.toEqual({ endpoint: 'https://kms.eu-west-1.amazonaws.com', source: 'region' });
    await expect(resolveKmsEndpoint(client({ serviceConfiguredEndpoint: () => 7 }))).resolves.toEqual({ endpoint: 'https://kms.eu-west-1.amazonaws.com', source: 'region' });
    await expect(resolveKmsEndpoint(client({ serviceConfiguredEndpoint: 'https://kms-proxy.internal' }))).resolves.toEqual({ endpoint: 'https://kms.eu-west-1.amazonaws.com', source: 'region' });
    await expect(resolveKmsEndpoint(client({ isCustomEndpoint: true, serviceConfiguredEndpoint: () => 'https://kms-proxy.internal' }))).resolves.toEqual({ endpoint: 'https://kms.eu-west-1.amazonaws.com', source: 'region' });
    await expect(resolveKmsEndpoint(client({ ignoreConfiguredEndpointUrls: true, serviceConfiguredEndpoint: () => 'https://kms-proxy.internal' }))).resolves.toEqual({ endpoint: 'https://kms.eu-west-1.amazonaws.com', source: 'region' });
  });

  it('hands the endpoint rules the Region, FIPS and dual-stack flags (true only when true) and the custom endpoint', async () => {
    const seen: object[] = [];
    const endpointProvider = (params: object) => {
      seen.push(params);
      return { url: 'https://kms.eu-west-1.amazonaws.com' };
    };
    await resolveKmsEndpoint(configured({ endpointProvider, region: async () => 'eu-west-1', useFipsEndpoint: () => true, useDualstackEndpoint: 'true' }));
    await resolveKmsEndpoint(configured({ endpointProvider, endpoint: () => 'https://proxy.internal', region: 'eu-west-1', useFipsEndpoint: 1, useDualstackEndpoint: true }));
    expect(seen).toEqual([
      { Endpoint: undefined, Region: 'eu-west-1', UseFIPS: true, UseDualStack: false },
      { Endpoint: 'https://proxy.internal', Region: 'eu-west-1', UseFIPS: false, UseDualStack: true },
    ]);
  });

  it('hands the endpoint rules host parts with an empty port as protocol://host, without a colon, as the SDK does', async () => {
    const seen: unknown[] = [];
    const endpointProvider = ({ Endpoint }: { Endpoint?: unknown }) => {
      seen.push(Endpoint);
      return { url: 'https://proxy.internal' };
    };
    const parts = (port: unknown) => configured({ endpointProvider, region: 'eu-west-1', endpoint: () => ({ protocol: 'https:', hostname: 'proxy.internal', port, path: '/kms' }) });
    for (const port of ['', undefined, '8443', 8443]) await resolveKmsEndpoint(parts(port));
    expect(seen).toEqual(['https://proxy.internal/kms', 'https://proxy.internal/kms', 'https://proxy.internal:8443/kms', 'https://proxy.internal:8443/kms']);
  });

  it('uses the endpoint alone when the client has no endpoint rules, and refuses a client with neither', async () => {
    await expect(resolveKmsEndpoint(configured({ endpoint: () => 'https://proxy.internal/' }))).resolves.toEqual({ endpoint: 'https://proxy.internal', source: 'client' });
    await expect(resolveKmsEndpoint(configured({ serviceConfiguredEndpoint: () => 'https://kms-proxy.internal' }))).resolves.toEqual({ endpoint: 'https://kms-proxy.internal', source: 'configured' });
    await expect(resolveKmsEndpoint(configured({ region: 'eu-west-1' }))).rejects.toThrow(new TypeError('the client has neither an endpoint nor endpoint rules (endpointProvider)'));
  });

  it('refuses endpoint rules that answer without a URL', async () => {
    for (const answer of [undefined, {}, { url: 42 }]) {
      await expect(resolveKmsEndpoint(configured({ region: 'eu-west-1', endpointProvider: () => answer }))).rejects.toThrow(new TypeError('the endpoint rules answered without a URL'));
    }
  });
});

describe('the verdict on a KMS client’s endpoint', () => {
  const options = { packageName: 'kms-pubkey-provider', trustedEndpoint: undefined };
  const client = (endpoint?: string) => new KMSClient({ region: 'eu-west-1', ...(endpoint === undefined ? {} : { endpoint }) });

  it('trusts AWS and loopback endpoints without a warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning');
    await expect(checkKmsEndpoint(client(), options)).resolves.toEqual({ kind: 'aws', endpoint: 'https://kms.eu-west-1.amazonaws.com', source: 'region' });
    await expect(checkKmsEndpoint(client('http://127.0.0.1:4599'), options)).resolves.toEqual({ kind: 'loopback', endpoint: 'http://127.0.0.1:4599', source: 'client' });
    expect(warn).not.toHaveBeenCalled();
  });

  it('refuses plain HTTP off loopback, naming the endpoint, where it came from and both fixes', async () => {
    const verdict = await checkKmsEndpoint(client('http://192.0.2.1:4599'), options);
    expect(verdict).toEqual({
      kind: 'refused',
      endpoint: 'http://192.0.2.1:4599',
      source: 'client',
      reason:
        "the KMS client calls http://192.0.2.1:4599 (from the client's endpoint option) over plain HTTP outside loopback, where anyone on the network path can answer for KMS. " +
        "Use an https:// endpoint, or kms-local on 127.0.0.1, localhost or [::1]; if this endpoint is yours on purpose (such as kms-local in a container network), pass trustedEndpoint: 'http://192.0.2.1:4599'",
    });
  });

  it('names the configured source and the Region source in its refusals', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_KMS', 'http://192.0.2.1:4599');
    const verdict = await checkKmsEndpoint(client(), options);
    expect(verdict.kind === 'refused' ? verdict.reason : '').toContain('http://192.0.2.1:4599 (from AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL or endpoint_url in the AWS config file)');
    const ftp = await checkKmsEndpoint(configured({ region: 'eu-west-1', endpointProvider: () => ({ url: 'ftp://kms.eu-west-1.amazonaws.com' }) }), options);
    expect(ftp.kind === 'refused' ? ftp.reason : '').toContain("ftp://kms.eu-west-1.amazonaws.com (from the client's Region)");
  });

  it('trusts exactly the endpoint named in trustedEndpoint, plain HTTP included, without a warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning');
    await expect(checkKmsEndpoint(client('http://kms-local:4599'), { ...options, trustedEndpoint: 'http://kms-local:4599' })).resolves.toEqual({ kind: 'trusted', endpoint: 'http://kms-local:4599', source: 'client' });
    await expect(checkKmsEndpoint(client('http://kms-local:4599'), { ...options, trustedEndpoint: 'http://kms-local:4598' })).resolves.toMatchObject({ kind: 'refused' });
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns once per client about an HTTPS endpoint that is not AWS KMS, naming the package, the endpoint and the fix', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const proxied = client('https://kms-proxy.internal');
    const verdict = { kind: 'non-aws', endpoint: 'https://kms-proxy.internal', source: 'client' };
    await expect(checkKmsEndpoint(proxied, options)).resolves.toEqual(verdict);
    await expect(checkKmsEndpoint(proxied, options)).resolves.toEqual(verdict);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      "kms-pubkey-provider: the KMS client calls https://kms-proxy.internal (from the client's endpoint option), which is not an AWS KMS endpoint: what it answers (public keys, signatures) is trusted as KMS's. " +
        "If this endpoint is yours on purpose, pass trustedEndpoint: 'https://kms-proxy.internal' to stop this warning.",
      { code: NON_AWS_ENDPOINT_WARNING },
    );
    expect(NON_AWS_ENDPOINT_WARNING).toBe('KMS_JWT_NON_AWS_ENDPOINT');
    await checkKmsEndpoint(client('https://kms-proxy.internal'), options);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
