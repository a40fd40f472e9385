import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerifier, JwtExpiredError, KidUntrustedError, SignatureInvalidError, type KeyResolver } from '../src/index.js';

const KID = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function es256Token(privateKey: KeyObject, payload: object, header: object = { alg: 'ES256', typ: 'JWT', kid: KID }): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

describe('createVerifier', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = 1_800_000_000;
  const claims = { iss: 'https://issuer.example', aud: 'api', sub: 'user-1', iat: now, exp: now + 300 };
  const options = { keys: [{ kid: KID, key: publicKey }], issuer: 'https://issuer.example', audience: 'api', nowMs: () => now * 1000 };

  it('verifies an ES256 token signed by the trusted key and reports the key ARN', async () => {
    const verifier = createVerifier(options);
    const result = await verifier.verify(es256Token(privateKey, claims));
    expect(result.key).toBe(KID);
    expect(result.payload.sub).toBe('user-1');
    expect(Object.isFrozen(result.payload)).toBe(true);
  });

  it('rejects a token signed by another key with ERR_JWS_SIGNATURE_INVALID', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const error = await createVerifier(options).verify(es256Token(other, claims)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureInvalidError);
    expect((error as SignatureInvalidError).code).toBe('ERR_JWS_SIGNATURE_INVALID');
  });

  it('rejects an untrusted kid without asking the key source twice', async () => {
    let calls = 0;
    const keys: KeyResolver = {
      resolve: (kid) => {
        calls += 1;
        return kid === KID ? { id: KID, publicKey, algorithms: ['ES256'] } : undefined;
      },
    };
    const verifier = createVerifier({ ...options, keys });
    const error = await verifier.verify(es256Token(privateKey, claims, { alg: 'ES256', kid: `${KID}0` })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KidUntrustedError);
    expect(calls).toBe(1);
  });

  it('re-checks exp on a cache hit', async () => {
    let nowSeconds = now;
    const verifier = createVerifier({ ...options, nowMs: () => nowSeconds * 1000 });
    const token = es256Token(privateKey, claims);
    await verifier.verify(token);
    nowSeconds = now + 301;
    const error = await verifier.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JwtExpiredError);
    expect((error as JwtExpiredError).status).toBe(401);
  });
});
