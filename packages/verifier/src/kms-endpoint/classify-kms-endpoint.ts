/**
 * The DNS suffixes of the AWS partitions (`dnsSuffix` and `dualStackDnsSuffix` of each partition in
 * the SDK's endpoint rules: aws, aws-us-gov, aws-cn, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f).
 */
const PARTITION_SUFFIXES = [
  'amazonaws.com',
  'api.aws',
  'amazonaws.com.cn',
  'api.amazonwebservices.com.cn',
  'amazonaws.eu',
  'api.amazonwebservices.eu',
  'c2s.ic.gov',
  'api.aws.ic.gov',
  'sc2s.sgov.gov',
  'api.aws.scloud',
  'cloud.adc-e.uk',
  'api.cloud-aws.adc-e.uk',
  'csp.hci.ic.gov',
  'api.aws.hci.ic.gov',
] as const;

/** The partitions with interface VPC endpoints whose DNS names KMS endpoints take (`*.vpce.<dnsSuffix>`). */
const VPCE_SUFFIXES = ['amazonaws.com', 'amazonaws.com.cn'] as const;

const REGION = '[a-z]{2,}(?:-[a-z0-9]+)*-\\d+';
const escape = (suffix: string): string => suffix.replace(/\./g, '\\.');

/**
 * KMS's own hosts: `kms.<region>.<suffix>` and `kms-fips.<region>.<suffix>` (the names the SDK's
 * rules produce, IPv4-only and dual-stack), and interface VPC endpoint names
 * (`vpce-....kms.<region>.vpce.amazonaws.com`). Not "anything under amazonaws.com": anyone can serve
 * an answer with a valid certificate from `*.execute-api.<region>.amazonaws.com` (API Gateway).
 */
const AWS_KMS_HOST = new RegExp(
  `^(?:kms(?:-fips)?\\.${REGION}\\.(?:${PARTITION_SUFFIXES.map(escape).join('|')})|vpce-[a-z0-9-]+\\.kms(?:-fips)?\\.${REGION}\\.vpce\\.(?:${VPCE_SUFFIXES.map(escape).join('|')}))$`,
);

/** What an endpoint is, for trust. */
export type KmsEndpointKind =
  /** HTTPS to one of AWS KMS's own hosts. */
  | 'aws'
  /** 127.0.0.0/8, `[::1]` or `localhost` (kms-local, a sidecar on this host), over HTTP or HTTPS. */
  | 'loopback'
  /** HTTPS to any other host (a proxy, another KMS-compatible server). */
  | 'non-aws'
  /** Plain HTTP outside loopback: anyone on the network path can answer for KMS. */
  | 'insecure';

/** Whether `hostname` (as `URL.hostname` gives it) is a loopback address or `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  // URL normalises every IPv4 spelling (2130706433, 0x7f.1, ...) to dotted decimal and IPv6 to its shortest form.
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether `hostname` is one of AWS KMS's own hosts (see {@link AWS_KMS_HOST}). */
export function isAwsKmsHost(hostname: string): boolean {
  return AWS_KMS_HOST.test(hostname.toLowerCase());
}

/** Classifies an endpoint URL (`http:` or `https:`; anything else is `insecure`). */
export function classifyKmsEndpoint(endpoint: string): KmsEndpointKind {
  const url = new URL(endpoint);
  if (isLoopbackHost(url.hostname)) return url.protocol === 'http:' || url.protocol === 'https:' ? 'loopback' : 'insecure';
  if (url.protocol !== 'https:') return 'insecure';
  return isAwsKmsHost(url.hostname) ? 'aws' : 'non-aws';
}
