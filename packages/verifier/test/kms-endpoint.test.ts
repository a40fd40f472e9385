// kms-jwt-verifier/kms-endpoint's pure parts. Resolving a real KMSClient's endpoint, the warning and the
// refusal are tested where clients exist: packages/provider/test/kms-endpoint.test.ts and
// packages/signer/test/kms-endpoint.test.ts.
import { describe, expect, it } from 'vitest';
import { classifyKmsEndpoint, formatEndpoint, toTrustedEndpoint, type KmsEndpointKind } from '../src/kms-endpoint/index.js';

describe('classifyKmsEndpoint', () => {
  const cases: ReadonlyArray<readonly [string, KmsEndpointKind]> = [
    // The hosts AWS documents for KMS (IPv4, FIPS, dual-stack), in each partition.
    ['https://kms.us-east-1.amazonaws.com', 'aws'],
    ['https://kms-fips.us-east-1.amazonaws.com', 'aws'],
    ['https://kms.us-east-1.api.aws', 'aws'],
    ['https://kms-fips.us-east-1.api.aws', 'aws'],
    ['https://kms.us-gov-west-1.amazonaws.com', 'aws'],
    ['https://kms.cn-north-1.amazonaws.com.cn', 'aws'],
    ['https://kms.cn-north-1.api.amazonwebservices.com.cn', 'aws'],
    ['https://kms.eusc-de-east-1.amazonaws.eu', 'aws'],
    ['https://kms.us-iso-east-1.c2s.ic.gov', 'aws'],
    ['https://kms.us-isob-east-1.sc2s.sgov.gov', 'aws'],
    ['https://KMS.US-EAST-1.AMAZONAWS.COM', 'aws'],
    // Interface VPC endpoints.
    ['https://vpce-0295a3caf8414c94a-dfm9tr04.kms.us-east-1.vpce.amazonaws.com', 'aws'],
    ['https://vpce-0295a3caf8414c94a-dfm9tr04-us-east-1a.kms.us-east-1.vpce.amazonaws.com', 'aws'],
    // Other HTTPS hosts, including ones under amazonaws.com that anyone can serve from.
    ['https://abcdef1234.execute-api.us-east-1.amazonaws.com', 'non-aws'],
    ['https://kms.us-east-1.amazonaws.com.attacker.example', 'non-aws'],
    ['https://kms.amazonaws.com', 'non-aws'],
    ['https://kms-proxy.internal', 'non-aws'],
    ['https://192.0.2.1', 'non-aws'],
    ['https://[::ffff:127.0.0.1]', 'non-aws'],
    // Loopback: kms-local and sidecars, over HTTP or HTTPS.
    ['http://127.0.0.1:4599', 'loopback'],
    ['http://127.10.20.30', 'loopback'],
    ['http://2130706433:4599', 'loopback'],
    ['http://0x7f.1', 'loopback'],
    ['http://localhost:4599', 'loopback'],
    ['http://LOCALHOST', 'loopback'],
    ['http://[::1]:4599', 'loopback'],
    ['http://[0:0:0:0:0:0:0:1]', 'loopback'],
    ['https://127.0.0.1', 'loopback'],
    // Plain HTTP anywhere else, even to an AWS host name.
    ['http://kms.us-east-1.amazonaws.com', 'insecure'],
    ['http://192.0.2.1:4599', 'insecure'],
    ['http://128.0.0.1', 'insecure'],
    ['http://localhost.attacker.example', 'insecure'],
    ['http://[::2]', 'insecure'],
    ['ftp://kms.us-east-1.amazonaws.com', 'insecure'],
  ];

  it.each(cases)('classifies %s as %s', (endpoint, kind) => {
    expect(classifyKmsEndpoint(endpoint)).toBe(kind);
  });
});

describe('formatEndpoint and toTrustedEndpoint', () => {
  it('writes protocol://host[:port][/path], leaving out a default port and a bare /', () => {
    expect(formatEndpoint(new URL('https://kms.us-east-1.amazonaws.com/'))).toBe('https://kms.us-east-1.amazonaws.com');
    expect(formatEndpoint(new URL('https://kms.us-east-1.amazonaws.com:443/'))).toBe('https://kms.us-east-1.amazonaws.com');
    expect(formatEndpoint(new URL('http://127.0.0.1:4599/'))).toBe('http://127.0.0.1:4599');
    expect(formatEndpoint(new URL('https://proxy.internal:8443/kms'))).toBe('https://proxy.internal:8443/kms');
  });

  it('normalises trustedEndpoint the same way, and refuses what is not an http(s) URL', () => {
    expect(toTrustedEndpoint('HTTPS://Kms-Proxy.Internal:443/')).toBe('https://kms-proxy.internal');
    expect(toTrustedEndpoint('http://kms-local:4599')).toBe('http://kms-local:4599');
    expect(toTrustedEndpoint('kms-proxy.internal')).toBeUndefined();
    expect(toTrustedEndpoint('ftp://kms-proxy.internal')).toBeUndefined();
    expect(toTrustedEndpoint('')).toBeUndefined();
  });
});
