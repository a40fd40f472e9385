import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { AlgNotAllowedError, createVerifier, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it, vi } from 'vitest';
import { createKmsKeyProvider, KeyProviderConfigError, type KmsKeyProviderOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, createKey, isPromise, manualTime, recordEvents, rejection, signToken, useKms } from './support.js';

const env = useKms();
const A_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';

describe('which keys and algorithms are trusted', () => {
  it('trusts an RSA key for the RS and PS algorithms KMS lists, and narrows them with the algorithms option', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin, 'RSA_2048');
    const [ps256, rs256] = await Promise.all((['PS256', 'RS256'] as const).map((alg) => signToken(admin, { keyId: key.arn, kid: key.arn, alg, nowMs: time.nowMs() })));

    const all = createKmsKeyProvider({ client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers });
    expect(((await all.resolve(key.arn)) as TrustedKey).algorithms).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    const verifier = createVerifier({ keys: all, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
    expect((await verifier.verify(ps256 as string)).key).toBe(key.arn);
    expect((await verifier.verify(rs256 as string)).key).toBe(key.arn);

    const pssOnly = createKmsKeyProvider({ client, keys: [key.arn], algorithms: ['PS256'], nowMs: time.nowMs, timers: time.timers });
    const narrowed = createVerifier({ keys: pssOnly, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
    expect((await narrowed.verify(ps256 as string)).key).toBe(key.arn);
    const error = await rejection(narrowed.verify(rs256 as string));
    expect(error).toBeInstanceOf(AlgNotAllowedError);
    expect(error).toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED' });
    all.close();
    pssOnly.close();
  });

  it('derives ES256K for secp256k1 and EdDSA for Ed25519 keys, and verifies their tokens', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const k1 = await createKey(admin, 'ECC_SECG_P256K1');
    const ed = await createKey(admin, 'ECC_NIST_EDWARDS25519');
    const provider = createKmsKeyProvider({ client, keys: [k1.arn, ed.arn], nowMs: time.nowMs, timers: time.timers });
    await provider.ready();
    expect((provider.resolve(k1.arn) as TrustedKey).algorithms).toEqual(['ES256K']);
    expect((provider.resolve(ed.arn) as TrustedKey).algorithms).toEqual(['EdDSA']);
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
    expect((await verifier.verify(await signToken(admin, { keyId: k1.arn, kid: k1.arn, alg: 'ES256K', nowMs: time.nowMs() }))).key).toBe(k1.arn);
    expect((await verifier.verify(await signToken(admin, { keyId: ed.arn, kid: ed.arn, alg: 'EdDSA', nowMs: time.nowMs() }))).key).toBe(ed.arn);
    provider.close();
  });

  it('answers undefined (401, not 503) for a configured key that cannot sign, and asks KMS again only after cacheMaxAgeMs', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const events = recordEvents();
    const key = await createKey(admin, 'RSA_2048', 'ENCRYPT_DECRYPT');
    const provider = createKmsKeyProvider({ client, keys: [key.arn], cacheMaxAgeMs: 60_000, nowMs: time.nowMs, timers: time.timers, ...events.hooks });
    kms.resetCallCounts();

    expect(await provider.resolve(key.arn)).toBeUndefined();
    expect(events.log).toEqual([expect.objectContaining({ type: 'keyUntrusted', keyArn: key.arn, reason: 'unusable' })]);
    expect(provider.resolve(key.arn)).toBeUndefined();
    expect(kms.callCount('GetPublicKey')).toBe(1);

    time.advance(60_000);
    await vi.waitFor(() => expect(kms.callCount('GetPublicKey')).toBe(2), { timeout: 5_000, interval: 5 });
    // Settled: the provider armed its next refresh.
    await vi.waitFor(() => expect(time.pending()).toBe(1), { timeout: 5_000, interval: 5 });
    expect(provider.resolve(key.arn)).toBeUndefined();
    // The same verdict again is not a new event.
    expect(events.log.filter((event) => event.type === 'keyUntrusted')).toHaveLength(1);
    provider.close();
  });

  it('treats a key as untrusted when the algorithms option leaves none of its algorithms', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const events = recordEvents();
    const key = await createKey(admin);
    const provider = createKmsKeyProvider({ client, keys: [key.arn], algorithms: ['RS256', 'EdDSA'], nowMs: time.nowMs, timers: time.timers, ...events.hooks });
    expect(await provider.resolve(key.arn)).toBeUndefined();
    expect(events.log).toEqual([expect.objectContaining({ type: 'keyUntrusted', reason: 'unusable', message: expect.stringContaining('no JWS algorithm is left') })]);
    provider.close();
  });

  it('keeps resolving when a hook throws', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const provider = createKmsKeyProvider({
      client,
      keys: [key.arn],
      nowMs: time.nowMs,
      timers: time.timers,
      onKeyFetched: () => {
        throw new Error('a broken hook');
      },
    });
    expect(((await provider.resolve(key.arn)) as TrustedKey).id).toBe(key.arn);
    provider.close();
  });

  it('stops background refreshes on close() and keeps answering cached keys without KMS calls', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const provider = createKmsKeyProvider({ client, keys: [key.arn], cacheMaxAgeMs: 60_000, nowMs: time.nowMs, timers: time.timers });
    await provider.ready();
    const cached = provider.resolve(key.arn);
    expect(time.pending()).toBe(1);
    provider.close();
    expect(time.pending()).toBe(0);
    kms.resetCallCounts();
    time.advance(120_000);
    expect(provider.resolve(key.arn)).toBe(cached);
    expect(isPromise(provider.resolve(key.arn))).toBe(false);
    expect(kms.callCount()).toBe(0);
  });
});

