import { classifyKmsEndpoint } from './classify-kms-endpoint.js';
import { formatEndpoint, resolveKmsEndpoint, type KmsClientLike, type KmsEndpointSource } from './resolve-kms-endpoint.js';

/** The `code` of the warning emitted (once per client) for an endpoint that is not AWS KMS's. */
export const NON_AWS_ENDPOINT_WARNING = 'KMS_JWT_NON_AWS_ENDPOINT';

/** Options of {@link checkKmsEndpoint}. */
export interface KmsEndpointCheckOptions {
  /** The package that checks, named in the warning and in the refusal. */
  readonly packageName: string;
  /** The caller's explicit opt-in for one non-AWS endpoint, as {@link toTrustedEndpoint} returned it; `undefined` for none. */
  readonly trustedEndpoint: string | undefined;
}

/** What {@link checkKmsEndpoint} makes of a client's endpoint. */
export type KmsEndpointVerdict =
  | {
      /**
       * `aws`: HTTPS to an AWS KMS host. `loopback`: this host (kms-local), reported but not warned
       * about. `trusted`: the endpoint the caller named in `trustedEndpoint`. `non-aws`: HTTPS to
       * another host, used after one warning per client.
       */
      readonly kind: 'aws' | 'loopback' | 'trusted' | 'non-aws';
      readonly endpoint: string;
      readonly source: KmsEndpointSource;
    }
  | {
      /** Plain HTTP outside loopback: must not be called. */
      readonly kind: 'refused';
      readonly endpoint: string;
      readonly source: KmsEndpointSource;
      /** What is wrong and how to fix it. */
      readonly reason: string;
    };

const SOURCES: Readonly<Record<KmsEndpointSource, string>> = {
  client: "the client's endpoint option",
  configured: 'AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL or endpoint_url in the AWS config file',
  region: "the client's Region",
};

/** Clients already warned about: the warning is emitted once per client. */
const warned = new WeakSet<object>();

/**
 * The `trustedEndpoint` option normalised for comparison (`protocol://host[:port][/path]`), or
 * `undefined` when it is not an http:// or https:// URL.
 */
export function toTrustedEndpoint(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? formatEndpoint(url) : undefined;
}

/**
 * Resolves the endpoint `client` calls ({@link resolveKmsEndpoint}, no network call) and judges it:
 * plain HTTP outside loopback is refused unless it is the `trustedEndpoint`; HTTPS to a host that is
 * not AWS KMS's is allowed after one `process.emitWarning` (code `KMS_JWT_NON_AWS_ENDPOINT`) per
 * client, unless it is the `trustedEndpoint`. Loopback is allowed without a warning. Rejects when the
 * endpoint cannot be resolved (as the SDK's own call would fail).
 */
export async function checkKmsEndpoint(client: KmsClientLike, options: KmsEndpointCheckOptions): Promise<KmsEndpointVerdict> {
  const { endpoint, source } = await resolveKmsEndpoint(client);
  const kind = classifyKmsEndpoint(endpoint);
  if (kind === 'aws' || kind === 'loopback') return { kind, endpoint, source };
  if (endpoint === options.trustedEndpoint) return { kind: 'trusted', endpoint, source };
  const origin = `${endpoint} (from ${SOURCES[source]})`;
  if (kind === 'insecure') {
    return {
      kind: 'refused',
      endpoint,
      source,
      reason:
        `the KMS client calls ${origin} over plain HTTP outside loopback, where anyone on the network path can answer for KMS. ` +
        `Use an https:// endpoint, or kms-local on 127.0.0.1, localhost or [::1]; if this endpoint is yours on purpose (such as kms-local in a container network), pass trustedEndpoint: '${endpoint}'`,
    };
  }
  if (!warned.has(client)) {
    warned.add(client);
    process.emitWarning(
      `${options.packageName}: the KMS client calls ${origin}, which is not an AWS KMS endpoint: what it answers (public keys, signatures) is trusted as KMS's. ` +
        `If this endpoint is yours on purpose, pass trustedEndpoint: '${endpoint}' to stop this warning.`,
      { code: NON_AWS_ENDPOINT_WARNING },
    );
  }
  return { kind: 'non-aws', endpoint, source };
}
