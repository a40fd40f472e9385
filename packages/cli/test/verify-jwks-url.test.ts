import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import type { KmsLocal } from 'kms-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveJwks, type JwksServer } from './jwks-server.js';
import { ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir, startKms } from './support.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';
const CLAIMS_FLAGS = ['--issuer', ISSUER, '--audience', AUDIENCE];

describe.concurrent('kms-jwt verify --jwks-url', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  let kms: KmsLocal;
  let client: KMSClient;
  let jwks: JwksServer;
  let arnA = '';
  let arnB = '';
  /** Signed by key A; the JWKS lists A and B. */
  let tokenA = '';
  /** Signed by key B. */
  let tokenB = '';
  /** `<account>:<region>` of the kms-local keys. */
  let accountRegion = '';

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
    let kmsArgs: readonly string[];
    ({ kms, kmsArgs } = await startKms());
    client = new KMSClient(kms.clientConfig);
    const createKey = async (): Promise<string> => (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
    arnA = await createKey();
    arnB = await createKey();
    const [, , , region, account] = arnA.split(':');
    accountRegion = `${account}:${region}`;
    tokenA = await createKmsJwtSigner({ keyId: arnA, client, expiresInSeconds: 900, issuer: ISSUER, audience: AUDIENCE }).sign({ sub: 'user-42' });
    tokenB = await createKmsJwtSigner({ keyId: arnB, client, expiresInSeconds: 900, issuer: ISSUER, audience: AUDIENCE }).sign({ sub: 'user-7' });
    // The JWKS an issuer would publish: the CLI's own `kms-jwt jwks` output, served over HTTP on loopback.
    const exported = await runKmsJwt(['jwks', '--key', arnA, '--key', arnB, ...kmsArgs], dir);
    expect(exported.code, exported.stderr).toBe(0);
    jwks = await serveJwks(exported.stdout);
  }, 180_000);

  afterAll(async () => {
    await jwks?.close();
    client?.destroy();
    await kms?.close();
    await remove();
  });

  it('verifies a token whose kid the --jwks-key-arn allowlist names, and exits 0', async () => {
    const result = await runKmsJwt(['verify', '--jwks-url', jwks.url, '--jwks-key-arn', arnA, ...CLAIMS_FLAGS, '--json'], dir, { input: tokenA });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, key: arnA, payload: { sub: 'user-42', iss: ISSUER, aud: AUDIENCE } });
  });

  it('verifies any key of an account and Region with --jwks-trust <account>:<region>', async () => {
    const result = await runKmsJwt(['verify', '--jwks-url', jwks.url, '--jwks-trust', accountRegion, ...CLAIMS_FLAGS, '--json'], dir, { input: tokenB });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, key: arnB });
  });

  it('refuses a token whose kid the JWKS lists but the allowlist does not name: exit 1, ERR_KID_UNTRUSTED', async () => {
    const result = await runKmsJwt(['verify', '--jwks-url', jwks.url, '--jwks-key-arn', arnA, ...CLAIMS_FLAGS], dir, { input: tokenB });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^kms-jwt verify: invalid token: ERR_KID_UNTRUSTED: /);
  });

  it('refuses --jwks-url without an allowlist: a usage error (exit 2), no key of the URL is trusted', async () => {
    const result = await runKmsJwt(['verify', '--jwks-url', jwks.url, ...CLAIMS_FLAGS], dir, { input: tokenA });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kms-jwt verify: --jwks-url needs an allowlist of the keys to trust from it: --jwks-key-arn <key ARN> or --jwks-trust <accountId>:<region>/);
    expectNoStackTrace(result.stderr);
  });

  it.each([
    ['a plain http URL off loopback', ['--jwks-url', 'http://issuer.example/.well-known/jwks.json', '--jwks-key-arn', 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555'], /^kms-jwt verify: --jwks-url \(http:\/\/issuer\.example\/\.well-known\/jwks\.json\) must use https: plain http is allowed only on a loopback host/],
    ['a URL that is not http(s)', ['--jwks-url', 'ftp://issuer.example/jwks.json', '--jwks-trust', '111122223333:us-east-1'], /^kms-jwt verify: --jwks-url must be an https:\/\/ URL, not ftp:/],
    ['an allowlist entry that is not a key ARN', ['--jwks-url', 'https://issuer.example/jwks.json', '--jwks-key-arn', 'alias/token-issuer'], /^kms-jwt verify: --jwks-key-arn alias\/token-issuer is not a KMS key ARN/],
    ['a --jwks-trust that is not <account>:<region>', ['--jwks-url', 'https://issuer.example/jwks.json', '--jwks-trust', 'us-east-1'], /^kms-jwt verify: --jwks-trust must be <accountId>:<region>, such as 111122223333:us-east-1, not us-east-1/],
    ['--jwks-url with KMS flags', ['--jwks-url', 'https://issuer.example/jwks.json', '--jwks-trust', '111122223333:us-east-1', '--alias', 'alias/token-issuer'], /^kms-jwt verify: --jwks-url cannot be combined with --alias: /],
    ['--jwks-key-arn without --jwks-url', ['--jwks-key-arn', 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555'], /^kms-jwt verify: --jwks-key-arn and --jwks-trust name the keys of a --jwks-url to trust: give the --jwks-url/],
  ])('refuses %s as a usage error (exit 2)', async (_name, flags, message) => {
    const result = await runKmsJwt(['verify', ...flags, ...CLAIMS_FLAGS], dir, { input: tokenA });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expectNoStackTrace(result.stderr);
  });

  it('exits 3 with ERR_KEY_SOURCE_UNAVAILABLE when the URL serves no JWKS (HTTP 404)', async () => {
    const result = await runKmsJwt(['verify', '--jwks-url', `${jwks.origin}/missing.json`, '--jwks-key-arn', arnA, ...CLAIMS_FLAGS, '--json'], dir, { input: tokenA });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot obtain the keys to verify with (the JWKS at ${jwks.origin}/missing.json)`);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: false, error: { code: 'ERR_KEY_SOURCE_UNAVAILABLE', family: 'infrastructure' } });
  });
});
