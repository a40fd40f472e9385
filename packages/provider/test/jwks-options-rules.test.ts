import { generateKeyPairSync } from 'node:crypto';
import type { JwsAlgorithm, TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createJwksKeyProvider, KeyProviderConfigError, type JwksKeyProviderOptions } from '../src/index.js';
import { jwksRig, keyArn, publicJwk, TRUST, useJwksServer } from './jwks-rules-support.js';
import { rejection } from './support.js';

// createJwksKeyProvider's options at their edges (jwks-options.ts): each refusal names its option,
// the bounds that are allowed, and the algorithms option as keys see it.

const BASE: JwksKeyProviderOptions = { url: 'https://issuer.example/.well-known/jwks.json', trust: TRUST };

function refusal(options: unknown): string {
  try {
    createJwksKeyProvider(options as JwksKeyProviderOptions).close();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    return (error as Error).message.replace(/^kms-pubkey-provider: /, '');
  }
  throw new Error('expected a KeyProviderConfigError');
}

const fn = (): undefined => undefined;

describe('createJwksKeyProvider: refusals', () => {
  it('refuses null options', () => {
    expect(refusal(null)).toBe('createJwksKeyProvider needs an options object with url and keyArns or trust');
  });

  const ALGORITHMS = 'algorithms must be a non-empty array of JWS algorithms a KMS key produces (ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)';
  it.each([
    ['algorithms as a string', { algorithms: 'ES256' }, ALGORITHMS],
    ['no algorithms', { algorithms: [] }, ALGORITHMS],
    ['one algorithm that is not a JWS one', { algorithms: ['ES256', 'HS256'] }, ALGORITHMS],
    ['a nowMs that is not a function', { nowMs: 1_700_000_000_000 }, 'nowMs must be a function returning epoch milliseconds'],
    ['timers without setTimeout', { timers: { clearTimeout: fn } }, 'timers must have setTimeout(callback, delayMs) and clearTimeout(handle)'],
    ['timers without clearTimeout', { timers: { setTimeout: fn } }, 'timers must have setTimeout(callback, delayMs) and clearTimeout(handle)'],
    ['a cacheMaxAgeMs above maxCacheMaxAgeMs', { cacheMaxAgeMs: 900_001 }, 'cacheMaxAgeMs must lie between minCacheMaxAgeMs and maxCacheMaxAgeMs'],
    ['a negative minCacheMaxAgeMs', { minCacheMaxAgeMs: -1 }, 'minCacheMaxAgeMs must be a finite number of milliseconds >= 0'],
    ['a maxCacheMaxAgeMs of 0', { maxCacheMaxAgeMs: 0 }, 'maxCacheMaxAgeMs must be a finite number of milliseconds >= 1'],
    ['a negative cacheMaxAgeMs', { cacheMaxAgeMs: -1 }, 'cacheMaxAgeMs must be a finite number of milliseconds >= 0'],
    ['a negative maxTokenLifetimeMs', { maxTokenLifetimeMs: -1 }, 'maxTokenLifetimeMs must be a finite number of milliseconds >= 0'],
    ['a negative maxStaleMs', { maxStaleMs: -1 }, 'maxStaleMs must be a finite number of milliseconds >= 0'],
    ['a negative failureCooldownMs', { failureCooldownMs: -1 }, 'failureCooldownMs must be a finite number of milliseconds >= 0'],
    ['a negative retiredKeyGraceMs', { retiredKeyGraceMs: -1 }, 'retiredKeyGraceMs must be a finite number of milliseconds >= 0'],
    ['maxKeys as a string', { maxKeys: '5' }, 'maxKeys must be an integer >= 1'],
    ['telemetry that is not an object', { telemetry: 5 }, 'telemetry must be an object, such as createKmsJwtTelemetry().provider from kms-jwt-opentelemetry'],
  ])('refuses %s', (_name, override, message) => {
    expect(refusal({ ...BASE, ...override })).toBe(message);
  });

  it('takes the bounds themselves: maxKeys and maxResponseBytes of 1, and one cache max-age for all three', () => {
    createJwksKeyProvider({ ...BASE, maxKeys: 1, maxResponseBytes: 1 }).close();
    createJwksKeyProvider({ ...BASE, minCacheMaxAgeMs: 120_000, maxCacheMaxAgeMs: 120_000, cacheMaxAgeMs: 120_000 }).close();
  });
});

describe('createJwksKeyProvider: the algorithms option', () => {
  const server = useJwksServer();

  it('narrows each key to the algorithms given, ignores a key it leaves without any, and keeps its own copy', async () => {
    const algorithms: JwsAlgorithm[] = ['PS256', 'ES384'];
    const { provider, events, publish } = jwksRig(server(), { algorithms });
    const [rsa, p384, p256] = [keyArn(), keyArn(), keyArn()];
    publish({ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: rsa }, publicJwk(p384, 'P-384'), publicJwk(p256));
    algorithms.push('ES256');
    await provider.ready();
    expect((provider.resolve(rsa) as TrustedKey).algorithms).toEqual(['PS256']);
    expect((provider.resolve(p384) as TrustedKey).algorithms).toEqual(['ES384']);
    expect(provider.resolve(p256)).toBeUndefined();
    expect(events.log.filter((event) => event.type === 'ignored')).toEqual([expect.objectContaining({ kid: p256, reason: 'unusable' })]);
    provider.close();
  });

  it('fails ready() when the algorithms given leave no key of the JWKS', async () => {
    const { provider, publish } = jwksRig(server(), { algorithms: ['EdDSA'] });
    publish(publicJwk(keyArn()));
    expect(await rejection(provider.ready())).toBeInstanceOf(KeyProviderConfigError);
    provider.close();
  });
});
