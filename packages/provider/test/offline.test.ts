import { GetPublicKeyCommand, UpdateAliasCommand, type KeySpec } from '@aws-sdk/client-kms';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtVerifier } from 'aws-jwt-verify';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createVerifier, KidUntrustedError, type JwsAlgorithm, type TrustedKey } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsKeyProvider, KeyProviderConfigError, SnapshotRejectedError, type KmsKeySnapshot } from '../src/index.js';
import { AUDIENCE, ISSUER, createAlias, createKey, isPromise, manualTime, recordEvents, rejection, signToken, useKms } from './support.js';

const env = useKms();
const time = manualTime();
const dir = mkdtempSync(join(tmpdir(), 'kms-pubkey-provider-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPECS: readonly { spec: KeySpec; alg: JwsAlgorithm; alsoAlg?: JwsAlgorithm }[] = [
  { spec: 'ECC_NIST_P256', alg: 'ES256' },
  { spec: 'ECC_NIST_P384', alg: 'ES384' },
  { spec: 'ECC_NIST_P521', alg: 'ES512' },
  { spec: 'ECC_NIST_EDWARDS25519', alg: 'EdDSA' },
  { spec: 'RSA_2048', alg: 'PS256', alsoAlg: 'RS256' },
];

interface Signed {
  readonly arn: string;
  readonly keyId: string;
  readonly spec: KeySpec;
  readonly tokens: readonly string[];
  /** The algorithm of each token, in the same order. */
  readonly algs: readonly JwsAlgorithm[];
}

let keys: Signed[] = [];

beforeAll(async () => {
  const { admin } = env();
  keys = await Promise.all(
    SPECS.map(async ({ spec, alg, alsoAlg }) => {
      const key = await createKey(admin, spec);
      const algs = alsoAlg === undefined ? [alg] : [alg, alsoAlg];
      const tokens = await Promise.all(algs.map((a) => signToken(admin, { keyId: key.arn, kid: key.arn, alg: a, nowMs: time.nowMs() })));
      return { ...key, spec, tokens, algs };
    }),
  );
});

function warmProvider() {
  const { client } = env();
  const provider = createKmsKeyProvider({ client, keys: keys.map((key) => key.arn), nowMs: time.nowMs, timers: time.timers });
  return provider.ready().then(() => provider);
}

const verifierFor = (provider: ReturnType<typeof createKmsKeyProvider>) => createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });

