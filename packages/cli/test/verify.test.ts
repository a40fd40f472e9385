import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import type { KmsLocal } from 'kms-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir, startKms, unreachableEndpoint } from './support.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';
const CLAIMS_FLAGS = ['--issuer', ISSUER, '--audience', AUDIENCE];

describe.concurrent('kms-jwt verify', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  let kms: KmsLocal;
  let kmsArgs: readonly string[] = [];
  let client: KMSClient;
  let arnA = '';
  let arnB = '';
  /** Signed by the key behind alias/verify-a. */
  let tokenA = '';
  /** Signed by key B, which no alias names. */
  let tokenB = '';
  let expiredA = '';
  /** Signed by key C, which no test trusts. */
  let tokenOfKeyC = '';
  /** Signed by A with a 7-day lifetime, longer than the verifier's default cap of 24 h. */
  let weekLongA = '';

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
    ({ kms, kmsArgs } = await startKms());
    client = new KMSClient(kms.clientConfig);
    const createKey = async (): Promise<string> => (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
    arnA = await createKey();
    arnB = await createKey();
    await client.send(new CreateAliasCommand({ AliasName: 'alias/verify-a', TargetKeyId: arnA }));
    const signerA = createKmsJwtSigner({ keyId: 'alias/verify-a', client, expiresInSeconds: 900, issuer: ISSUER, audience: AUDIENCE });
    tokenA = await signerA.sign({ sub: 'user-42', scope: 'orders:read' });
    const nowSeconds = Math.floor(Date.now() / 1000);
    expiredA = await signerA.sign({ sub: 'user-42', iat: nowSeconds - 120, exp: nowSeconds - 60 });
    weekLongA = await signerA.sign({ sub: 'user-42', iat: nowSeconds, exp: nowSeconds + 7 * 86_400 });
    tokenOfKeyC = await createKmsJwtSigner({ keyId: await createKey(), client, expiresInSeconds: 900, issuer: ISSUER, audience: AUDIENCE }).sign({ sub: 'user-9' });
    tokenB = await createKmsJwtSigner({ keyId: arnB, client, expiresInSeconds: 900, issuer: ISSUER, audience: AUDIENCE }).sign({ sub: 'user-7' });
  }, 180_000);

  afterAll(async () => {
    client.destroy();
    await kms.close();
    await remove();
  });

  it('prints {"valid":true, header, payload, key} with --json and exits 0', async () => {
    const result = await runKmsJwt(['verify', '--alias', 'verify-a', ...CLAIMS_FLAGS, '--json', ...kmsArgs], dir, { input: tokenA });
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as { valid: boolean; header: unknown; payload: Record<string, unknown>; key: string };
    expect(parsed.valid).toBe(true);
    expect(parsed.key).toBe(arnA);
    expect(parsed.header).toEqual({ alg: 'ES256', kid: arnA, typ: 'JWT' });
    expect(parsed.payload).toMatchObject({ sub: 'user-42', scope: 'orders:read', iss: ISSUER, aud: AUDIENCE });
    expect(result.stderr).toBe('');
  });

  it('prints {"valid":false, error} with --json for a wrong audience, exits 1 and keeps the token\'s own value out', async () => {
    const result = await runKmsJwt(['verify', '--alias', 'verify-a', '--issuer', ISSUER, '--audience', 'billing-api', '--json', ...kmsArgs], dir, { input: tokenA });
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as { valid: boolean; error: Record<string, unknown> };
    expect(parsed).toEqual({
      valid: false,
      error: { code: 'ERR_JWT_CLAIM_INVALID', family: 'claims', message: expect.stringContaining('aud'), claim: 'aud', expected: ['billing-api'] },
    });
    expect(result.stdout).not.toContain(AUDIENCE);
    expect(result.stderr).toMatch(/^kms-jwt verify: invalid token: ERR_JWT_CLAIM_INVALID: claim aud /);
  });

  it.each([
    ['an expired token', () => expiredA, ['--alias', 'verify-a'], 'ERR_JWT_EXPIRED'],
    ['a token whose kid is not trusted', () => tokenB, ['--alias', 'verify-a'], 'ERR_KID_UNTRUSTED'],
    ['a token from another issuer', () => tokenA, ['--alias', 'verify-a', '--issuer', 'https://other.example', '--any-audience'], 'ERR_JWT_CLAIM_INVALID'],
    ['a token for another subject', () => tokenA, ['--alias', 'verify-a', '--subject', 'user-1'], 'ERR_JWT_CLAIM_INVALID'],
    ['an algorithm outside --alg', () => tokenA, ['--alias', 'verify-a', '--alg', 'ES384'], 'ERR_ALG_NOT_ALLOWED'],
    ['a token that is not a JWS', () => 'not.a-token', ['--alias', 'verify-a'], 'ERR_TOKEN_MALFORMED'],
  ])('exits 1 for %s, with the code and reason on stderr', async (_what, token, flags, code) => {
    const claimFlags = flags.includes('--issuer') ? [] : CLAIMS_FLAGS;
    const result = await runKmsJwt(['verify', ...flags, ...claimFlags, ...kmsArgs], dir, { input: token() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^kms-jwt verify: invalid token: ${code}: \\S`));
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });

  it('refuses a token living longer than 24 h by default (ERR_JWT_LIFETIME_TOO_LONG), and accepts it with --max-lifetime 7d or none', async () => {
    const refused = await runKmsJwt(['verify', '--alias', 'verify-a', ...CLAIMS_FLAGS, ...kmsArgs], dir, { input: weekLongA });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ERR_JWT_LIFETIME_TOO_LONG/);
    for (const cap of ['7d', 'none']) {
      const accepted = await runKmsJwt(['verify', '--alias', 'verify-a', ...CLAIMS_FLAGS, '--max-lifetime', cap, ...kmsArgs], dir, { input: weekLongA });
      expect(accepted.code, accepted.stderr).toBe(0);
    }
    const tighter = await runKmsJwt(['verify', '--alias', 'verify-a', ...CLAIMS_FLAGS, '--max-lifetime', '10m', ...kmsArgs], dir, { input: tokenA });
    expect(tighter.code).toBe(1);
    expect(tighter.stderr).toMatch(/ERR_JWT_LIFETIME_TOO_LONG/);
  });

  it('takes the token as an argument and accepts any issuer and audience when told to', async () => {
    const result = await runKmsJwt(['verify', tokenB, '--key', arnB, '--any-issuer', '--any-audience', ...kmsArgs], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`VALID: signature verified with ${arnB} (ES256)`);
  });

  it('uses AWS_ENDPOINT_URL_KMS and AWS_REGION from the environment when --endpoint and --region are not given', async () => {
    const result = await runKmsJwt(['verify', '--alias', 'alias/verify-a', ...CLAIMS_FLAGS], dir, { input: tokenA, env: { AWS_ENDPOINT_URL_KMS: kms.endpoint, AWS_REGION: kms.region } });
    expect(result.code, result.stderr).toBe(0);
  });

  it('refuses (exit 2, before any connection) a plain-HTTP AWS_ENDPOINT_URL_KMS outside loopback, and says to name it with --endpoint if it is meant', async () => {
    // 192.0.2.1 is TEST-NET-1: never connected to, the endpoint is refused when it is resolved.
    for (const command of [['verify', '--key', arnA, ...CLAIMS_FLAGS], ['sign', '--key-id', arnA, '--expires-in', '60']]) {
      const result = await runKmsJwt(command, dir, { input: tokenA, env: { AWS_ENDPOINT_URL_KMS: 'http://192.0.2.1:4599', AWS_REGION: kms.region } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('the KMS client calls http://192.0.2.1:4599 (from AWS_ENDPOINT_URL_KMS');
      expect(result.stderr).toContain('pass it as --endpoint http://192.0.2.1:4599');
      expect(result.stdout).toBe('');
    }
  });

  it('verifies offline against a PEM bound to its kid, and rejects tokens of other keys', async () => {
    const pemFile = join(dir, 'key-b.pem');
    const exported = await runKmsJwt(['jwks', '--key', arnB, '--format', 'pem', '--out', pemFile, ...kmsArgs], dir);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain(`kid (bind it with kms-jwt verify --pem <file> --kid <kid>): ${arnB}`);

    const valid = await runKmsJwt(['verify', '--pem', pemFile, '--kid', arnB, ...CLAIMS_FLAGS], dir, { input: tokenB });
    expect(valid.code, valid.stderr).toBe(0);
    const other = await runKmsJwt(['verify', '--pem', pemFile, '--kid', arnB, ...CLAIMS_FLAGS], dir, { input: tokenA });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('ERR_KID_UNTRUSTED');
    // The PEM bound to the wrong kid: the signature cannot verify.
    const misbound = await runKmsJwt(['verify', '--pem', pemFile, '--kid', arnA, ...CLAIMS_FLAGS], dir, { input: tokenA });
    expect(misbound.code).toBe(1);
    expect(misbound.stderr).toContain('ERR_JWS_SIGNATURE_INVALID');
  });

  it('verifies offline from a snapshot: its keys and aliases are trusted with no KMS call (the environment points at a dead endpoint)', async () => {
    const snapshotFile = join(dir, 'snapshot.json');
    const exported = await runKmsJwt(['jwks', '--alias', 'alias/verify-a', '--key', arnB, '--format', 'snapshot', '--out', snapshotFile, ...kmsArgs], dir);
    expect(exported.code, exported.stderr).toBe(0);
    const deadKms = { AWS_ENDPOINT_URL_KMS: await unreachableEndpoint(), AWS_REGION: 'us-east-1' };
    const viaAlias = await runKmsJwt(['verify', '--snapshot', snapshotFile, ...CLAIMS_FLAGS], dir, { input: tokenA, env: deadKms });
    expect(viaAlias.code, viaAlias.stderr).toBe(0);
    const viaKey = await runKmsJwt(['verify', '--snapshot', snapshotFile, ...CLAIMS_FLAGS, '--json'], dir, { input: tokenB, env: deadKms });
    expect(viaKey.code, viaKey.stderr).toBe(0);
    expect((JSON.parse(viaKey.stdout) as { key: string }).key).toBe(arnB);
    // Only what the snapshot holds is trusted.
    const untrusted = await runKmsJwt(['verify', '--snapshot', snapshotFile, ...CLAIMS_FLAGS], dir, { input: tokenOfKeyC, env: deadKms });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain('ERR_KID_UNTRUSTED');
  });

  it('exits 3 (no verdict) for a snapshot taken more than 24 h ago, saying to export a fresh one', async () => {
    const fresh = join(dir, 'snapshot-to-age.json');
    const exported = await runKmsJwt(['jwks', '--key', arnB, '--format', 'snapshot', '--out', fresh, ...kmsArgs], dir);
    expect(exported.code, exported.stderr).toBe(0);
    const old = join(dir, 'snapshot-old.json');
    const snapshot = JSON.parse(await readFile(fresh, 'utf8')) as { createdAtMs: number };
    await writeFile(old, JSON.stringify({ ...snapshot, createdAtMs: snapshot.createdAtMs - 2 * 86_400_000 }));
    const result = await runKmsJwt(['verify', '--snapshot', old, ...CLAIMS_FLAGS], dir, { input: tokenB });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/snapshot: it was taken 2 days ago .*more than snapshotMaxAgeMs .*export a fresh one/);
    expectNoStackTrace(result.stderr);
  });

  it('exits 3 with ERR_KEY_SOURCE_UNAVAILABLE when the KMS endpoint is unreachable, printing the error as JSON with --json', async () => {
    const endpoint = await unreachableEndpoint();
    const result = await runKmsJwt(['verify', '--alias', 'verify-a', ...CLAIMS_FLAGS, '--json', '--endpoint', endpoint, '--region', 'us-east-1'], dir, { input: tokenA });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^kms-jwt verify: cannot obtain the keys to verify with \\(${endpoint.replace(/\./g, '\\.')}\\): .*ECONNREFUSED.*\\[ERR_KEY_SOURCE_UNAVAILABLE\\]\\n$`));
    expect(JSON.parse(result.stdout)).toEqual({ valid: false, error: { code: 'ERR_KEY_SOURCE_UNAVAILABLE', family: 'infrastructure', message: expect.stringContaining('ECONNREFUSED') } });
    expectNoStackTrace(result.stderr);
  });

  it('exits 3 (no verdict) when KMS does not know a --key', async () => {
    const missing = arnA.replace(/key\/.*/, 'key/00000000-0000-4000-8000-000000000000');
    const result = await runKmsJwt(['verify', '--key', missing, ...CLAIMS_FLAGS, ...kmsArgs], dir, { input: tokenA });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot obtain the keys to verify with (${kms.endpoint})`);
    expect(result.stderr).toContain(missing);
  });

  it('exits 3 when a --jwks file cannot be read', async () => {
    const result = await runKmsJwt(['verify', '--jwks', join(dir, 'missing.json'), ...CLAIMS_FLAGS], dir, { input: tokenA });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^kms-jwt verify: cannot obtain the keys to verify with \(offline keys\): offlineKeys\[0\]: cannot read .*missing\.json/);
  });
});
