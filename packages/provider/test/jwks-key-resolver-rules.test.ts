import { KeySourceUnavailableError } from 'kms-jwt-verifier';
import { beforeEach, describe, expect, it } from 'vitest';
import type { KeyProviderTallies } from '../src/index.js';
import type { JwksServer } from './jwks-support.js';
import { jwksRig, keyArn, publicJwk, useJwksServer } from './jwks-rules-support.js';
import { isPromise, rejection } from './support.js';

// resolve() over a remote JWKS at its edges (jwks-key-resolver.ts), with timers that never fire, so
// that every fetch is one resolve() started: the end of grace before any background prune, the
// background refresh of a stale document, the penalty box, and maxStaleMs while the JWKS fails.

const MAX_AGE = 300_000;
const COOLDOWN = 5_000;
const MAX_STALE = 60_000;

const jwksServer = useJwksServer({ cacheMaxAgeSeconds: MAX_AGE / 1000 });
let server: JwksServer;
beforeEach(() => {
  server = jwksServer();
});

/** A provider that listed one key (ready), with telemetry's tallies at hand. */
async function listed(options: Parameters<typeof jwksRig>[1] = {}) {
  let tallies: KeyProviderTallies | undefined;
  const rig = jwksRig(server, { failureCooldownMs: COOLDOWN, maxStaleMs: MAX_STALE, telemetry: { register: (given) => ((tallies = given), () => undefined) }, ...options });
  const arn = keyArn();
  rig.publish(publicJwk(arn));
  await rig.provider.ready();
  const counts = () => (tallies as KeyProviderTallies).resolutions;
  return { ...rig, arn, counts, tallies: () => tallies as KeyProviderTallies };
}

describe('JwksKeyResolver: keys the JWKS withdrew', () => {
  it('answers nothing for a withdrawn key once its grace ended, though no prune ran yet, and reports it untrusted then', async () => {
    const { provider, events, advance, publish, arn } = await listed({ retiredKeyGraceMs: 10_000 });
    const other = keyArn();
    publish(publicJwk(other));
    advance(MAX_AGE);
    expect(provider.resolve(other)).toBeInstanceOf(Promise);
    await events.until((event) => event.type === 'fetched' && event.withdrawn.length === 1);
    expect(provider.resolve(arn)).toBeDefined();
    advance(10_000);
    expect(events.count('untrusted')).toBe(0);
    expect(provider.resolve(arn)).toBeUndefined();
    expect(events.log.filter((event) => event.type === 'untrusted')).toEqual([expect.objectContaining({ keyArn: arn, reason: 'grace-ended' })]);
    provider.close();
  });
});

describe('JwksKeyResolver: a stale document', () => {
  it('answers a listed key at once while fresh without fetching, and fetches in the background once it is stale', async () => {
    const { fetches, provider, events, advance, arn } = await listed();
    const key = provider.resolve(arn);
    expect(isPromise(key)).toBe(false);
    advance(MAX_AGE - 1);
    expect(provider.resolve(arn)).toBe(key);
    expect(fetches()).toBe(1);
    advance(1);
    expect(provider.resolve(arn)).toBe(key);
    await events.until(() => events.count('fetched') === 2);
    expect(fetches()).toBe(2);
    provider.close();
  });

  it('while the JWKS fails, a stale key is answered and the JWKS asked again only after failureCooldownMs; each such answer is tallied', async () => {
    const { fetches, provider, events, advance, arn, tallies, counts } = await listed();
    server.mode = { kind: 'status', status: 500 };
    advance(MAX_AGE);
    const key = provider.resolve(arn);
    expect(isPromise(key)).toBe(false);
    await events.until((event) => event.type === 'fetchFailed');
    expect(tallies().staleServed).toBe(0);
    advance(COOLDOWN - 1);
    expect(provider.resolve(arn)).toBe(key);
    expect(provider.resolve(arn)).toBe(key);
    expect(tallies().staleServed).toBe(2);
    // No fetch in flight: an allowed kid the document does not list (within unknownKidCooldownMs) has none to join.
    expect(provider.resolve(keyArn())).toBeUndefined();
    expect(fetches()).toBe(2);
    advance(1);
    expect(provider.resolve(arn)).toBe(key);
    await events.until(() => events.count('fetchFailed') === 2);
    expect(fetches()).toBe(3);
    expect(counts().cache).toEqual({ found: 4, 'not-found': 1, unavailable: 0 });
    provider.close();
  });
});