describe('exportJwks', () => {
  it('exports the trusted keys as a JWKS that jose createLocalJWKSet verifies the tokens with (kid = key ARN, alg, use: sig)', async () => {
    const provider = await warmProvider();
    const jwks = provider.exportJwks();
    expect(jwks.keys).toHaveLength(keys.length);
    for (const { spec, alg } of SPECS) {
      const key = keys.find((k) => k.spec === spec) as Signed;
      const jwk = jwks.keys.find((k) => k.kid === key.arn);
      expect(jwk, spec).toBeDefined();
      expect(jwk).toMatchObject({ kid: key.arn, use: 'sig' });
      expect(jwk).not.toHaveProperty('d');
      // One algorithm: `alg` names it; an RSA key trusted for RS* and PS* leaves `alg` out.
      if (spec === 'RSA_2048') expect(jwk).not.toHaveProperty('alg');
      else expect(jwk?.alg).toBe(alg);
    }
    // As a third party gets it: served as JSON at /.well-known/jwks.json.
    const jose = createLocalJWKSet(JSON.parse(JSON.stringify(jwks)) as JSONWebKeySet);
    for (const key of keys) {
      for (const token of key.tokens) {
        const { payload, protectedHeader } = await jwtVerify(token, jose, { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(time.nowMs()) });
        expect(protectedHeader.kid).toBe(key.arn);
        expect(payload.sub).toBe('user-42');
      }
    }
    provider.close();
  });

  it('exports a JWKS that aws-jwt-verify verifies the tokens with (RS, ES and EdDSA; it has no PS algorithms)', async () => {
    const provider = await warmProvider();
    const verifier = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}/.well-known/jwks.json` });
    verifier.cacheJwks(JSON.parse(JSON.stringify(provider.exportJwks())) as Parameters<typeof verifier.cacheJwks>[0]);
    const verified: JwsAlgorithm[] = [];
    for (const key of keys) {
      for (const [index, token] of key.tokens.entries()) {
        const alg = key.algs[index] as JwsAlgorithm;
        if (alg.startsWith('PS')) continue;
        expect((await verifier.verify(token)).sub).toBe('user-42');
        verified.push(alg);
      }
    }
    expect(verified.sort()).toEqual(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256']);
    provider.close();
  });

  it('sets alg on an RSA key narrowed to one algorithm by the algorithms option', async () => {
    const { client } = env();
    const rsa = keys.find((key) => key.spec === 'RSA_2048') as Signed;
    const provider = createKmsKeyProvider({ client, keys: [rsa.arn], algorithms: ['PS256'], nowMs: time.nowMs, timers: time.timers });
    await provider.ready();
    expect(provider.exportJwks().keys).toEqual([expect.objectContaining({ kid: rsa.arn, alg: 'PS256', kty: 'RSA', use: 'sig' })]);
    provider.close();
  });

  it('leaves out keys that are configured but not fetched yet', () => {
    const { client } = env();
    const provider = createKmsKeyProvider({ client, keys: keys.map((key) => key.arn), nowMs: time.nowMs, timers: time.timers });
    expect(provider.exportJwks()).toEqual({ keys: [] });
    provider.close();
  });
});

describe('offline keys', () => {
  it('verifies the same tokens from an exported JWKS file with no KMS client at all', async () => {
    const { kms } = env();
    const warm = await warmProvider();
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify(warm.exportJwks()));
    warm.close();
    kms.resetCallCounts();

    const provider = createKmsKeyProvider({ offlineKeys: [{ file }], nowMs: time.nowMs, timers: time.timers });
    const verifier = verifierFor(provider);
    for (const key of keys) {
      expect(isPromise(provider.resolve(key.arn))).toBe(false);
      for (const token of key.tokens) expect((await verifier.verify(token)).key).toBe(key.arn);
    }
    expect(provider.resolve('arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(kms.callCount()).toBe(0);
    provider.close();
  });

  it('verifies from a PEM file, DER bytes, PEM text and a JWK object, each bound to its key ARN', async () => {
    const { admin, kms } = env();
    const [p256, p384, ed25519, rsa] = ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_EDWARDS25519', 'RSA_2048'].map((spec) => keys.find((key) => key.spec === spec) as Signed) as [Signed, Signed, Signed, Signed];
    const der = async (key: Signed) => Buffer.from((await admin.send(new GetPublicKeyCommand({ KeyId: key.arn }))).PublicKey as Uint8Array);
    const pemFile = join(dir, 'p256.pem');
    writeFileSync(pemFile, createPublicKey({ key: await der(p256), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }));
    const rsaPem = createPublicKey({ key: await der(rsa), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
    const edJwk = createPublicKey({ key: await der(ed25519), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    const p384Der = await der(p384);
    kms.resetCallCounts();

    const provider = createKmsKeyProvider({
      offlineKeys: [
        { kid: p256.arn, file: pemFile },
        { kid: p384.arn, key: p384Der },
        { kid: rsa.arn, key: rsaPem },
        { kid: ed25519.arn, key: edJwk },
      ],
    });
    const verifier = verifierFor(provider);
    for (const key of [p256, p384, ed25519, rsa]) for (const token of key.tokens) expect((await verifier.verify(token)).key).toBe(key.arn);
    expect(provider.resolve(p256.keyId)).toBe(provider.resolve(p256.arn));
    expect(kms.callCount()).toBe(0);
    provider.close();
  });

  it('refuses a private key, a key without kid and an unreadable file with ERR_CONFIG_INVALID naming the entry', () => {
    const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: [Parameters<typeof createKmsKeyProvider>[0], RegExp][] = [
      [{ offlineKeys: [{ kid: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001', key: privateKey }] }, /offlineKeys\[0\].*private key/],
      [{ offlineKeys: [{ key: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } }] }, /offlineKeys\[0\] needs a kid/],
      [{ offlineKeys: [{ kid: 'k', file: join(dir, 'missing.pem') }] }, /offlineKeys\[0\]: cannot read/],
    ];
    for (const [options, message] of cases) {
      let error: unknown;
      try {
        createKmsKeyProvider(options);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(KeyProviderConfigError);
      expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
      expect((error as Error).message).toMatch(/^kms-pubkey-provider: /);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('snapshots', () => {
  it('cold-starts from a snapshot file answering synchronously, with no call on the request path, then confirms each key and alias with KMS in the background, keeping the same TrustedKey', async () => {
    const { kms, admin, client } = env();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const token = await signToken(admin, { keyId: alias, kid: key.arn, nowMs: time.nowMs() });
    const configured = [alias, ...keys.map((k) => k.arn)];
    const warm = createKmsKeyProvider({ client, keys: configured, nowMs: time.nowMs, timers: time.timers });
    await warm.ready();
    const file = join(dir, 'snapshot.json');
    writeFileSync(file, JSON.stringify(warm.exportSnapshot()));
    warm.close();
    kms.resetCallCounts();

    const cold = createKmsKeyProvider({ client, keys: configured, snapshot: file, nowMs: time.nowMs, timers: time.timers });
    const verifier = verifierFor(cold);
    const before = cold.resolve(key.arn);
    expect(isPromise(before)).toBe(false);
    expect((await verifier.verify(token)).key).toBe(key.arn);
    for (const k of keys) for (const t of k.tokens) expect((await verifier.verify(t)).key).toBe(k.arn);
    // The confirmations started at load: one GetPublicKey per key, one DescribeKey per alias; ready() joins them.
    await cold.ready();
    expect(kms.callCount('GetPublicKey')).toBe(configured.length);
    expect(kms.callCount('DescribeKey')).toBe(1);
    expect(cold.resolve(key.arn)).toBe(before);
    await cold.ready();
    expect(kms.callCount()).toBe(configured.length + 1);
    cold.close();
  });

  it('refreshes snapshot keys from KMS after cacheMaxAgeMs, keeping the same TrustedKey', async () => {
    const { kms, admin, client } = env();
    const own = manualTime();
    const events = recordEvents();
    const key = await createKey(admin);
    const warm = createKmsKeyProvider({ client, keys: [key.arn], nowMs: own.nowMs, timers: own.timers });
    await warm.ready();
    const snapshot = warm.exportSnapshot();
    warm.close();

    const cold = createKmsKeyProvider({ client, keys: [key.arn], snapshot, cacheMaxAgeMs: 60_000, nowMs: own.nowMs, timers: own.timers, ...events.hooks });
    const before = cold.resolve(key.arn) as TrustedKey;
    await cold.ready();
    events.log.length = 0;
    kms.resetCallCounts();
    own.advance(60_000);
    expect(await events.until((event) => event.type === 'keyFetched')).toMatchObject({ keyArn: key.arn, changed: false });
    expect(kms.callCount('GetPublicKey')).toBe(1);
    expect(cold.resolve(key.arn)).toBe(before);
    cold.close();
  });

  it('keeps a retired key of a snapshot trusted until its grace window ends', async () => {
    const { admin, client } = env();
    const own = manualTime();
    const events = recordEvents();
    const a = await createKey(admin);
    const b = await createKey(admin);
    const alias = await createAlias(admin, a.keyId);
    const token = await signToken(admin, { keyId: alias, kid: a.arn, nowMs: own.nowMs(), lifetimeMs: 10 * 3_600_000 });
    const options = { client, keys: [alias], aliasRefreshMs: 60_000, retiredKeyGraceMs: 600_000, nowMs: own.nowMs, timers: own.timers };
    const warm = createKmsKeyProvider({ ...options, ...events.hooks });
    await warm.ready();
    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: b.keyId }));
    own.advance(60_000);
    await events.until((event) => event.type === 'keyFetched' && event.keyArn === b.arn);
    const snapshot: KmsKeySnapshot = JSON.parse(JSON.stringify(warm.exportSnapshot())) as KmsKeySnapshot;
    warm.close();
    expect(snapshot.aliases).toEqual([{ alias, keyArn: b.arn, retired: [{ keyArn: a.arn, graceUntilMs: own.nowMs() + 600_000 }] }]);

    const cold = createKmsKeyProvider({ ...options, snapshot, aliasRefreshMs: 3_600_000 });
    const verifier = createVerifier({ keys: cold, issuer: ISSUER, audience: AUDIENCE, nowMs: own.nowMs });
    expect((await verifier.verify(token)).key).toBe(a.arn);
    own.advance(600_000);
    expect(await rejection(verifier.verify(token))).toBeInstanceOf(KidUntrustedError);
    expect(cold.resolve(a.arn)).toBeUndefined();
    cold.close();
  });

  it('never widens trust: snapshot keys outside the configured keys are ignored, with zero KMS calls (confirmSnapshot: false)', async () => {
    const { kms, client } = env();
    const [first, second] = keys as [Signed, Signed];
    const warm = createKmsKeyProvider({ client, keys: [first.arn, second.arn], nowMs: time.nowMs, timers: time.timers });
    await warm.ready();
    const snapshot = warm.exportSnapshot();
    warm.close();
    kms.resetCallCounts();

    const narrow = createKmsKeyProvider({ client, keys: [first.arn], snapshot, confirmSnapshot: false, nowMs: time.nowMs, timers: time.timers });
    expect(narrow.resolve(second.arn)).toBeUndefined();
    expect((narrow.resolve(first.arn) as TrustedKey).id).toBe(first.arn);
    expect(kms.callCount()).toBe(0);
    narrow.close();
  });

  it('refuses a malformed snapshot at construction with SnapshotRejectedError (ERR_CONFIG_INVALID)', () => {
    const bad = { version: 1, createdAtMs: time.nowMs(), keys: [{ keyArn: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000002', keySpec: 'ECC_NIST_P256', algorithms: ['ES256'], publicKey: 'bm90IGEga2V5' }], aliases: [] };
    expect(() => createKmsKeyProvider({ keys: [bad.keys[0]?.keyArn as string], snapshot: bad as KmsKeySnapshot })).toThrow(SnapshotRejectedError);
    expect(() => createKmsKeyProvider({ keys: [bad.keys[0]?.keyArn as string], snapshot: bad as KmsKeySnapshot })).toThrow(KeyProviderConfigError);
    expect(() => createKmsKeyProvider({ keys: [bad.keys[0]?.keyArn as string], snapshot: bad as KmsKeySnapshot })).toThrow(/kms-pubkey-provider: snapshot: keys\[0\].*not a DER SPKI/);
  });
});
