import { randomUUID } from 'node:crypto';
import { createVerifier, KidUntrustedError } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwksKeyProvider } from '../src/index.js';
import { issuerKey, localTrust, startJwksServer, withKid, type JwksServer } from './jwks-support.js';
import { AUDIENCE, ISSUER, manualTime, useKms } from './support.js';

const env = useKms();
let server: JwksServer;
beforeAll(async () => {
  server = await startJwksServer({ cacheMaxAgeSeconds: 300 });
});
afterAll(() => server.close());

const COOLDOWN = 30_000;

describe('tokens with random unknown kids', () => {
  it('cost at most one JWKS fetch per unknownKidCooldownMs over 10,000 verifications, and none for kids outside the allowlist', async () => {
    const fixture = env();
    const time = manualTime();
    const a = await issuerKey(fixture, time.nowMs);
    server.publish(a.provider);
    const { accountId, region } = localTrust(fixture);
    const provider = createJwksKeyProvider({ url: server.url, trust: [{ accountId, region }], unknownKidCooldownMs: COOLDOWN, nowMs: time.nowMs, timers: time.timers });
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
    await provider.ready();
    const token = await a.signer.sign({ sub: 'user-42' });
    server.resetCounts();

    const outside = [
      () => `arn:aws:kms:${region}:999999999999:key/${randomUUID()}`,
      () => `arn:aws:kms:eu-north-1:${accountId}:key/${randomUUID()}`,
      () => `arn:aws:kms:${region}:${accountId}:alias/${randomUUID()}`,
      () => randomUUID(),
    ];
    const inside = () => `arn:aws:kms:${region}:${accountId}:key/${randomUUID()}`;
    const rejected = new Map<string, number>();
    const verifyAll = async (kids: () => string, count: number, perSecond: number) => {
      for (let i = 0; i < count; i++) {
        if (i > 0 && i % perSecond === 0) time.advance(1_000);
        try {
          await verifier.verify(withKid(token, kids()));
        } catch (error) {
          const code = error instanceof KidUntrustedError ? error.code : String(error);
          rejected.set(code, (rejected.get(code) ?? 0) + 1);
        }
      }
    };

    // 4,000 kids the allowlist refuses, over 100 s: never a fetch.
    let turn = 0;
    await verifyAll(() => (outside[turn++ % outside.length] as () => string)(), 4_000, 40);
    expect(server.hits()).toBe(0);

    // 6,000 allowed ARNs the JWKS does not list, over 100 s more: one fetch per 30 s cooldown.
    await verifyAll(inside, 6_000, 60);
    expect(Object.fromEntries(rejected)).toEqual({ ERR_KID_UNTRUSTED: 10_000 });
    // The allowed kids came from 99 s to 198 s after ready(): fetches at 99 s (the first of them), 129 s,
    // 159 s and 189 s — one per cooldown, each a conditional GET answered 304.
    const span = 99_000;
    expect(Object.fromEntries(server.answered)).toEqual({ 304: Math.floor(span / COOLDOWN) + 1 });
    expect(server.hits()).toBe(4);
    expect((await verifier.verify(token)).key).toBe(a.arn);
    provider.close();
  });

  it('share one fetch: 1,000 concurrent verifications on a cold provider, and 1,000 concurrent unknown allowed kids past the cooldown', async () => {
    const fixture = env();
    const time = manualTime();
    const a = await issuerKey(fixture, time.nowMs);
    server.publish(a.provider);
    const { accountId, region } = localTrust(fixture);
    const provider = createJwksKeyProvider({ url: server.url, trust: [{ accountId, region }], unknownKidCooldownMs: COOLDOWN, nowMs: time.nowMs, timers: time.timers });
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
    const token = await a.signer.sign({ sub: 'user-42' });
    server.resetCounts();

    const results = await Promise.all(Array.from({ length: 1_000 }, () => verifier.verify(token)));
    expect(new Set(results.map((result) => result.key))).toEqual(new Set([a.arn]));
    expect(server.hits()).toBe(1);

    time.advance(COOLDOWN);
    const unknown = await Promise.allSettled(Array.from({ length: 1_000 }, () => verifier.verify(withKid(token, `arn:aws:kms:${region}:${accountId}:key/${randomUUID()}`))));
    expect(unknown.every((outcome) => outcome.status === 'rejected' && outcome.reason instanceof KidUntrustedError)).toBe(true);
    expect(server.hits()).toBe(2);
    provider.close();
  });
});
