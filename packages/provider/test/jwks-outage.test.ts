import { randomUUID } from 'node:crypto';
import { createVerifier, KeySourceUnavailableError, KidUntrustedError } from 'kms-jwt-verifier';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJwksKeyProvider, type JwksKeyProviderOptions } from '../src/index.js';
import { issuerKey, recordJwksEvents, startJwksServer, withKid, type JwksServer } from './jwks-support.js';
import { AUDIENCE, ISSUER, manualTime, rejection, useKms } from './support.js';

const env = useKms();
let server: JwksServer;
beforeAll(async () => {
  server = await startJwksServer({ cacheMaxAgeSeconds: 300 });
});
afterAll(() => server.close());
beforeEach(async () => {
  await server.start();
  server.mode = { kind: 'jwks' };
  server.resetCounts();
});

const MAX_AGE = 300_000;
const MAX_STALE = 60_000;
const COOLDOWN = 5_000;

async function setup(options: Partial<JwksKeyProviderOptions> = {}) {
  const fixture = env();
  const time = manualTime();
  const events = recordJwksEvents();
  const a = await issuerKey(fixture, time.nowMs);
  server.publish(a.provider);
  // Allowed, but not in the JWKS.
  const spare = `arn:aws:kms:${fixture.kms.region}:${fixture.kms.accountId}:key/${randomUUID()}`;
  const provider = createJwksKeyProvider({
    url: server.url,
    keyArns: [a.arn, spare],
    maxStaleMs: MAX_STALE,
    failureCooldownMs: COOLDOWN,
    nowMs: time.nowMs,
    timers: time.timers,
    ...events.hooks,
    ...options,
  });
  const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
  const token = await a.signer.sign({ sub: 'user-42' });
  return { fixture, time, events, a, spare, provider, verifier, token };
}

const OUTAGES = [
  { name: 'answers HTTP 500', reason: 'http-status', httpStatus: 500, begin: () => void (server.mode = { kind: 'status', status: 500 }) },
  { name: 'is stopped (connection refused)', reason: 'network', httpStatus: undefined, begin: () => server.stop() },
] as const;

describe('a remote JWKS outage', () => {
  it.each(OUTAGES)('keeps verifying from the JWKS at hand while the server $name, until maxStaleMs past its max-age, then answers ERR_KEY_SOURCE_UNAVAILABLE (503); it recovers when the server does', async (outage) => {
    const { time, events, a, spare, provider, verifier, token } = await setup();
    await provider.ready();
    const freshUntil = time.nowMs() + MAX_AGE;
    const key = provider.resolve(a.arn);
    await outage.begin();

    time.advance(MAX_AGE);
    const failed = await events.until((event) => event.type === 'fetchFailed');
    expect(failed).toMatchObject({ type: 'fetchFailed', url: server.url, reason: outage.reason, httpStatus: outage.httpStatus, servingStaleUntilMs: freshUntil + MAX_STALE });
    expect((await verifier.verify(token)).key).toBe(a.arn);
    expect(provider.resolve(a.arn)).toBe(key);

    time.advance(MAX_STALE - 1);
    expect((await verifier.verify(token)).key).toBe(a.arn);
    // While the JWKS at hand is usable, an allowed kid it does not list is untrusted (401).
    expect(await rejection(verifier.verify(withKid(token, spare)))).toBeInstanceOf(KidUntrustedError);

    time.advance(1);
    const error = await rejection(verifier.verify(token));
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect(error).toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE', status: 503 });
    expect((error as Error).message).toContain(server.url);
    expect(provider.exportJwks().keys).toEqual([]);
    // Past the bound, whether the JWKS lists an allowed kid is not known: 503, not 401.
    expect(await rejection(verifier.verify(withKid(token, spare)))).toBeInstanceOf(KeySourceUnavailableError);

    await server.start();
    server.mode = { kind: 'jwks' };
    time.advance(COOLDOWN);
    expect((await verifier.verify(token)).key).toBe(a.arn);
    expect(provider.resolve(a.arn)).toBe(key);
    provider.close();
  });

  it('answers ERR_KEY_SOURCE_UNAVAILABLE for a cold start while the JWKS is down, and asks it at most once per failureCooldownMs', async () => {
    const { time, events, provider, verifier, token } = await setup();
    server.mode = { kind: 'status', status: 503 };

    const ready = await rejection(provider.ready());
    expect(ready).toBeInstanceOf(KeySourceUnavailableError);
    expect((ready as Error).message).toBe(`kms-pubkey-provider: ready(): the JWKS at ${server.url} answered HTTP 503; check the url, and that the issuer serves its JWKS there`);
    expect(events.log).toEqual([expect.objectContaining({ type: 'fetchFailed', reason: 'http-status', httpStatus: 503, servingStaleUntilMs: undefined })]);

    for (let i = 0; i < 100; i++) expect(await rejection(verifier.verify(token))).toBeInstanceOf(KeySourceUnavailableError);
    expect(server.hits()).toBe(1);

    time.advance(COOLDOWN);
    expect(await rejection(verifier.verify(token))).toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE', status: 503 });
    expect(server.hits()).toBe(2);

    server.mode = { kind: 'jwks' };
    time.advance(COOLDOWN);
    await provider.ready();
    expect(await verifier.verify(token)).toMatchObject({ payload: { sub: 'user-42' } });
    provider.close();
  });

  it('cuts a request off at requestTimeoutMs', async () => {
    const { events, provider } = await setup({ requestTimeoutMs: 100 });
    server.mode = { kind: 'hang' };
    const error = await rejection(provider.ready());
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect((error as Error).message).toContain('did not answer within requestTimeoutMs (100 ms)');
    expect(events.log).toEqual([expect.objectContaining({ type: 'fetchFailed', reason: 'timeout' })]);
    provider.close();
  });

  it('answers the keys at hand after close() without fetching, and a cold one with ERR_KEY_SOURCE_UNAVAILABLE', async () => {
    const warm = await setup();
    await warm.provider.ready();
    warm.provider.close();
    warm.time.advance(MAX_AGE);
    expect((await warm.verifier.verify(warm.token)).key).toBe(warm.a.arn);
    expect(server.hits()).toBe(1);

    const cold = await setup();
    cold.provider.close();
    const error = await rejection(cold.verifier.verify(cold.token));
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect((error as Error).message).toContain('the provider is closed');
    expect(await rejection(cold.provider.ready())).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    expect(server.hits()).toBe(1);
  });
});
