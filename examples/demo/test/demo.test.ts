import { beforeAll, describe, expect, it } from 'vitest';
import type { DemoStep } from '../src/checklist.js';
import { runDemo, type DemoResult } from '../src/demo.js';

/** Three base64url segments long enough to be a JWS: a whole token. */
const WHOLE_JWT = /[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/;
const UNTRUSTED = 'the access token was not signed by a trusted key';

describe('the demo on an embedded kms-local', () => {
  let result: DemoResult;
  let output = '';

  beforeAll(async () => {
    // An empty environment: no AWS_REGION or KMS_JWT_DEMO_KEY_ID, so never AWS.
    result = await runDemo({ env: {}, write: (text) => void (output += text) });
  });

  function step(id: string): DemoStep {
    const found = result.steps.find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`the demo has no step ${id}; output:\n${output}`);
    return found;
  }

  it('runs on kms-local, and each API fetches the public key once at startup', () => {
    expect(result.mode).toBe('kms-local');
    expect(step('startup').actual).toBe('one GetPublicKey per API');
  });

  it('accepts a token from the issuer on all three APIs with no KMS call', () => {
    expect(step('valid').actual).toBe('all three: 200; 0 KMS calls');
  });

  it('refuses a valid token without the orders:read scope with 403 on all three APIs', () => {
    expect(step('scope').actual).toBe('all three: 403 the access token does not grant the scope this resource requires');
  });

  it('refuses a tampered token with 401 and the reason in the challenge', () => {
    expect(step('tampered').actual).toBe('all three: 401 the access token signature is invalid');
    expect(output).toContain('passport GET /orders with it → 401 the access token signature is invalid');
  });

  it('refuses an expired token with 401', () => {
    expect(step('expired').actual).toBe('all three: 401 the access token expired (exp)');
  });

  it('refuses a token signed by another KMS key with 401, and kms-local counts no call during those requests', () => {
    expect(step('untrusted').actual).toBe(`all three: 401 ${UNTRUSTED}; 0 KMS calls`);
    const section = output.slice(output.indexOf('▸ 5.'), output.indexOf('▸ 6.'));
    const counters = [...section.matchAll(/GET \/orders with it → 401 .* KMS call counter (\d+) → (\d+)/g)];
    expect(counters).toHaveLength(3);
    for (const [, before, after] of counters) expect(after).toBe(before);
    expect(section).toContain("KMS call counter (kms-local's callCount()): no call");
  });

  it("after the alias moves, issues tokens with the new key's ARN and still accepts the old key's within the grace window", () => {
    expect(step('rotated').actual).toBe('kid key B; new token: all three: 200; old token: all three: 200');
  });

  it("refuses the old key's tokens once the grace window has ended", () => {
    expect(step('grace-ended').actual).toBe(`key A: all three: 401 ${UNTRUSTED}; key B: all three: 200`);
  });

  it("refuses a disabled key's tokens at the next refresh, before its grace window ends", () => {
    expect(step('disabled').actual).toBe(`key B: all three: 401 ${UNTRUSTED}, before its grace window ended; kid key C: all three: 200`);
  });

  it('keeps verifying from cache during a KMS outage, while the issuer answers 503', () => {
    expect(step('outage').actual).toBe('all three: 200; 0 KMS calls; the issuer: 503 temporarily_unavailable');
  });

  it("lets a partner with no AWS credentials verify through the issuer's published JWKS, before and after the rotation, with no KMS call", () => {
    expect(step('partner-jwks').actual).toBe('no AWS_* variable; key B: valid; key A: valid; 0 KMS calls');
    expect(output).toMatch(/partner API {4}its own process, environment PATH only \(0 AWS_\* variables\): trusts http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json .*the JWKS lists key A\n/);
  });

  it('verifies a signed message over the queue example with no KMS call, and refuses a changed body', () => {
    expect(step('signed-message').actual).toBe('1 accepted; 1 batch item failure; 0 KMS calls');
    const section = output.slice(output.indexOf('▸ 10.'), output.indexOf('▸ Summary'));
    const counter = /KMS call counter \(kms-local's callCount\(\)\) (\d+) → (\d+)/.exec(section);
    expect(counter?.[1]).toMatch(/^\d+$/);
    expect(counter?.[2]).toBe(counter?.[1]);
  });

  it('passes because each of its twelve steps passed, in the narrated order', () => {
    expect(result.steps.map((entry) => [entry.id, entry.passed])).toEqual(
      ['startup', 'valid', 'scope', 'tampered', 'expired', 'untrusted', 'rotated', 'partner-jwks', 'grace-ended', 'disabled', 'outage', 'signed-message'].map((id) => [id, true]),
    );
    expect(result.passed).toBe(true);
    expect(output).toContain('Every step behaved as narrated');
  });

  it('sums up the requests each API verified, by status', () => {
    for (const api of ['express', 'koa', 'passport'] as const) expect(result.requests[api]).toEqual({ 200: 6, 401: 5, 403: 1 });
    expect(output).toMatch(/API\s+200\s+401\s+403\s+total\n\s+express\s+6\s+5\s+1\s+12/);
  });

  it('sums up the KMS calls by caller and operation, accounting for every call kms-local received', () => {
    const total = Object.values(result.kmsCalls).reduce((sum, operations) => sum + Object.values(operations).reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(result.kmsLocalCallCount);
    for (const api of ['express', 'koa', 'passport']) {
      expect(result.kmsCalls[api]?.['Sign']).toBe(0);
      expect(result.kmsCalls[api]?.['GetPublicKey']).toBeGreaterThan(0);
    }
    expect(result.kmsCalls['demo']).toMatchObject({ CreateKey: 3, CreateAlias: 1, UpdateAlias: 2, DisableKey: 1 });
    expect(output).toMatch(/operation\s+demo\s+issuer\s+express\s+koa\s+passport\s+total/);
  });

  it('narrates tokens by short prefixes only, never whole', () => {
    expect(output).toMatch(/eyJ[A-Za-z0-9_-]{13}… \(\d+ chars\)/);
    expect(output).not.toMatch(WHOLE_JWT);
    expect(output).not.toContain('-----BEGIN');
  });
});
