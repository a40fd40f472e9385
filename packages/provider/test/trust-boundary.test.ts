import { createVerifier, KidUntrustedError, SignatureInvalidError, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider } from '../src/index.js';
import { AUDIENCE, ISSUER, createAlias, createKey, isPromise, manualTime, rejection, signToken, useKms } from './support.js';

const env = useKms();

describe('the trust boundary', () => {
  it('rejects a token whose kid is another valid key ARN in KMS, with zero KMS calls, cold or warm', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const trusted = await createKey(admin);
    const other = await createKey(admin);
    const alias = await createAlias(admin, trusted.keyId);
    const foreign = await signToken(admin, { keyId: other.arn, kid: other.arn, nowMs: time.nowMs() });

    const cold = createKmsKeyProvider({ client, keys: [trusted.arn], nowMs: time.nowMs, timers: time.timers });
    const coldVerifier = createVerifier({ keys: cold, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
    kms.resetCallCounts();
    expect(cold.resolve(other.arn)).toBeUndefined();
    expect(cold.resolve(other.keyId)).toBeUndefined();
    const error = await rejection(coldVerifier.verify(foreign));
    expect(error).toBeInstanceOf(KidUntrustedError);
    expect(error).toMatchObject({ code: 'ERR_KID_UNTRUSTED', status: 401 });
    expect(kms.callCount()).toBe(0);

    const warm = createKmsKeyProvider({ client, keys: [trusted.arn, alias], nowMs: time.nowMs, timers: time.timers });
    await warm.ready();
    const warmVerifier = createVerifier({ keys: warm, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
    kms.resetCallCounts();
    expect(warm.resolve(other.arn)).toBeUndefined();
    expect(await rejection(warmVerifier.verify(foreign))).toBeInstanceOf(KidUntrustedError);
    expect(kms.callCount()).toBe(0);
    cold.close();
    warm.close();
  });

  it('takes the key from the trusted set only: a token naming the trusted ARN but signed by another key fails its signature', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const trusted = await createKey(admin);
    const other = await createKey(admin);
    const forged = await signToken(admin, { keyId: other.arn, kid: trusted.arn, nowMs: time.nowMs(), forge: true });
    const provider = createKmsKeyProvider({ client, keys: [trusted.arn], nowMs: time.nowMs, timers: time.timers });
    const error = await rejection(createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs }).verify(forged));
    expect(error).toBeInstanceOf(SignatureInvalidError);
    expect(error).toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' });
    provider.close();
  });

  it('maps a trusted key by its ARN and by its key id to the same TrustedKey, and never by an alias', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const byId = await signToken(admin, { keyId: key.arn, kid: key.keyId, nowMs: time.nowMs() });
    const provider = createKmsKeyProvider({ client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers });
    await provider.ready();
    const resolved = provider.resolve(key.arn) as TrustedKey;
    expect(provider.resolve(key.keyId)).toBe(resolved);
    expect(provider.resolve(alias)).toBeUndefined();
    expect((await createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs }).verify(byId)).key).toBe(key.arn);
    provider.close();
  });

  it('learns the ARN of a key configured by key id, then refuses an ARN of another account with that key id without a KMS call', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const lookalike = key.arn.replace(/:\d{12}:/, ':999999999999:');
    const provider = createKmsKeyProvider({ client, keys: [key.keyId], nowMs: time.nowMs, timers: time.timers });
    kms.resetCallCounts();

    // Before the ARN is known, the kid's key id leads to one fetch of our own key (by its configured id).
    const first = provider.resolve(lookalike);
    expect(isPromise(first)).toBe(true);
    expect(await first).toBeUndefined();
    expect(kms.callCount('GetPublicKey')).toBe(1);

    expect(provider.resolve(lookalike)).toBeUndefined();
    expect((provider.resolve(key.arn) as TrustedKey).id).toBe(key.arn);
    expect(provider.resolve(key.keyId)).toBe(provider.resolve(key.arn));
    expect(kms.callCount('GetPublicKey')).toBe(1);
    provider.close();
  });

  it('rejects kids that are not key ARNs or key ids without a KMS call', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const provider = createKmsKeyProvider({ client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers });
    kms.resetCallCounts();
    for (const kid of ['', 'alias/anything', `${key.arn}/extra`, 'https://attacker.example/jwks.json', key.arn.toUpperCase()]) {
      expect(provider.resolve(kid)).toBeUndefined();
    }
    expect(kms.callCount()).toBe(0);
    provider.close();
  });

  it('waits for the configured aliases before answering an unknown kid on a cold start, then answers without KMS calls', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const other = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const provider = createKmsKeyProvider({ client, keys: [alias], nowMs: time.nowMs, timers: time.timers });
    kms.resetCallCounts();

    const first = provider.resolve(other.arn);
    expect(isPromise(first)).toBe(true);
    expect(await first).toBeUndefined();
    // The calls were for the configured alias and its key, never for the kid's key.
    expect(kms.callCount('DescribeKey')).toBe(1);
    expect(kms.callCount('GetPublicKey')).toBe(1);

    kms.resetCallCounts();
    expect(provider.resolve(other.arn)).toBeUndefined();
    expect((provider.resolve(key.arn) as TrustedKey).id).toBe(key.arn);
    expect(kms.callCount()).toBe(0);
    provider.close();
  });
});
