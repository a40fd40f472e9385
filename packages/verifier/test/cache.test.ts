import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  JwtClaimInvalidError,
  JwtExpiredError,
  JwtIssuedInFutureError,
  KmsJwtError,
  JwtLifetimeTooLongError,
  JwtNotYetValidError,
  JwtTooOldError,
  KeySourceUnavailableError,
  KidUntrustedError,
  SignatureInvalidError,
  type VerifiedToken,
  type Verifier,
} from '../src/index.js';
import { KNOWN_TOKEN, type KnownToken } from '../src/verify-now.js';
import { admit, setup, token, trustedKey } from './support/cache.js';
import { AUDIENCE, claims, expectRejection, keyPairFor, KID, NOW } from './support/tokens.js';

// The verified-token cache (its setup, and how a hit is told from a fresh verification: test/support/cache.ts).

describe('verified-token cache', () => {
  for (const [resolverMode, mode] of [
    ['sync', 'sync'],
    ['sync', 'threadpool'],
    ['async', 'sync'],
  ] as const) {
    it(`serves a repeated token from the cache (${resolverMode} resolver, ${mode} signatures)`, async () => {
      const { verifier } = setup({ signatureVerification: mode }, resolverMode);
      const t = token();
      const first = await admit(verifier, t);
      const second = await verifier.verify(t);
      expect(second).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
    });
  }

  it('builds a new result on every call when the cache is off', async () => {
    const { verifier } = setup({ cache: false });
    const t = token();
    const first = await verifier.verify(t);
    const second = await verifier.verify(t);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('freezes cached results deeply, so no caller can change what the next one gets', async () => {
    const { verifier } = setup();
    const result = await verifier.verify(token({ roles: ['reader'], profile: { tier: 'free' } }));
    const roles = result.payload['roles'] as string[];
    expect(() => roles.push('admin')).toThrow(TypeError);
    expect(() => Object.assign(result.payload['profile'] as object, { tier: 'gold' })).toThrow(TypeError);
    expect(() => Object.assign(result.header, { kid: 'other' })).toThrow(TypeError);
    expect((await verifier.verify(token({ roles: ['reader'], profile: { tier: 'free' } }))).payload).toEqual({ ...claims(), roles: ['reader'], profile: { tier: 'free' } });
  });

  it('caches successes only: a token that failed is verified afresh next time', async () => {
    const { verifier, advance } = setup();
    const t = token({ nbf: NOW + 10 });
    await expectRejection(verifier.verify(t), JwtNotYetValidError, 'ERR_JWT_NOT_YET_VALID');
    advance(10);
    const first = await admit(verifier, t);
    expect(await verifier.verify(t)).toBe(first);
  });

  it('does not cache a token rejected by the validate hook', async () => {
    let reject = true;
    const { verifier } = setup({
      validate: () => {
        if (reject) throw new Error('not yet');
      },
    });
    const t = token();
    await expectRejection(verifier.verify(t), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    reject = false;
    const first = await admit(verifier, t);
    expect(await verifier.verify(t)).toBe(first);
  });

  it('re-checks exp on every hit', async () => {
    const { verifier, advance } = setup();
    const t = token({ exp: NOW + 60 });
    await admit(verifier, t);
    advance(60);
    const error = await expectRejection(verifier.verify(t), JwtExpiredError, 'ERR_JWT_EXPIRED');
    expect(error.status).toBe(401);
  });

  it('re-checks the maximum token age on every hit', async () => {
    const { verifier, advance } = setup({ maxTokenAgeSeconds: 60 });
    const t = token({ iat: NOW - 10 });
    const first = await admit(verifier, t);
    advance(50);
    expect(await verifier.verify(t)).toBe(first);
    advance(1);
    await expectRejection(verifier.verify(t), JwtTooOldError, 'ERR_JWT_TOO_OLD');
  });

  it('re-checks maxTokenLifetimeSeconds on every hit: a token without iat is measured from the clock of each call', async () => {
    const { verifier, advance } = setup({ maxTokenLifetimeSeconds: 3600 });
    const t = token({ iat: undefined, exp: NOW + 3000 });
    const first = await admit(verifier, t);
    expect(await verifier.verify(t)).toBe(first);
    // The clock steps back (an NTP correction): the same cached token now has more than the cap left.
    advance(-601);
    await expectRejection(verifier.verify(t), JwtLifetimeTooLongError, 'ERR_JWT_LIFETIME_TOO_LONG');
    advance(1);
    expect(await verifier.verify(t)).toBe(first);
  });

  it('re-checks nbf and iat on every hit: a clock stepped back before them refuses the cached token', async () => {
    const { verifier, advance } = setup({ clockToleranceSeconds: 5 });
    const t = token({ nbf: NOW - 20, iat: NOW - 10 });
    const first = await admit(verifier, t);
    advance(-15);
    expect(await verifier.verify(t)).toBe(first);
    advance(-0.002);
    await expectRejection(verifier.verify(t), JwtIssuedInFutureError, 'ERR_JWT_ISSUED_IN_FUTURE');
    advance(-10);
    await expectRejection(verifier.verify(t), JwtNotYetValidError, 'ERR_JWT_NOT_YET_VALID');
    advance(10.002);
    expect(await verifier.verify(t)).toBe(first);
  });

  it('answers a hit as a fresh verification would, wherever the clock moves (exp, nbf, iat, tolerance, age and lifetime limits)', async () => {
    const offset = fc.option(fc.integer({ min: -400, max: 400 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ exp: fc.integer({ min: 1, max: 400 }), nbf: offset, iat: offset, tolerance: fc.integer({ min: 0, max: 60 }) }),
        fc.record({ maxAge: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }), maxLifetime: fc.option(fc.integer({ min: 1, max: 800 }), { nil: undefined }) }),
        // Moments on and just either side of the limits (picked by index from the token's own), or anywhere.
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 0.001, -0.001, 0.5, -0.5), fc.integer({ min: -500, max: 500 })), { minLength: 1, maxLength: 8 }),
        async (claim, limits, moments) => {
          const { verifier, advance } = setup({
            clockToleranceSeconds: claim.tolerance,
            maxTokenLifetimeSeconds: limits.maxLifetime ?? null,
            ...(limits.maxAge === undefined ? {} : { maxTokenAgeSeconds: limits.maxAge }),
          });
          const nbf = claim.nbf === undefined ? undefined : NOW + claim.nbf;
          const t = token({ exp: NOW + claim.exp, nbf, iat: claim.iat === undefined ? undefined : NOW + claim.iat });
          const outcome = (promise: Promise<unknown>): Promise<string> => promise.then(() => 'verified', (error: unknown) => (error instanceof KmsJwtError ? error.code : 'not ours'));
          const admitted = (await outcome(verifier.verify(t))) === 'verified' && (await outcome(verifier.verify(t))) === 'verified';
          fc.pre(admitted);
          const { exp, nbf: notBefore, iat } = claim;
          const { tolerance, maxAge, maxLifetime } = { ...claim, ...limits };
          const limitsAt = [exp + tolerance, notBefore, iat, maxAge === undefined || iat === undefined ? undefined : iat + tolerance + maxAge, maxLifetime === undefined ? undefined : exp - tolerance - maxLifetime]
            .filter((second): second is number => second !== undefined)
            .flatMap((second) => [second, second - tolerance]);
          let at = 0;
          for (const [index, fraction, anywhere] of moments) {
            const moment = (index % (limitsAt.length + 1) === limitsAt.length ? anywhere : (limitsAt[index % (limitsAt.length + 1)] as number)) + fraction;
            advance(moment - at);
            at = moment;
            // With overrides the cache is neither read nor filled: a fresh verification under the same rules.
            expect(await outcome(verifier.verify(t))).toBe(await outcome(verifier.verify(t, {})));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps an entry no longer than the token exp, even when the tolerance still accepts the token', async () => {
    const { verifier, advance } = setup({ clockToleranceSeconds: 120 });
    const t = token({ exp: NOW + 60 });
    const first = await admit(verifier, t);
    advance(59);
    expect(await verifier.verify(t)).toBe(first);
    advance(1);
    const again = await verifier.verify(t);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('keeps an entry no longer than cache.maxAgeSeconds', async () => {
    const { verifier, advance } = setup({ cache: { maxAgeSeconds: 30 } });
    const t = token();
    const first = await admit(verifier, t);
    advance(29);
    expect(await verifier.verify(t)).toBe(first);
    advance(1);
    expect(await verifier.verify(t)).not.toBe(first);
  });

  for (const resolverMode of ['sync', 'async'] as const) {
    it(`drops an entry when the resolver stops trusting its key (${resolverMode} resolver)`, async () => {
      const { verifier, keys } = setup({}, resolverMode);
      const t = token();
      const first = await admit(verifier, t);
      keys.keys.delete(KID);
      await expectRejection(verifier.verify(t), KidUntrustedError, 'ERR_KID_UNTRUSTED');
      keys.keys.set(KID, trustedKey);
      const again = await admit(verifier, t);
      expect(again).not.toBe(first);
      expect(await verifier.verify(t)).toBe(again);
    });

    it(`does not serve a cached result once the kid names another key (${resolverMode} resolver)`, async () => {
      const { verifier, keys } = setup({}, resolverMode);
      const t = token();
      await admit(verifier, t);
      keys.keys.set(KID, { id: KID, publicKey: keyPairFor('ES256').publicKey, algorithms: ['ES256'] });
      await expectRejection(verifier.verify(t), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    });

    it(`answers 503 on a hit when the key source fails, and drops the entry (${resolverMode} resolver)`, async () => {
      const { verifier, keys } = setup({}, resolverMode);
      const t = token();
      const first = await admit(verifier, t);
      const cause = new Error('KMS unreachable');
      keys.fail(cause);
      const error = await expectRejection(verifier.verify(t), KeySourceUnavailableError, 'ERR_KEY_SOURCE_UNAVAILABLE');
      expect(error.status).toBe(503);
      expect(error.cause).toBe(cause);
      keys.fail(undefined);
      expect(await verifier.verify(t)).not.toBe(first);
    });
  }

  it('asks the resolver once per hit', async () => {
    const { verifier, keys } = setup();
    const t = token();
    await admit(verifier, t);
    const before = keys.calls();
    await verifier.verify(t);
    expect(keys.calls() - before).toBe(1);
  });

  it('runs the validate hook on every hit, so a revoked token stops verifying at once', async () => {
    const revoked = new Set<string>();
    let calls = 0;
    const { verifier } = setup({
      validate: (payload) => {
        calls += 1;
        if (typeof payload.jti === 'string' && revoked.has(payload.jti)) throw new Error('token revoked');
      },
    });
    const t = token({ jti: 'session-1' });
    const first = await admit(verifier, t);
    expect(await verifier.verify(t)).toBe(first);
    expect(calls).toBe(3);
    revoked.add('session-1');
    const error = await expectRejection(verifier.verify(t), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.claim).toBe('validate');
    revoked.delete('session-1');
    expect(await verifier.verify(t)).toBe(first);
  });

  it('runs an async validate hook on every hit', async () => {
    let allow = true;
    const { verifier } = setup({
      validate: async () => {
        await Promise.resolve();
        if (!allow) throw new Error('denied');
      },
    });
    const t = token();
    const first = await admit(verifier, t);
    expect(await verifier.verify(t)).toBe(first);
    allow = false;
    await expectRejection(verifier.verify(t), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
  });

  it('never reads the cache on a call with overrides', async () => {
    const { verifier } = setup();
    const t = token();
    const cached = await admit(verifier, t);
    const overridden = await verifier.verify(t, { audience: AUDIENCE });
    expect(overridden).not.toBe(cached);
    expect(overridden).toEqual(cached);
    // Rules of the call apply, not the verdict cached under the verifier's rules.
    await expectRejection(verifier.verify(t, { audience: 'other-api' }), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    await expectRejection(verifier.verify(t, { maxTokenAgeSeconds: 1 }), JwtTooOldError, 'ERR_JWT_TOO_OLD');
    expect(await verifier.verify(t)).toBe(cached);
  });

  it('never fills the cache on a call with overrides', async () => {
    const { verifier } = setup();
    const t = token({ aud: 'other-api' });
    const overridden = await verifier.verify(t, { audience: 'other-api' });
    expect(await verifier.verify(t, { audience: 'other-api' })).not.toBe(overridden);
    // The verifier's own rules still reject it: nothing was cached for it.
    await expectRejection(verifier.verify(t), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
  });

  it('holds at most cache.maxEntries tokens, evicting the least recently used', async () => {
    const { verifier } = setup({ cache: { maxEntries: 2 } });
    const [a, b, c] = [token({ jti: 'a' }), token({ jti: 'b' }), token({ jti: 'c' })];
    const results = new Map<string, VerifiedToken>();
    for (const t of [a, b]) results.set(t, await admit(verifier, t));
    expect(await verifier.verify(a)).toBe(results.get(a)); // a is now the most recently used
    results.set(c, await admit(verifier, c)); // evicts b
    expect(await verifier.verify(a)).toBe(results.get(a));
    expect(await verifier.verify(c)).toBe(results.get(c));
    const bAgain = await verifier.verify(b); // b was evicted: verified afresh
    expect(bAgain).not.toBe(results.get(b));
    const bCached = await verifier.verify(b); // and admitted again, evicting a (least recently used)
    expect(await verifier.verify(b)).toBe(bCached);
    expect(await verifier.verify(c)).toBe(results.get(c));
    expect(await verifier.verify(a)).not.toBe(results.get(a));
  });

  it('keeps a token in constant use recently used, though most of its hits skip the LRU', async () => {
    const { verifier } = setup({ cache: { maxEntries: 2 } });
    const [a, b, c] = [token({ jti: 'a' }), token({ jti: 'b' }), token({ jti: 'c' })];
    const cachedA = await admit(verifier, a);
    const cachedB = await admit(verifier, b);
    expect(await verifier.verify(a)).toBe(cachedA);
    expect(await verifier.verify(b)).toBe(cachedB); // b is now the most recently used
    for (let i = 0; i < 64; i++) expect(await verifier.verify(a)).toBe(cachedA); // and a again, by its use
    await admit(verifier, c); // evicts b, the least recently used
    expect(await verifier.verify(a)).toBe(cachedA);
    expect(await verifier.verify(b)).not.toBe(cachedB);
  });

  it('admits a token on its second verification, so never-repeated tokens do not fill the cache', async () => {
    const { verifier } = setup();
    const t = token();
    const first = await verifier.verify(t);
    const second = await verifier.verify(t);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    expect(await verifier.verify(t)).toBe(second);
  });

  it('never serves a cached result to another token that ends like it (a reused signature)', async () => {
    const { verifier } = setup();
    const t = token({ scope: 'read' });
    const cached = await admit(verifier, t);
    expect(await verifier.verify(t)).toBe(cached);
    const [header, , signature] = t.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify(claims({ scope: 'read write admin' }))).toString('base64url');
    // Same last characters, so the same cheap mark as the cached token: it must still be verified whole, and fail.
    await expectRejection(verifier.verify(`${header}.${forgedPayload}.${signature}`), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    await expectRejection(verifier.verify(`${header}.${forgedPayload}.${signature}`), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    expect(await verifier.verify(t)).toBe(cached);
  });

  it('vouches for a token it holds verified (for the HTTP layer), and for no other string', async () => {
    const { verifier, keys } = setup();
    const known = (candidate: string): string | undefined => (verifier as Verifier & { [KNOWN_TOKEN]: KnownToken })[KNOWN_TOKEN](candidate);
    const t = token({ jti: 'vouched' });
    await verifier.verify(t);
    expect(known(t)).toBeUndefined();
    await admit(verifier, t);
    expect(known(` ${t}`.slice(1))).toBe(t);
    expect(known(`${t} `)).toBeUndefined();
    expect(known(t.slice(0, -1))).toBeUndefined();
    expect(known('')).toBeUndefined();
    // Its key no longer trusted, the entry is dropped on the next hit, and the token vouched for no more.
    keys.keys.delete(KID);
    await expectRejection(verifier.verify(t), KidUntrustedError, 'ERR_KID_UNTRUSTED');
    expect(known(t)).toBeUndefined();
  });
});