describe('configuration', () => {
  const cases: readonly [string, unknown, RegExp][] = [
    ['no keys at all', {}, /keys is required/],
    ['keys that is not an array', { keys: A_KEY }, /keys must be an array/],
    ['a key reference that is not an ARN, key id or alias', { keys: ['my-key'] }, /keys\[0\] \(my-key\) is not a key ARN/],
    ['the same key twice (ARN and key id)', { keys: [A_KEY, '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9'] }, /lists 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 twice/],
    ['an algorithm no KMS key produces', { keys: [A_KEY], algorithms: ['HS256'] }, /algorithms must be a non-empty array/],
    ['an empty algorithms list', { keys: [A_KEY], algorithms: [] }, /algorithms must be a non-empty array/],
    ['a negative cacheMaxAgeMs', { keys: [A_KEY], cacheMaxAgeMs: -1 }, /cacheMaxAgeMs must be a finite number/],
    ['a zero cacheMaxAgeMs', { keys: [A_KEY], cacheMaxAgeMs: 0 }, /cacheMaxAgeMs must be a finite number of milliseconds >= 1/],
    ['a NaN maxStaleMs', { keys: [A_KEY], maxStaleMs: Number.NaN }, /maxStaleMs must be a finite number/],
    ['an infinite retiredKeyGraceMs', { keys: [A_KEY], retiredKeyGraceMs: Infinity }, /retiredKeyGraceMs must be a finite number/],
    ['a fractional cacheMaxEntries', { keys: [A_KEY], cacheMaxEntries: 1.5 }, /cacheMaxEntries must be an integer >= 1/],
    ['a non-boolean honorKeyState', { keys: [A_KEY], honorKeyState: 'yes' }, /honorKeyState must be a boolean/],
    ['a nowMs that is not a function', { keys: [A_KEY], nowMs: 1 }, /nowMs must be a function/],
    ['timers without clearTimeout', { keys: [A_KEY], timers: { setTimeout: () => 1 } }, /timers must have/],
    ['a client that is not a KMSClient', { keys: [A_KEY], client: {} }, /client must be a KMSClient/],
    ['a hook that is not a function', { keys: [A_KEY], onRotation: 'log' }, /onRotation must be a function/],
    ['a snapshot that is a number', { keys: [A_KEY], snapshot: 5 }, /snapshot must be an object/],
    ['a snapshot of another format', { keys: [A_KEY], snapshot: { version: 2 } }, /snapshot: expected an object with version 1/],
  ];

  it.each(cases)('refuses %s at construction with ERR_CONFIG_INVALID', (_name, options, message) => {
    let error: unknown;
    try {
      createKmsKeyProvider(options as KmsKeyProviderOptions);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', family: 'config', status: 500 });
    expect((error as Error).message).toMatch(/^kms-pubkey-provider: /);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a kid given both in keys and in offlineKeys', async () => {
    const { admin } = env();
    const key = await createKey(admin);
    const der = (await admin.send(new GetPublicKeyCommand({ KeyId: key.arn }))).PublicKey as Uint8Array;
    expect(() => createKmsKeyProvider({ keys: [key.arn], offlineKeys: [{ kid: key.arn, key: der }] })).toThrow(/kid .* is given both in keys and in offlineKeys/);
  });

  it('accepts key ARNs, key ids, alias names and alias ARNs without calling KMS', () => {
    const { kms, client } = env();
    kms.resetCallCounts();
    const provider = createKmsKeyProvider({
      client,
      keys: [A_KEY, 'mrk-1234abcd12ab34cd56ef1234567890ab', 'alias/issuer', 'arn:aws:kms:eu-west-1:111122223333:alias/issuer'],
    });
    provider.close();
    expect(kms.callCount()).toBe(0);
  });
});
