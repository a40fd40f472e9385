import type { KeyResolver, TrustedKey, VerifiedToken, Verifier, VerifierOptions } from '../../src/index.js';
import { createVerifier } from '../../src/index.js';
import { AUDIENCE, claims, ISSUER, keyPairFor, KID, NOW, signToken } from './tokens.js';

/**
 * The verified-token cache's test setup: a hit returns the very same frozen result object, so
 * identity (`toBe`) tells a hit from a fresh verification, which always builds a new result. A token
 * is admitted on its second successful verification (the first only marks it as seen).
 */

export const ec = keyPairFor('ES256');
export const trustedKey: TrustedKey = Object.freeze({ id: KID, publicKey: ec.publicKey, algorithms: ['ES256'] as const });
export const token = (extra: Record<string, unknown> = {}): string => signToken('ES256', ec.privateKey, claims(extra));

/** A resolver whose trusted keys the test changes, counting calls; `async` answers with promises. */
export function mutableResolver(mode: 'sync' | 'async' = 'sync'): {
  resolver: KeyResolver;
  keys: Map<string, TrustedKey>;
  calls: () => number;
  fail: (error: Error | undefined) => void;
} {
  const keys = new Map<string, TrustedKey>([[KID, trustedKey]]);
  let count = 0;
  let failure: Error | undefined;
  const lookup = (kid: string): TrustedKey | undefined => {
    count += 1;
    if (failure) throw failure;
    return keys.get(kid);
  };
  const resolver: KeyResolver = mode === 'sync' ? { resolve: lookup } : { resolve: async (kid) => lookup(kid) };
  return { resolver, keys, calls: () => count, fail: (error) => (failure = error) };
}

export function setup(options: Partial<VerifierOptions> = {}, resolverMode: 'sync' | 'async' = 'sync') {
  let now = NOW;
  const keys = mutableResolver(resolverMode);
  const verifier = createVerifier({ keys: keys.resolver, issuer: ISSUER, audience: AUDIENCE, nowMs: () => now * 1000, ...options });
  return { verifier, keys, advance: (seconds: number) => (now += seconds) };
}

/** Verifies `t` twice, so that the cache admits it, and returns the cached result. */
export async function admit(verifier: Verifier, t: string): Promise<VerifiedToken> {
  await verifier.verify(t);
  return verifier.verify(t);
}

