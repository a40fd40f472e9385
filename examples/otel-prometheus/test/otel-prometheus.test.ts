import { devToken, listen, startLocalIssuer, type LocalIssuer, type RunningServer } from 'kms-jwt-example-token-issuer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObservedApi, type ObservedApi } from '../src/index.js';

let issuer: LocalIssuer;
let api: ObservedApi;
let server: RunningServer;

beforeAll(async () => {
  issuer = await startLocalIssuer();
  api = await createObservedApi({ client: issuer.client, keyIds: ['alias/token-issuer'], issuer: 'https://token-issuer.example', audience: 'orders-api', metricsPort: 0 });
  server = await listen(api.handler);
});

afterAll(async () => {
  await server?.close();
  await api?.close();
  await issuer?.close();
});

/** The value of the one sample of `name` whose labels include `labels` (the exporter adds otel_scope_name and otel_scope_version). */
function sample(scrape: string, name: string, labels: Readonly<Record<string, string>>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const lines = scrape.split('\n').filter((line) => {
    if (!line.startsWith(`${name}{`)) return false;
    // Our label values hold no comma: the label pairs split on it.
    const pairs = new Set(line.slice(name.length + 1, line.lastIndexOf('}')).split(','));
    return wanted.every((pair) => pairs.has(pair));
  });
  if (lines.length > 1) throw new Error(`${lines.length} samples of ${name} match ${wanted.join(',')}`);
  return lines[0] === undefined ? undefined : Number(lines[0].slice(lines[0].lastIndexOf('}') + 1).trim().split(' ')[0]);
}

describe('the instrumented API, scraped by Prometheus', () => {
  it('serves the verifier, HTTP, key provider and fleet metrics at /metrics after a few requests', async () => {
    const token = await devToken(issuer.url, 'orders-app', 'orders:read');
    const orders = (bearer?: string) => fetch(`${server.url}/orders`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });
    for (let i = 0; i < 3; i += 1) expect((await orders(token)).status).toBe(200);
    expect((await orders()).status).toBe(401);
    expect((await orders(`${token.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await fetch(`${server.url}/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
    expect((await orders(token)).status).toBe(401);

    const response = await fetch(`${api.metrics.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const scrape = await response.text();
    expect(scrape).toContain('# TYPE kms_jwt_verifier_verifications_total counter');
    expect(scrape).toContain('# TYPE kms_jwt_verifier_cache_lookups_total counter');
    expect(scrape).toContain('# TYPE kms_jwt_http_refusals_total counter');
    expect(scrape).toContain('# TYPE kms_jwt_fleet_revocations_total counter');
    expect(scrape).toContain('# TYPE kms_jwt_fleet_mirror_size gauge');
    expect(scrape).toContain('# TYPE kms_jwt_key_resolutions_total counter');
    expect(scrape).toContain('# TYPE kms_jwt_key_trusted gauge');
    if (process.env['PRINT_SCRAPE'] === '1') console.log(scrape);
    // 3 orders, the logout, and the revoked token (which verifies, then is refused as revoked).
    expect(sample(scrape, 'kms_jwt_verifier_verifications_total', { kms_jwt_verification_outcome: 'verified' })).toBe(5);
    expect(sample(scrape, 'kms_jwt_verifier_verifications_total', { kms_jwt_verification_outcome: 'refused', error_type: 'ERR_JWS_SIGNATURE_INVALID' })).toBe(1);
    expect(sample(scrape, 'kms_jwt_verifier_cache_lookups_total', { kms_jwt_cache_result: 'hit' })).toBe(3);
    // Every verification resolved the issuer's key from the provider's cache (fetched from KMS at ready()), a
    // verified-token cache hit too: an entry whose key is no longer the one answered is a miss.
    expect(sample(scrape, 'kms_jwt_key_resolutions_total', { kms_jwt_key_source: 'cache', kms_jwt_outcome: 'found' })).toBe(6);
    expect(sample(scrape, 'kms_jwt_kms_call_duration_count', { rpc_method: 'GetPublicKey', cloud_region: 'us-east-1' })).toBe(1);
    // Buckets in seconds (the SDK's default boundaries are for milliseconds).
    expect(sample(scrape, 'kms_jwt_kms_call_duration_bucket', { rpc_method: 'GetPublicKey', le: '0.005' })).toBeDefined();
    expect(sample(scrape, 'kms_jwt_key_trusted', {})).toBe(1);
    expect(sample(scrape, 'kms_jwt_http_refusals_total', { error_type: 'ERR_CREDENTIALS_MISSING', http_response_status_code: '401', kms_jwt_adapter: 'kms-jwt-express' })).toBe(1);
    expect(sample(scrape, 'kms_jwt_http_refusals_total', { error_type: 'ERR_TOKEN_REVOKED', http_response_status_code: '401', kms_jwt_adapter: 'kms-jwt-express' })).toBe(1);
    expect(sample(scrape, 'kms_jwt_fleet_revocations_total', { kms_jwt_fleet_key_prefix: 'kms-jwt:revoked', kms_jwt_revocation_source: 'revoke' })).toBe(1);
    expect(sample(scrape, 'kms_jwt_fleet_mirror_size', { kms_jwt_fleet_key_prefix: 'kms-jwt:revoked' })).toBe(1);
    // Nothing of the token is in the scrape.
    for (const segment of token.split('.')) expect(scrape).not.toContain(segment);
    expect((await fetch(`${api.metrics.url}/other`)).status).toBe(404);
  });
});
