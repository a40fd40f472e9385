import { createVerifier, KidUntrustedError } from 'kms-jwt-verifier';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJwksKeyProvider, type JwksKeyProviderOptions } from '../src/index.js';
import { issuerKey, localTrust, recordJwksEvents, startJwksServer, type JwksServer } from './jwks-support.js';
import { AUDIENCE, ISSUER, isPromise, manualTime, rejection, useKms } from './support.js';

const env = useKms();
let server: JwksServer;
beforeAll(async () => {
  server = await startJwksServer({ cacheMaxAgeSeconds: 300 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.mode = { kind: 'jwks' };
  server.resetCounts();
});

const MAX_AGE = 300_000;
const GRACE = 10 * 60_000;
const COOLDOWN = 30_000;

async function setup(options: Partial<JwksKeyProviderOptions> = {}) {
  const fixture = env();
  const time = manualTime();
  const events = recordJwksEvents();
  const a = await issuerKey(fixture, time.nowMs);
  const b = await issuerKey(fixture, time.nowMs);
  server.publish(a.provider);
  const provider = createJwksKeyProvider({
    url: server.url,
    trust: [localTrust(fixture)],
    retiredKeyGraceMs: GRACE,
    unknownKidCooldownMs: COOLDOWN,
    nowMs: time.nowMs,
    timers: time.timers,
    ...events.hooks,
    ...options,
  });
  const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
  /** Waits until the provider has seen `count` answers from the JWKS in all. */
  const fetched = (count: number) => events.until(() => events.count('fetched') >= count);
  return { fixture, time, events, a, b, provider, verifier, fetched };
}

describe('a remote JWKS served by kms-jwt-express', () => {
  it('verifies tokens of the listed keys synchronously from one fetch, the same TrustedKey each time', async () => {
    const { a, provider, verifier, events } = await setup();
    await provider.ready();
    expect(events.log).toEqual([{ type: 'fetched', url: server.url, status: 200, keyArns: [a.arn], withdrawn: [], freshUntilMs: expect.any(Number) }]);

    const token = await a.signer.sign({ sub: 'user-42' });
    expect((await verifier.verify(token)).key).toBe(a.arn);
    const key = provider.resolve(a.arn);
    expect(isPromise(key)).toBe(false);
    expect(key).toMatchObject({ id: a.arn, algorithms: ['ES256'] });
    expect(provider.resolve(a.arn)).toBe(key);
    expect(provider.exportJwks()).toEqual(a.provider.exportJwks());
    expect(server.hits()).toBe(1);
    provider.close();
  });

  it('trusts a key added to the JWKS at the first token naming it, once the unknown-kid cooldown allows a fetch', async () => {
    const { time, a, b, provider, verifier } = await setup();
    await provider.ready();
    server.publish(a.provider, b.provider);
    const tokenB = await b.signer.sign({ sub: 'user-42' });

    // Within the cooldown after the last fetch, an unlisted kid is untrusted without a fetch.
    expect(await rejection(verifier.verify(tokenB))).toBeInstanceOf(KidUntrustedError);
    expect(server.hits()).toBe(1);

    time.advance(COOLDOWN);
    expect((await verifier.verify(tokenB)).key).toBe(b.arn);
    expect(server.answered.get(200)).toBe(2);
    expect(provider.exportJwks().keys.map((jwk) => jwk.kid).sort()).toEqual([a.arn, b.arn].sort());
    provider.close();
  });

  it('keeps trusting a key the JWKS stopped listing until retiredKeyGraceMs has passed, then rejects its tokens; a key listed again is trusted again', async () => {
    const { time, events, a, b, provider, verifier, fetched } = await setup();
    await provider.ready();
    const tokenA = await a.signer.sign({ sub: 'user-42' });
    expect((await verifier.verify(tokenA)).key).toBe(a.arn);
    const keyA = provider.resolve(a.arn);

    server.publish(b.provider);
    time.advance(MAX_AGE);
    await fetched(2);
    const withdrawnAt = time.nowMs();
    expect(events.log.at(-1)).toEqual({ type: 'fetched', url: server.url, status: 200, keyArns: [b.arn], withdrawn: [{ keyArn: a.arn, graceUntilMs: withdrawnAt + GRACE }], freshUntilMs: withdrawnAt + MAX_AGE });

    time.advance(GRACE - 1);
    await fetched(3); // the background revalidation when max-age ran out on the way
    expect((await verifier.verify(tokenA)).key).toBe(a.arn);
    expect(provider.resolve(a.arn)).toBe(keyA);

    time.advance(1);
    expect(events.log).toContainEqual(expect.objectContaining({ type: 'untrusted', keyArn: a.arn, reason: 'grace-ended' }));
    const error = await rejection(verifier.verify(tokenA));
    expect(error).toBeInstanceOf(KidUntrustedError);
    expect(error).toMatchObject({ code: 'ERR_KID_UNTRUSTED', status: 401 });
    expect(provider.exportJwks().keys.map((jwk) => jwk.kid)).toEqual([b.arn]);

    // The issuer lists A again. The rejected token above already fetched the JWKS for its kid (an
    // allowed ARN no longer listed); once the cooldown has passed, the next one fetches again and A is trusted again.
    server.publish(a.provider, b.provider);
    expect(await rejection(verifier.verify(tokenA))).toBeInstanceOf(KidUntrustedError);
    time.advance(COOLDOWN);
    const hits = server.hits();
    expect((await verifier.verify(tokenA)).key).toBe(a.arn);
    expect(server.hits()).toBe(hits + 1);
    provider.close();
  });

  it('revalidates with If-None-Match when max-age runs out: a 304 keeps the keys and starts a new max-age; a changed JWKS answers 200', async () => {
    const { time, events, a, b, provider, fetched } = await setup();
    await provider.ready();
    const keyA = provider.resolve(a.arn);

    time.advance(MAX_AGE);
    await fetched(2);
    expect(events.log.at(-1)).toEqual({ type: 'fetched', url: server.url, status: 304, keyArns: [a.arn], withdrawn: [], freshUntilMs: time.nowMs() + MAX_AGE });
    expect(provider.resolve(a.arn)).toBe(keyA);

    // No fetch while the 304 keeps the JWKS fresh.
    time.advance(MAX_AGE - 1);
    expect(server.hits()).toBe(2);
    time.advance(1);
    await fetched(3);

    server.publish(a.provider, b.provider);
    time.advance(MAX_AGE);
    await fetched(4);
    expect(events.log.at(-1)).toMatchObject({ status: 200, keyArns: [a.arn, b.arn] });
    expect(provider.resolve(a.arn)).toBe(keyA);
    expect(Object.fromEntries(server.answered)).toEqual({ 200: 2, 304: 2 });
    provider.close();
  });

  it('bounds the max-age it trusts: maxCacheMaxAgeMs caps a long one, minCacheMaxAgeMs raises a short one', async () => {
    const long = await setup({ maxCacheMaxAgeMs: 120_000 });
    await long.provider.ready();
    expect(long.events.log.at(-1)).toMatchObject({ freshUntilMs: long.time.nowMs() + 120_000 });
    long.provider.close();

    const short = await setup({ minCacheMaxAgeMs: 600_000, maxCacheMaxAgeMs: 900_000 });
    await short.provider.ready();
    expect(short.events.log.at(-1)).toMatchObject({ freshUntilMs: short.time.nowMs() + 600_000 });
    short.provider.close();
  });
});
