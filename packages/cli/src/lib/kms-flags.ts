import { UsageError } from './errors.js';

/** The `--endpoint` and `--region` flags. */
export interface KmsFlags {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
}

const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;

/** Checks `--endpoint` (an http(s) URL) and `--region`; mistakes are usage errors. */
export function checkKmsFlags(flags: KmsFlags): void {
  if (flags.endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(flags.endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new UsageError(`--endpoint must be an http:// or https:// URL, such as http://127.0.0.1:4599, not ${flags.endpoint}`);
    }
  }
  if (flags.region !== undefined && !REGION.test(flags.region)) throw new UsageError(`--region must be a region name such as us-east-1, not ${flags.region}`);
}

/** Where KMS calls go, for messages. */
export function describeEndpoint(flags: KmsFlags): string {
  return flags.endpoint ?? process.env['AWS_ENDPOINT_URL_KMS'] ?? `KMS in ${flags.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'the configured region'}`;
}
