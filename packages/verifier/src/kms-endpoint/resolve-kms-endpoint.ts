/**
 * The members of an `@aws-sdk/client-kms` `KMSClient`'s resolved `config` that decide where its calls
 * go. Structural, so that this package never imports the SDK; each member is read defensively.
 */
export interface KmsClientConfigLike {
  /** A custom endpoint (the client's `endpoint` option): `() => Promise<{ protocol, hostname, port?, path }>`. */
  readonly endpoint?: unknown;
  /** Whether `endpoint` was given to the client. */
  readonly isCustomEndpoint?: unknown;
  /** `AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL` or `endpoint_url` in the shared config file: `() => Promise<string | undefined>`. */
  readonly serviceConfiguredEndpoint?: unknown;
  /** `ignoreConfiguredEndpointUrls` (or `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`): the configured endpoint URLs are not followed. */
  readonly ignoreConfiguredEndpointUrls?: unknown;
  /** The SDK's endpoint rules: `(params, context) => { url: URL }`. */
  readonly endpointProvider?: unknown;
  readonly region?: unknown;
  readonly useFipsEndpoint?: unknown;
  readonly useDualstackEndpoint?: unknown;
}

/** A KMS client as far as its endpoint goes: any `KMSClient` of `@aws-sdk/client-kms` v3. */
export interface KmsClientLike {
  readonly config: KmsClientConfigLike;
}

/** Where the endpoint came from. */
export type KmsEndpointSource =
  /** The client's `endpoint` option. */
  | 'client'
  /** `AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL`, or `endpoint_url` in the shared AWS config file. */
  | 'configured'
  /** The SDK's endpoint rules for the client's Region (FIPS and dual-stack settings included). */
  | 'region';

/** The endpoint a KMS client sends its calls to. */
export interface ResolvedKmsEndpoint {
  /** `protocol://host[:port][/path]`, e.g. `https://kms.us-east-1.amazonaws.com` or `http://127.0.0.1:4599`. */
  readonly endpoint: string;
  readonly source: KmsEndpointSource;
}

/** `url` as `protocol://host[:port][/path]`: the default port and a bare `/` path left out. */
export function formatEndpoint(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

async function valueOf(provider: unknown): Promise<unknown> {
  return typeof provider === 'function' ? (provider as () => unknown)() : provider;
}

/** The SDK's `{ protocol, hostname, port, path }` (EndpointV1) as a URL string, as the SDK turns it into its `Endpoint` parameter. */
function endpointV1Url(endpoint: unknown): string | undefined {
  if (typeof endpoint === 'string') return endpoint;
  if (typeof endpoint !== 'object' || endpoint === null) return undefined;
  if ('url' in endpoint && endpoint.url instanceof URL) return endpoint.url.href;
  const { protocol, hostname, port, path } = endpoint as { protocol?: unknown; hostname?: unknown; port?: unknown; path?: unknown };
  if (typeof protocol !== 'string' || typeof hostname !== 'string') return undefined;
  return `${protocol}//${hostname}${typeof port === 'number' || (typeof port === 'string' && port !== '') ? `:${port}` : ''}${typeof path === 'string' ? path : ''}`;
}

function toUrl(value: unknown): URL {
  if (value instanceof URL) return value;
  if (typeof value === 'string') return new URL(value);
  throw new TypeError('the endpoint rules answered without a URL');
}

/**
 * The endpoint `client` sends its calls to, worked out the way the SDK does for each call (so without
 * any network call): the client's `endpoint` option; else, unless the client ignores configured
 * endpoint URLs, `AWS_ENDPOINT_URL_KMS` / `AWS_ENDPOINT_URL` / `endpoint_url` from the shared config
 * file (the SDK reads these on the first call, and never shows them in `client.config.endpoint`);
 * then the client's endpoint rules (`endpointProvider`) with its Region, FIPS and dual-stack
 * settings. Rejects when the SDK would fail the call too (no Region, FIPS with a custom endpoint).
 */
export async function resolveKmsEndpoint(client: KmsClientLike): Promise<ResolvedKmsEndpoint> {
  const config = client.config;
  let custom: string | undefined;
  let source: KmsEndpointSource = 'region';
  if (typeof config.endpoint === 'function') {
    custom = endpointV1Url(await valueOf(config.endpoint));
    if (custom === undefined) throw new TypeError('the client has an endpoint that is not a URL');
    source = 'client';
  } else if (config.isCustomEndpoint !== true && config.ignoreConfiguredEndpointUrls !== true && typeof config.serviceConfiguredEndpoint === 'function') {
    const configured = await valueOf(config.serviceConfiguredEndpoint);
    if (typeof configured === 'string' && configured.length > 0) {
      custom = configured;
      source = 'configured';
    }
  }
  if (typeof config.endpointProvider !== 'function') {
    if (custom === undefined) throw new TypeError('the client has neither an endpoint nor endpoint rules (endpointProvider)');
    return { endpoint: formatEndpoint(new URL(custom)), source };
  }
  const [region, useFips, useDualStack] = await Promise.all([valueOf(config.region), valueOf(config.useFipsEndpoint), valueOf(config.useDualstackEndpoint)]);
  const params = { Endpoint: custom, Region: region, UseFIPS: useFips === true, UseDualStack: useDualStack === true };
  const rules = config.endpointProvider as (params: object, context: object) => { readonly url?: unknown } | undefined;
  return { endpoint: formatEndpoint(toUrl(rules(params, {})?.url)), source };
}
