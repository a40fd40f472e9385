import { verify as nodeVerify } from 'node:crypto';
import { CreateAliasCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { createVerifier } from 'kms-jwt-verifier';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AlgorithmNotSupportedError,
  ClaimsInvalidError,
  createKmsJwtSigner,
  KmsKeyNotFoundError,
  SignerConfigError,
  type JwtClaims,
  type KmsJwtSignerOptions,
  type SignOptions,
} from '../src/index.js';
import { createKey, decodeToken, expectSignerError, expectSignerThrow, useKmsLocal, type TestKey } from './support.js';

const NOW_MS = 1_800_000_000_123;
const NOW = 1_800_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function verifiesWith(key: TestKey, token: string): boolean {
  const { signingInput, signature } = decodeToken(token);
  return nodeVerify('sha256', Buffer.from(signingInput), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
}

describe('createKmsJwtSigner: configuration', () => {
  const base: KmsJwtSignerOptions = { keyId: 'alias/issuer', expiresInSeconds: 300 };
  const mistakes: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['no options object', null, /options object/],
    ['no keyId', { expiresInSeconds: 300 }, /keyId is required/],
    ['an empty keyId', { ...base, keyId: ' ' }, /keyId is required/],
    ['no expiresInSeconds (no eternal tokens by accident)', { keyId: 'alias/issuer' }, /expiresInSeconds is required/],
    ['expiresInSeconds of 0', { ...base, expiresInSeconds: 0 }, /expiresInSeconds must be a whole number/],
    ['a fractional expiresInSeconds', { ...base, expiresInSeconds: 1.5 }, /expiresInSeconds must be a whole number/],
    ['a string expiresInSeconds', { ...base, expiresInSeconds: '300' }, /expiresInSeconds must be a whole number/],
    ['a fractional notBeforeSeconds', { ...base, notBeforeSeconds: 0.5 }, /notBeforeSeconds/],
    ['algorithm HS256', { ...base, algorithm: 'HS256' }, /algorithm must be one of ES256/],
    ['algorithm none', { ...base, algorithm: 'none' }, /algorithm must be one of/],
    ['a client that is not a KMSClient', { ...base, client: {} }, /client must be a KMSClient/],
    ['an empty issuer', { ...base, issuer: '' }, /issuer/],
    ['an empty audience list', { ...base, audience: [] }, /audience/],
    ['an empty typ', { ...base, typ: '' }, /typ must be/],
    ['header.alg', { ...base, header: { alg: 'none' } }, /header: alg cannot be given/],
    ['header.kid', { ...base, header: { kid: 'alias/issuer' } }, /header: kid cannot be given: kid is always the ARN/],
    ['header.typ', { ...base, header: { typ: 'JWT' } }, /typ option/],
    ['header.b64', { ...base, header: { b64: false } }, /b64/],
    ['a header that is not an object', { ...base, header: ['x5t'] }, /plain object/],
    ['a jwtId that is not a function', { ...base, jwtId: 'fixed' }, /jwtId/],
    ['maxConcurrency 0', { ...base, maxConcurrency: 0 }, /maxConcurrency/],
    ['a fractional maxConcurrency', { ...base, maxConcurrency: 2.5 }, /maxConcurrency/],
    ['maxRatePerSecond 0', { ...base, maxRatePerSecond: 0 }, /maxRatePerSecond/],
    ['maxRatePerSecond NaN', { ...base, maxRatePerSecond: Number.NaN }, /maxRatePerSecond/],
    ['maxRatePerSecond beyond any KMS quota', { ...base, maxRatePerSecond: 1e9 }, /maxRatePerSecond/],
    ['selfVerify as a string', { ...base, selfVerify: 'yes' }, /selfVerify/],
    ['a negative aliasCacheMaxAgeMs', { ...base, aliasCacheMaxAgeMs: -1 }, /aliasCacheMaxAgeMs/],
    ['nowMs that is not a function', { ...base, nowMs: 5 }, /nowMs/],
    ['a trustedEndpoint that is not a URL', { ...base, trustedEndpoint: 'kms-proxy.internal' }, /trustedEndpoint must be the http:\/\/ or https:\/\/ URL/],
    ['a trustedEndpoint that is not http(s)', { ...base, trustedEndpoint: 'ftp://kms-proxy.internal' }, /trustedEndpoint must be the http:\/\/ or https:\/\/ URL/],
  ];

  it.each(mistakes)('refuses %s at construction with ERR_CONFIG_INVALID', (_name, options, message) => {
    const error = expectSignerThrow(() => createKmsJwtSigner(options as KmsJwtSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID');
    expect(error.message).toMatch(/^kms-jwt-signer: /);
    expect(error.message).toMatch(message);
    expect(error.retryable).toBe(false);
  });
});

describe('createKmsJwtSigner: tokens', () => {
  const env = useKmsLocal();
  let key: TestKey;
  let other: TestKey;
  let rsa: TestKey;

  beforeAll(async () => {
    const { client } = env();
    key = await createKey(client, 'ECC_NIST_P256', { alias: 'alias/issuer' });
    other = await createKey(client, 'ECC_NIST_P256', { alias: 'alias/other' });
    rsa = await createKey(client, 'RSA_2048', { alias: 'alias/rsa' });
  });

  function signer(options: Partial<KmsJwtSignerOptions> = {}) {
    return createKmsJwtSigner({ keyId: 'alias/issuer', expiresInSeconds: 300, client: env().client, nowMs: () => NOW_MS, ...options });
  }

  it('makes no KMS call at construction', () => {
    const { kms } = env();
    const before = kms.callCount();
    signer();
    expect(kms.callCount()).toBe(before);
  });

  it.each([
    ['an alias name', () => 'alias/issuer'],
    ['an alias ARN', () => key.arn.replace(/:key\/.*/, ':alias/issuer')],
    ['a key id', () => key.keyId],
    ['a key ARN', () => key.arn],
  ])('sets kid to the key ARN when keyId is %s', async (_form, keyId) => {
    const token = await signer({ keyId: keyId() }).sign({ sub: 'user-1' });
    expect(decodeToken(token).header['kid']).toBe(key.arn);
    expect(verifiesWith(key, token)).toBe(true);
  });

  it('signs an ES256 JWT with typ JWT, iat now, exp from expiresInSeconds and a random jti, which the verifier accepts', async () => {
    const token = await signer({ issuer: 'https://issuer.example', audience: 'orders' }).sign({ sub: 'user-1', scope: 'read' });
    const { header, payload } = decodeToken(token);
    expect(header).toEqual({ alg: 'ES256', kid: key.arn, typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'user-1', scope: 'read', iss: 'https://issuer.example', aud: 'orders', iat: NOW, exp: NOW + 300 });
    expect(payload['jti']).toMatch(UUID);
    expect(payload).not.toHaveProperty('nbf');
    const verifier = createVerifier({ keys: [{ kid: key.arn, key: key.pem }], issuer: 'https://issuer.example', audience: 'orders', nowMs: () => NOW_MS });
    const verified = await verifier.verify(token);
    expect(verified.key).toBe(key.arn);
    expect(verified.payload.sub).toBe('user-1');
  });

  it('gives every token its own jti, and none with jwtId false', async () => {
    const random = signer();
    const first = decodeToken(await random.sign({})).payload['jti'];
    const second = decodeToken(await random.sign({})).payload['jti'];
    expect(first).not.toBe(second);
    const without = decodeToken(await signer({ jwtId: false }).sign({})).payload;
    expect(without).not.toHaveProperty('jti');
    const counted = decodeToken(await signer({ jwtId: () => 'id-7' }).sign({})).payload;
    expect(counted['jti']).toBe('id-7');
  });

  it('leaves exp out only when expiresInSeconds is explicitly null, for the signer or the call', async () => {
    expect(decodeToken(await signer({ expiresInSeconds: null }).sign({})).payload).not.toHaveProperty('exp');
    expect(decodeToken(await signer().sign({}, { expiresInSeconds: null })).payload).not.toHaveProperty('exp');
    expect(decodeToken(await signer().sign({}, { expiresInSeconds: 60 })).payload['exp']).toBe(NOW + 60);
  });

  it('takes exp, nbf, iat, iss and aud from the claims over the signer defaults', async () => {
    const claims: JwtClaims = { exp: NOW + 5, nbf: NOW - 5, iat: NOW - 10, iss: 'https://other.example', aud: ['a', 'b'], jti: 'fixed' };
    const payload = decodeToken(await signer({ issuer: 'https://issuer.example', audience: 'orders', notBeforeSeconds: 30 }).sign(claims)).payload;
    expect(payload).toEqual(claims);
  });

  it('sets nbf from notBeforeSeconds, relative to now', async () => {
    expect(decodeToken(await signer({ notBeforeSeconds: -30 }).sign({})).payload['nbf']).toBe(NOW - 30);
    expect(decodeToken(await signer().sign({}, { notBeforeSeconds: 10 })).payload['nbf']).toBe(NOW + 10);
  });

  it('sets typ from the typ option, or leaves it out with null', async () => {
    expect(decodeToken(await signer({ typ: 'at+jwt' }).sign({})).header['typ']).toBe('at+jwt');
    expect(decodeToken(await signer({ typ: null }).sign({})).header).toEqual({ alg: 'ES256', kid: key.arn });
  });

  it('adds extra header parameters from the signer and the call, the call winning', async () => {
    const token = await signer({ header: { x5t: 'abc', cty: 'one' } }).sign({}, { header: { cty: 'two', 'urn:example': true } });
    expect(decodeToken(token).header).toEqual({ alg: 'ES256', kid: key.arn, typ: 'JWT', x5t: 'abc', cty: 'two', 'urn:example': true });
    expect(verifiesWith(key, token)).toBe(true);
  });

  const badCalls: ReadonlyArray<readonly [string, unknown, SignOptions | undefined, string]> = [
    ['an iss that is not a string', { iss: 5 }, undefined, 'iss'],
    ['a sub that is an object', { sub: { id: 1 } }, undefined, 'sub'],
    ['a jti that is a number', { jti: 1 }, undefined, 'jti'],
    ['an empty aud list', { aud: [] }, undefined, 'aud'],
    ['an aud list with a number', { aud: ['a', 1] }, undefined, 'aud'],
    ['an exp given as a string', { exp: '1800000300' }, undefined, 'exp'],
    ['an nbf that is NaN', { nbf: Number.NaN }, undefined, 'nbf'],
    ['an iat that is Infinity', { iat: Number.POSITIVE_INFINITY }, undefined, 'iat'],
    ['claims that are an array', ['sub'], undefined, 'claims'],
    ['claims that are null', null, undefined, 'claims'],
    ['claims that are a Date', new Date(NOW_MS), undefined, 'claims'],
    ['a BigInt claim', { balance: 10n }, undefined, 'claims'],
    ['claims whose toJSON makes a string', { toJSON: () => 'not an object' }, undefined, 'claims'],
    ['exp both in the claims and as expiresInSeconds', { exp: NOW + 1 }, { expiresInSeconds: 60 }, 'exp'],
    ['nbf both in the claims and as notBeforeSeconds', { nbf: NOW }, { notBeforeSeconds: 60 }, 'nbf'],
    ['a call expiresInSeconds of -1', {}, { expiresInSeconds: -1 }, 'expiresInSeconds'],
    ['a call notBeforeSeconds of 1.5', {}, { notBeforeSeconds: 1.5 }, 'notBeforeSeconds'],
    ['a call header that sets alg', {}, { header: { alg: 'none' } }, 'header.alg'],
    ['a call header that sets kid', {}, { header: { kid: 'arn:aws:kms:us-east-1:111122223333:key/other' } }, 'header.kid'],
  ];

  it.each(badCalls)('rejects %s with ERR_CLAIMS_INVALID before any KMS call', async (_name, claims, options, claim) => {
    const { kms } = env();
    const before = kms.callCount();
    const error = await expectSignerError(signer().sign(claims as JwtClaims, options), ClaimsInvalidError, 'ERR_CLAIMS_INVALID');
    expect(error.claim).toBe(claim);
    expect(error.message).not.toMatch(/1800000300|not an object/);
    expect(kms.callCount()).toBe(before);
  });

  it('resolves the key once for many tokens, with one DescribeKey shared by concurrent first calls', async () => {
    const { kms } = env();
    kms.resetCallCounts();
    const shared = signer();
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => shared.sign({ sub: `user-${i}` })));
    await shared.sign({});
    expect(kms.callCount('DescribeKey')).toBe(1);
    expect(kms.callCount('Sign')).toBe(11);
    expect(tokens.every((token) => verifiesWith(key, token))).toBe(true);
  });

  it('resolves the alias again once aliasCacheMaxAgeMs has passed, and then names the new key', async () => {
    const { client, kms } = env();
    await client.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: key.arn }));
    let now = NOW_MS;
    const moving = signer({ keyId: 'alias/moving', aliasCacheMaxAgeMs: 10_000, nowMs: () => now });
    kms.resetCallCounts();
    expect(decodeToken(await moving.sign({})).header['kid']).toBe(key.arn);
    await client.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: other.arn }));
    now += 9_999;
    expect(decodeToken(await moving.sign({})).header['kid']).toBe(key.arn);
    expect(kms.callCount('DescribeKey')).toBe(1);
    now += 1;
    const moved = await moving.sign({});
    expect(decodeToken(moved).header['kid']).toBe(other.arn);
    expect(verifiesWith(other, moved)).toBe(true);
    expect(kms.callCount('DescribeKey')).toBe(2);
  });

  it('hydrate resolves the key at startup and reports its ARN, alg, key spec and the KMS endpoint', async () => {
    await expect(signer().hydrate()).resolves.toEqual({ keyArn: key.arn, algorithm: 'ES256', keySpec: 'ECC_NIST_P256', endpoint: env().kms.endpoint });
    const error = await expectSignerError(signer({ keyId: 'alias/does-not-exist' }).hydrate(), KmsKeyNotFoundError, 'ERR_KMS_KEY_NOT_FOUND');
    expect(error.keyId).toBe('alias/does-not-exist');
    expect(error.message).toContain('alias/does-not-exist');
  });

  it('signs RS256 with an RSA key by default, and PS256 when algorithm says so', async () => {
    expect(decodeToken(await signer({ keyId: 'alias/rsa' }).sign({})).header['alg']).toBe('RS256');
    const pss = await signer({ keyId: 'alias/rsa', algorithm: 'PS256' }).sign({});
    expect(decodeToken(pss).header['alg']).toBe('PS256');
    const { signingInput, signature } = decodeToken(pss);
    expect(nodeVerify('sha256', Buffer.from(signingInput), { key: rsa.publicKey, padding: 6, saltLength: 32 }, signature)).toBe(true);
  });

  it.each([
    ['ES256 from an RSA key', 'alias/rsa', 'ES256', /cannot make ES256; it makes RS256, RS384, RS512, PS256, PS384, PS512/],
    ['ES384 from a P-256 key', 'alias/issuer', 'ES384', /cannot make ES384; it makes ES256/],
    ['PS256 from a P-256 key', 'alias/issuer', 'PS256', /cannot make PS256/],
    ['EdDSA from a P-256 key', 'alias/issuer', 'EdDSA', /cannot make EdDSA/],
  ] as const)('refuses %s with ERR_ALG_NOT_SUPPORTED_BY_KEY, naming the key ARN', async (_name, keyId, algorithm, message) => {
    const { kms } = env();
    const before = kms.callCount('Sign');
    const error = await expectSignerError(signer({ keyId, algorithm }).sign({}), AlgorithmNotSupportedError, 'ERR_ALG_NOT_SUPPORTED_BY_KEY');
    expect(error.message).toMatch(message);
    expect(error.keyId).toBe(keyId === 'alias/rsa' ? rsa.arn : key.arn);
    expect(kms.callCount('Sign')).toBe(before);
  });

  it('with selfVerify, fetches the public key once per key ARN and returns tokens that verify', async () => {
    const { kms } = env();
    kms.resetCallCounts();
    const checked = signer({ selfVerify: true });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => checked.sign({})));
    expect(kms.callCount('GetPublicKey')).toBe(1);
    expect(tokens.every((token) => verifiesWith(key, token))).toBe(true);
  });
});
