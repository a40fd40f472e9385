import type { JsonWebKey } from 'node:crypto';
import { KeySourceUnavailableError, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { KeyProviderConfigError, type KeyProviderTallies, type PenaltyBoxEvent } from '../src/index.js';
import { JwksRequestError } from '../src/jwks-http.js';
import { jwksRig, keyArn, publicJwk, useJwksServer } from './jwks-rules-support.js';
import { isPromise, manualTime, rejection } from './support.js';

// The remote JWKS document, ready() and the provider's wiring at their edges (remote-jwks.ts,
// jwks-ready-check.ts, create-jwks-key-provider.ts): odd entries, duplicate kids, what is reported
// once, freshness from 200s and 304s, close() during a fetch, the penalty box, the scheduler.

const MAX_AGE = 300_000;
const COOLDOWN = 5_000;

const server = useJwksServer({ cacheMaxAgeSeconds: MAX_AGE / 1000 });

/** Serves exactly this JSON body (status 200), with these headers. */
function serve(body: unknown, headers: Record<string, string> = {}): void {
  server().mode = { kind: 'body', body: JSON.stringify(body), headers };
}

function ignoredEvents(events: ReturnType<typeof jwksRig>['events']): [number, string | undefined, string][] {
  return events.log.flatMap((event) => (event.type === 'ignored' ? [[event.index, event.kid, event.reason] as [number, string | undefined, string]] : []));
}

describe('RemoteJwks: entries of a document', () => {
  it('ignores null and a string among the keys as malformed, and trusts the rest', async () => {
    const { provider, events } = jwksRig(server());
    const arn = keyArn();
    serve({ keys: [null, 'a key', publicJwk(arn)] });
    await provider.ready();
    expect(ignoredEvents(events)).toEqual([
      [0, undefined, 'malformed'],
      [1, undefined, 'malformed'],
    ]);
    expect(provider.resolve(arn)).toBeDefined();
    provider.close();
  });

  it('trusts no entry of a kid listed twice, though only one of them is usable, and says why for each', async () => {
    const { provider, events } = jwksRig(server());
    const [twice, other] = [keyArn(), keyArn()];
    serve({ keys: [publicJwk(twice), { ...publicJwk(twice), use: 'enc' }, publicJwk(other)] });
    await provider.ready();
    expect(ignoredEvents(events)).toEqual([
      [0, twice, 'duplicate-kid'],
      [1, twice, 'not-for-signing'],
    ]);
    expect(events.log.find((event) => event.type === 'ignored')).toMatchObject({ message: 'the JWKS lists this kid 2 times; none of its entries is trusted until the issuer lists it once' });
    expect(provider.resolve(twice)).toBeUndefined();
    provider.close();
  });

  it('reports an ignored entry with a kid once, wherever it moves, and one without a kid by its position', async () => {
    const { provider, events, advance } = jwksRig(server());
    const arn = keyArn();
    const valid = publicJwk(arn);
    const alias = { ...publicJwk('alias/token-issuer') };
    const { kid: _kid, ...noKid } = publicJwk('unused');
    serve({ keys: [valid, noKid, alias] });
    await provider.ready();
    expect(ignoredEvents(events)).toEqual([
      [1, undefined, 'kid-missing'],
      [2, 'alias/token-issuer', 'kid-not-key-arn'],
    ]);
    serve({ keys: [valid, noKid, { ...noKid }, alias] });
    advance(MAX_AGE);
    provider.resolve(arn);
    await events.until(() => events.count('fetched') === 2);
    expect(ignoredEvents(events).slice(2)).toEqual([[2, undefined, 'kid-missing']]);
    provider.close();
  });
});

describe('RemoteJwks: freshness', () => {
  it('keeps an answer fresh for its max-age, or for cacheMaxAgeMs when it has none', async () => {
    const { provider, events, advance, nowMs } = jwksRig(server(), { cacheMaxAgeMs: 200_000 });
    const arn = keyArn();
    serve({ keys: [publicJwk(arn)] }, { 'Cache-Control': 'max-age=120' });
    await provider.ready();
    expect(events.log.at(-1)).toMatchObject({ type: 'fetched', status: 200, freshUntilMs: nowMs() + 120_000 });
    serve({ keys: [publicJwk(arn)] });
    advance(120_000);
    provider.resolve(arn);
    await events.until(() => events.count('fetched') === 2);
    expect(events.log.at(-1)).toMatchObject({ type: 'fetched', status: 200, freshUntilMs: nowMs() + 200_000 });
    provider.close();
  });

  it('starts a new freshness at a 304: its own max-age, or the last one when it has none', async () => {
    const { provider, events, advance, nowMs } = jwksRig(server());
    const arn = keyArn();
    serve({ keys: [publicJwk(arn)] }, { ETag: '"v1"', 'Cache-Control': 'max-age=600' });
    await provider.ready();
    expect(events.log.at(-1)).toMatchObject({ status: 200, freshUntilMs: nowMs() + 600_000 });
    server().mode = { kind: 'status', status: 304, headers: { ETag: '"v1"', 'Cache-Control': 'max-age=120' } };
    advance(600_000);
    provider.resolve(arn);
    await events.until(() => events.count('fetched') === 2);
    expect(events.log.at(-1)).toMatchObject({ status: 304, keyArns: [arn], freshUntilMs: nowMs() + 120_000 });
    server().mode = { kind: 'status', status: 304, headers: { ETag: '"v1"' } };
    advance(120_000);
    provider.resolve(arn);
    await events.until(() => events.count('fetched') === 3);
    expect(events.log.at(-1)).toMatchObject({ status: 304, freshUntilMs: nowMs() + 120_000 });
    provider.close();
  });
});

describe('RemoteJwks: close() during a fetch', () => {
  it('reports no failed fetch, and a cold resolve answers 503 saying the provider is closed', async () => {
    const { provider, events } = jwksRig(server());
    server().mode = { kind: 'hang' };
    const pending = provider.resolve(keyArn());
    expect(isPromise(pending)).toBe(true);
    provider.close();
    const error = await rejection(pending as Promise<unknown>);
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect((error as Error).message).toContain('(the provider is closed)');
    expect(events.count('fetchFailed')).toBe(0);
  });

  it('makes ready() reject saying it was interrupted by close(), not that the JWKS lists no key', async () => {
    const { provider, events } = jwksRig(server());
    server().mode = { kind: 'hang' };
    const ready = provider.ready();
    provider.close();
    const error = await rejection(ready);
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    expect((error as Error).message).toBe('kms-pubkey-provider: ready() was interrupted by close(): the provider is closed');
    expect(events.count('fetchFailed')).toBe(0);
  });

  it('throws at once for a cold kid after close(), without starting a fetch', () => {
    const { provider } = jwksRig(server());
    provider.close();
    expect(() => provider.resolve(keyArn())).toThrow(KeySourceUnavailableError);
  });
});

describe('RemoteJwks: unknown kids', () => {
  it('joins a fetch in flight for an allowed kid the document at hand does not list', async () => {
    const { provider, events, advance, publish } = jwksRig(server());
    const [listed, added] = [keyArn(), keyArn()];
    const listedJwk = publicJwk(listed);
    publish(listedJwk);
    await provider.ready();
    publish(listedJwk, publicJwk(added));
    advance(MAX_AGE);
    expect(isPromise(provider.resolve(listed))).toBe(false);
    const joined = provider.resolve(added);
    expect(isPromise(joined)).toBe(true);
    expect(((await joined) as TrustedKey).id).toBe(added);
    expect(events.count('fetched')).toBe(2);
    provider.close();
  });

  it('does not fetch for an unknown kid while the JWKS is in the penalty box', async () => {
    const { fetches, provider, events, publish } = jwksRig(server(), { unknownKidCooldownMs: 0, failureCooldownMs: 60_000 });
    publish(publicJwk(keyArn()));
    await provider.ready();
    server().mode = { kind: 'status', status: 500 };
    expect(await provider.resolve(keyArn())).toBeUndefined();
    expect(events.count('fetchFailed')).toBe(1);
    expect(provider.resolve(keyArn())).toBeUndefined();
    expect(fetches()).toBe(2);
    provider.close();
  });
});

describe('RemoteJwks and the scheduler', () => {
  function scheduled(options: Parameters<typeof jwksRig>[1] = {}) {
    const time = manualTime();
    return { time, ...jwksRig(server(), { nowMs: time.nowMs, timers: time.timers, failureCooldownMs: COOLDOWN, ...options }) };
  }

  it('retries a cold JWKS that failed once failureCooldownMs has passed', async () => {
    const { fetches, time, provider, events, publish } = scheduled();
    server().mode = { kind: 'status', status: 500 };
    expect(await rejection(provider.ready())).toBeInstanceOf(KeySourceUnavailableError);
    server().mode = { kind: 'jwks' };
    publish(publicJwk(keyArn()));
    time.advance(COOLDOWN);
    await events.until((event) => event.type === 'fetched');
    expect(fetches()).toBe(2);
    provider.close();
  });

  it('fetches nothing at the end of a grace window, only when the JWKS is due; a key listed again after it is a new TrustedKey', async () => {
    const { fetches, time, provider, events, publish } = scheduled({ retiredKeyGraceMs: 10_000 });
    const [kept, withdrawn] = [publicJwk(keyArn()), publicJwk(keyArn())];
    publish(kept, withdrawn);
    await provider.ready();
    const before = provider.resolve(withdrawn.kid as string);
    publish(kept);
    time.advance(MAX_AGE);
    await events.until((event) => event.type === 'fetched' && event.withdrawn.length === 1);
    time.advance(10_000);
    expect(events.log.filter((event) => event.type === 'untrusted')).toEqual([expect.objectContaining({ keyArn: withdrawn.kid, reason: 'grace-ended' })]);
    // No fetch in flight: an allowed kid the document does not list (within unknownKidCooldownMs) has none to join.
    expect(provider.resolve(keyArn())).toBeUndefined();
    expect(fetches()).toBe(2);
    publish(kept, withdrawn);
    time.advance(MAX_AGE - 10_000);
    await events.until(() => events.count('fetched') === 3);
    const after = provider.resolve(withdrawn.kid as string);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    provider.close();
  });

  it('close() leaves no timer armed', async () => {
    const { time, provider, publish } = scheduled();
    publish(publicJwk(keyArn()));
    await provider.ready();
    expect(time.pending()).toBe(1);
    provider.close();
    expect(time.pending()).toBe(0);
  });
});

describe('ready() over a remote JWKS', () => {
  it('refuses after close()', async () => {
    const { provider } = jwksRig(server());
    provider.close();
    const error = await rejection(provider.ready());
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    expect((error as Error).message).toBe('kms-pubkey-provider: ready() was called after close()');
  });

  it('fetches once while the answer is fresh', async () => {
    const { fetches, provider, publish } = jwksRig(server());
    publish(publicJwk(keyArn()));
    await provider.ready();
    await provider.ready();
    await provider.hydrate();
    expect(fetches()).toBe(1);
    provider.close();
  });

  it('says what failed, with the failure as cause, and asks again at once when called again, penalty box or not', async () => {
    const { fetches, provider, publish } = jwksRig(server(), { failureCooldownMs: 60_000 });
    server().mode = { kind: 'status', status: 500 };
    const error = await rejection(provider.ready());
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect((error as Error).message).toBe(`kms-pubkey-provider: ready(): the JWKS at ${server().url} answered HTTP 500; check the url, and that the issuer serves its JWKS there`);
    expect((error as Error).cause).toBeInstanceOf(JwksRequestError);
    server().mode = { kind: 'jwks' };
    publish(publicJwk(keyArn()));
    await provider.ready();
    expect(fetches()).toBe(2);
    provider.close();
  });

  it('asks again after a failed fetch, though the document at hand is fresh', async () => {
    const { fetches, provider, events, publish } = jwksRig(server(), { unknownKidCooldownMs: 0 });
    publish(publicJwk(keyArn()));
    await provider.ready();
    server().mode = { kind: 'status', status: 500 };
    await provider.resolve(keyArn());
    expect(events.count('fetchFailed')).toBe(1);
    server().mode = { kind: 'jwks' };
    await provider.ready();
    expect(fetches()).toBe(3);
    provider.close();
  });

  const noKey = (listing: string) =>
    `kms-pubkey-provider: ready(): the JWKS at ${server().url} lists no key that keyArns and trust allow${listing}; check keyArns and trust, and that the issuer publishes its KMS key ARNs as kid`;

  it('names at most five ignored entries, and how many more', async () => {
    const { provider } = jwksRig(server());
    const { kid: _kid, ...noKid } = publicJwk('unused');
    const outside: JsonWebKey[] = Array.from({ length: 6 }, (_, index) => publicJwk(`arn:aws:kms:us-east-1:999999999999:key/0f0f0f0f-0000-4000-8000-00000000000${index}`));
    serve({ keys: [noKid, ...outside] });
    const error = await rejection(provider.ready());
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    const named = outside.slice(0, 4).map((jwk) => `${jwk.kid as string} (not-allowlisted)`);
    expect((error as Error).message).toBe(noKey(`; it lists an entry without kid (kid-missing), ${named.join(', ')}, and 2 more`));
    provider.close();
  });

  it('names exactly five ignored entries without "more"', async () => {
    const { provider } = jwksRig(server());
    const outside: JsonWebKey[] = Array.from({ length: 5 }, (_, index) => publicJwk(`alias/issuer-${index}`));
    serve({ keys: outside });
    const error = await rejection(provider.ready());
    expect((error as Error).message).toBe(noKey(`; it lists ${outside.map((jwk) => `${jwk.kid as string} (kid-not-key-arn)`).join(', ')}`));
    provider.close();
  });

  it('says when the JWKS lists no key at all', async () => {
    const { provider } = jwksRig(server());
    serve({ keys: [] });
    const error = await rejection(provider.ready());
    expect((error as Error).message).toBe(noKey(' (it lists no key at all)'));
    provider.close();
  });
});

describe('createJwksKeyProvider: telemetry and exportJwks', () => {
  it('tells telemetry of the penalty box and counts the trusted keys', async () => {
    const boxed: PenaltyBoxEvent[] = [];
    let tallies: KeyProviderTallies | undefined;
    const { provider, publish } = jwksRig(server(), {
      telemetry: { onPenaltyBox: (event) => boxed.push(event), register: (given) => ((tallies = given), () => undefined) },
    });
    server().mode = { kind: 'status', status: 500 };
    await rejection(provider.ready());
    expect(boxed).toEqual([{ operation: 'JwksFetch' }]);
    server().mode = { kind: 'jwks' };
    publish(publicJwk(keyArn()), publicJwk(keyArn()));
    await provider.ready();
    expect(tallies?.trustedKeys()).toBe(2);
    provider.close();
  });

  it('exports only the keys it would answer: none whose grace ended, none past maxStaleMs', async () => {
    const { provider, events, advance, publish } = jwksRig(server(), { retiredKeyGraceMs: 10_000, maxStaleMs: 60_000 });
    const [kept, withdrawn] = [publicJwk(keyArn()), publicJwk(keyArn())];
    publish(kept, withdrawn);
    await provider.ready();
    publish(kept);
    advance(MAX_AGE);
    provider.resolve(kept.kid as string);
    await events.until(() => events.count('fetched') === 2);
    expect(provider.exportJwks().keys.map((jwk) => jwk.kid).sort()).toEqual([kept.kid, withdrawn.kid].sort());
    advance(10_000);
    expect(provider.exportJwks().keys.map((jwk) => jwk.kid)).toEqual([kept.kid]);
    server().mode = { kind: 'status', status: 500 };
    advance(MAX_AGE + 60_000);
    expect(provider.exportJwks().keys).toEqual([]);
    provider.close();
  });
});
