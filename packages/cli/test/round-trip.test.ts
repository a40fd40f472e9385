import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir, startKms, tokenFrom, withPayload } from './support.js';

describe('the kms-jwt round trip (issue 7, must show 2)', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
  }, 180_000);

  afterAll(() => remove());

  it('creates a key, signs, verifies, rejects a tampered token with its reason, exports a JWKS and verifies offline from it with KMS gone', async () => {
    const { kms, kmsArgs } = await startKms();
    let kmsClosed = false;
    try {
      // keys create: the ARN on stdout, progress on stderr.
      const created = await runKmsJwt(['keys', 'create', '--alias', 'alias/round-trip', ...kmsArgs], dir);
      expect(created.code, created.stderr).toBe(0);
      const keyArn = created.stdout.trim();
      expect(keyArn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
      expect(created.stderr).toContain('creating an ECC_NIST_P256 signing key');
      expect(created.stderr).toContain(`alias/round-trip -> ${keyArn}`);

      // sign through the alias: only the token on stdout, kid = the key ARN.
      const signed = await runKmsJwt(
        ['sign', '--key-id', 'alias/round-trip', '--iss', 'https://issuer.example', '--aud', 'orders-api', '--sub', 'user-42', '--claim', 'scope=orders:read', ...kmsArgs],
        dir,
      );
      const token = tokenFrom(signed);
      expect(signed.stderr).toBe('');
      expect(decode(token).header).toEqual({ alg: 'ES256', kid: keyArn, typ: 'JWT' });

      // verify against KMS: valid, exit 0.
      const verifyFlags = ['--issuer', 'https://issuer.example', '--audience', 'orders-api'];
      const valid = await runKmsJwt(['verify', '--alias', 'alias/round-trip', ...verifyFlags, ...kmsArgs], dir, { input: token });
      expect(valid.code, valid.stderr).toBe(0);
      expect(valid.stdout).toContain(`VALID: signature verified with ${keyArn} (ES256)`);
      expect(valid.stdout).toContain('"sub": "user-42"');
      expect(valid.stderr).toBe('');

      // tamper with the payload (sub) and keep the signature: exit 1, code and reason on stderr.
      const tampered = withPayload(token, (payload) => ({ ...payload, sub: 'admin' }));
      const rejected = await runKmsJwt(['verify', '--alias', 'alias/round-trip', ...verifyFlags, ...kmsArgs], dir, { input: tampered });
      expect(rejected.code).toBe(1);
      expect(rejected.stdout).toBe('');
      expect(rejected.stderr).toMatch(/^kms-jwt verify: invalid token: ERR_JWS_SIGNATURE_INVALID: the signature does not verify/);
      expect(rejected.stderr).not.toContain(tampered);
      expectNoStackTrace(rejected.stderr);

      // jwks --out: a JWKS with the key's public JWK, named by its ARN.
      const jwksFile = join(dir, 'jwks.json');
      const exported = await runKmsJwt(['jwks', '--alias', 'alias/round-trip', '--out', jwksFile, ...kmsArgs], dir);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toBe('');
      expect(exported.stderr).toContain(`wrote a JWKS of 1 key to ${jwksFile}: ${keyArn}`);
      const jwks = JSON.parse(await readFile(jwksFile, 'utf8')) as { keys: Record<string, unknown>[] };
      expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', kid: keyArn, use: 'sig', alg: 'ES256' })]);
      expect(jwks.keys[0]).not.toHaveProperty('d');

      // KMS goes away; verify --jwks works offline, with no endpoint anywhere.
      const callsBefore = kms.callCount();
      await kms.close();
      kmsClosed = true;
      const offline = await runKmsJwt(['verify', '--jwks', jwksFile, ...verifyFlags], dir, { input: token });
      expect(offline.code, offline.stderr).toBe(0);
      expect(offline.stdout).toContain(`VALID: signature verified with ${keyArn} (ES256)`);
      expect(kms.callCount()).toBe(callsBefore);

      const offlineTampered = await runKmsJwt(['verify', '--jwks', jwksFile, ...verifyFlags], dir, { input: tampered });
      expect(offlineTampered.code).toBe(1);
      expect(offlineTampered.stderr).toContain('ERR_JWS_SIGNATURE_INVALID');
    } finally {
      if (!kmsClosed) await kms.close();
    }
  });
});