describe('JwksKeyResolver: past maxStaleMs', () => {
  it('answers 503 once the JWKS at hand is maxStaleMs past its freshness and the fetch fails, then throws at once within the cooldown', async () => {
    const { fetches, provider, events, advance, arn, counts } = await listed();
    server.mode = { kind: 'status', status: 500 };
    advance(MAX_AGE + MAX_STALE);
    const first = provider.resolve(arn);
    expect(isPromise(first)).toBe(true);
    const error = await rejection(first as Promise<unknown>);
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect(events.log.find((event) => event.type === 'fetchFailed')).toMatchObject({ servingStaleUntilMs: undefined });
    expect(fetches()).toBe(2);

    // In the penalty box: no fetch, a synchronous throw naming the URL and the failure.
    let thrown: unknown;
    try {
      provider.resolve(arn);
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(KeySourceUnavailableError);
    expect((thrown as Error).message).toBe(
      `kms-pubkey-provider: cannot fetch the JWKS at ${server.url} and no usable key is cached (the JWKS at ${server.url} answered HTTP 500; check the url, and that the issuer serves its JWKS there); retry later`,
    );
    expect(fetches()).toBe(2);
    expect(counts().jwks).toEqual({ found: 0, 'not-found': 0, unavailable: 2 });

    // After the cooldown the fetch is tried again, and failing again still answers 503, not the old key.
    advance(COOLDOWN);
    expect(await rejection(provider.resolve(arn) as Promise<unknown>)).toBeInstanceOf(KeySourceUnavailableError);
    expect(fetches()).toBe(3);
    provider.close();
  });
});

describe('JwksKeyResolver: the 503 message', () => {
  it('names the problem of the document, without the package name twice', async () => {
    const { provider, advance, arn } = await listed();
    server.mode = { kind: 'body', body: 'oops' };
    advance(MAX_AGE + MAX_STALE);
    const error = await rejection(provider.resolve(arn) as Promise<unknown>);
    expect((error as Error).message).toBe(
      `kms-pubkey-provider: cannot fetch the JWKS at ${server.url} and no usable key is cached (the JWKS at ${server.url} answered a body that is not UTF-8 JSON; check the url, and that the issuer serves its JWKS there); retry later`,
    );
    provider.close();
  });
});

describe('JwksKeyResolver: a JWKS out of date by the time its answer is read', () => {
  it('answers 503 saying the JWKS is too old, not that no answer came, when the clock jumps past maxStaleMs during the fetch', async () => {
    let jump = (): void => undefined;
    const rig = jwksRig(server, { failureCooldownMs: COOLDOWN, maxStaleMs: MAX_STALE, onJwksFetched: () => jump() });
    jump = () => rig.advance(MAX_AGE + MAX_STALE);
    const arn = keyArn();
    rig.publish(publicJwk(arn));
    const error = await rejection(rig.provider.resolve(arn) as Promise<unknown>);
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect((error as Error).message).toBe(
      `kms-pubkey-provider: the JWKS fetched from ${server.url} is too old to use (older than its cache lifetime + maxStaleMs by nowMs, and no newer one has been fetched since); retry later`,
    );
    expect((error as Error).cause).toBeUndefined();
    rig.provider.close();
  });
});

describe('JwksKeyResolver: kids that are not strings', () => {
  it('answers nothing, without a fetch, for a kid that only turns into an allowed key ARN as a string', async () => {
    const { fetches, provider, advance, arn } = await listed();
    advance(MAX_AGE + 1);
    const kid = { toString: (): string => arn };
    expect(provider.resolve(kid as unknown as string)).toBeUndefined();
    expect(fetches()).toBe(1);
    provider.close();
  });
});
