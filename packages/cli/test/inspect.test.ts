import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir } from './support.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const kid = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const nowSeconds = Math.floor(Date.now() / 1000);
// A token-shaped string whose signature was never made by any key: inspect must not care.
const token = `${b64({ alg: 'ES256', kid, typ: 'JWT' })}.${b64({ sub: 'user-42', iat: nowSeconds, exp: nowSeconds + 900 })}.${Buffer.alloc(64, 7).toString('base64url')}`;

describe.concurrent('kms-jwt inspect', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
  }, 180_000);

  afterAll(() => remove());

  it('decodes a token from stdin and labels every line of its output UNVERIFIED', async () => {
    const result = await runKmsJwt(['inspect'], dir, { input: `${token}\n` });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('UNVERIFIED: decoded only. The signature, the key and the claims were NOT checked; do not trust any of it. Use kms-jwt verify.');
    expect(result.stdout).toContain(`UNVERIFIED header: {"alg":"ES256","kid":"${kid}","typ":"JWT"}`);
    expect(result.stdout).toContain('UNVERIFIED payload: {\n  "sub": "user-42",');
    expect(result.stdout).toMatch(/^UNVERIFIED exp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 1[45]m( \d+s)?\)$/m);
    expect(result.stdout).toContain('signature: 64 bytes, NOT checked');
    // Each line is either labelled or belongs to the pretty-printed payload that a labelled line opens.
    const unlabelled = lines.filter((line) => !/UNVERIFIED|NOT checked/.test(line) && !/^ {2}"|^}$/.test(line));
    expect(unlabelled).toEqual([]);
    expect(result.stderr).toBe('');
  });

  it('takes the token as an argument and makes no KMS call (no endpoint, no region configured)', async () => {
    const result = await runKmsJwt(['inspect', token], dir, { env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('UNVERIFIED payload');
  });

  it('prints {"verified":false, "warning", header, payload} with --json', async () => {
    const result = await runKmsJwt(['inspect', '--json', '-'], dir, { input: `Bearer ${token}` });
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(parsed).toEqual({
      verified: false,
      warning: expect.stringMatching(/^UNVERIFIED: /),
      header: { alg: 'ES256', kid, typ: 'JWT' },
      payload: { sub: 'user-42', iat: nowSeconds, exp: nowSeconds + 900 },
      signatureBytes: 64,
    });
  });

  it.each([
    ['two segments', 'abc.def', /not a decodable JWT: a compact JWS has 3 segments separated by '\.', this has 2/],
    ['an encrypted JWE', 'a.b.c.d.e', /not a decodable JWT: it has 5 segments: an encrypted JWE/],
    ['a header that is not JSON', `${Buffer.from('nope').toString('base64url')}.${b64({})}.sig`, /not a decodable JWT: the header is not JSON/],
    ['a payload that is not base64url', `${b64({ alg: 'ES256' })}.pay+load.sig`, /not a decodable JWT: the payload is not base64url/],
  ])('exits 1 for %s, without echoing the input', async (_what, input, message) => {
    const result = await runKmsJwt(['inspect'], dir, { input });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain(input);
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });
});
