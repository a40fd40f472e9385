import { describe, expect, it } from 'vitest';
import { duration, toSettings, type KmsKeyProviderOptions } from '../src/options.js';
import { nodeTimers } from '../src/timers.js';
import { configRefusal } from './config-support.js';

// The options read on their own (options.ts): every default as the TSDoc states it, each bound at
// its edge, and each refusal naming the option and what to give instead.

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';

const refusal = (options: unknown): string => configRefusal(() => toSettings(options as KmsKeyProviderOptions));

describe('toSettings: defaults', () => {
  it('fills every option left out with its documented default', () => {
    const settings = toSettings({ keys: [KEY] });
    expect(settings).toMatchObject({
      client: undefined,
      offlineKeys: [],
      snapshot: undefined,
      snapshotMaxAgeMs: 86_400_000,
      confirmSnapshot: true,
      algorithms: undefined,
      cacheMaxAgeMs: 300_000,
      maxStaleMs: 3_600_000,
      failureCooldownMs: 5_000,
      requestTimeoutMs: 5_000,
      cacheMaxEntries: 1000,
      aliasRefreshMs: 60_000,
      retiredKeyGraceMs: 3_600_000,
      honorKeyState: true,
      trustedEndpoint: undefined,
      nowMs: Date.now,
      timers: nodeTimers,
      telemetry: undefined,
      hooks: { onKeyFetched: undefined, onKeyFetchFailed: undefined, onRotation: undefined, onKeyUntrusted: undefined, onKeyMismatch: undefined },
    });
    expect(settings.refs).toEqual([{ kind: 'key', ref: KEY, keyId: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', arn: KEY }]);
  });

  it('takes retiredKeyGraceMs from maxTokenLifetimeMs when left out, and the values given otherwise (algorithms copied and frozen)', () => {
    const onRotation = (): void => undefined;
    const algorithms = ['ES256' as const];
    const settings = toSettings({ keys: [KEY], maxTokenLifetimeMs: 900_000, algorithms, confirmSnapshot: false, honorKeyState: false, onRotation, cacheMaxEntries: 1, trustedEndpoint: 'https://kms-proxy.internal' });
    expect(settings).toMatchObject({ retiredKeyGraceMs: 900_000, confirmSnapshot: false, honorKeyState: false, cacheMaxEntries: 1, hooks: { onRotation } });
    expect(settings.trustedEndpoint).toMatch(/^https:\/\/kms-proxy\.internal/);
    expect(settings.algorithms).toEqual(['ES256']);
    expect(settings.algorithms).not.toBe(algorithms);
    expect(Object.isFrozen(settings.algorithms)).toBe(true);
    expect(toSettings({ keys: [KEY], maxTokenLifetimeMs: 900_000, retiredKeyGraceMs: 0 }).retiredKeyGraceMs).toBe(0);
  });

  it('needs no keys when offline keys are given', () => {
    expect(toSettings({ offlineKeys: [{ kid: 'k', key: 'pem' }] }).refs).toEqual([]);
  });
});

describe('duration', () => {
  it('takes the fallback when left out, and a finite number from the minimum up', () => {
    expect(duration('cacheMaxAgeMs', undefined, 7)).toBe(7);
    expect(duration('cacheMaxAgeMs', 0, 7)).toBe(0);
    expect(duration('cacheMaxAgeMs', 1, 7, 1)).toBe(1);
    for (const value of [0, -1, Number.NaN, Infinity, '5']) {
      expect(() => duration('cacheMaxAgeMs', value as number, 7, 1)).toThrow('kms-pubkey-provider: cacheMaxAgeMs must be a finite number of milliseconds >= 1');
    }
    expect(() => duration('maxStaleMs', -1, 7)).toThrow('maxStaleMs must be a finite number of milliseconds >= 0');
  });

  it('holds each duration option to its minimum', () => {
    for (const name of ['snapshotMaxAgeMs', 'cacheMaxAgeMs', 'requestTimeoutMs', 'aliasRefreshMs']) {
      expect(refusal({ keys: [KEY], [name]: 0 })).toContain(`${name} must be a finite number of milliseconds >= 1`);
    }
    for (const name of ['maxStaleMs', 'failureCooldownMs', 'maxTokenLifetimeMs', 'retiredKeyGraceMs']) {
      expect(refusal({ keys: [KEY], [name]: -1 })).toContain(`${name} must be a finite number of milliseconds >= 0`);
    }
  });
});

describe('toSettings: refusals say what to fix', () => {
  it('refuses options that are not an object, and offline keys that are not an array', () => {
    for (const options of [undefined, null, 'keys']) expect(refusal(options)).toBe('kms-pubkey-provider: createKmsKeyProvider needs an options object');
    expect(refusal({ keys: [KEY], offlineKeys: {} })).toBe('kms-pubkey-provider: offlineKeys must be an array');
  });

  it('refuses a provider with neither keys nor offline keys', () => {
    for (const options of [{}, { keys: [], offlineKeys: [] }]) {
      expect(refusal(options)).toBe('kms-pubkey-provider: keys is required: the KMS key ARNs, key ids or aliases to trust (or give offlineKeys to trust keys without KMS)');
    }
  });

  it('refuses a client without send, naming the class to give', () => {
    for (const client of [null, 'kms', {}, { send: 'no' }, Object.assign(() => undefined, { send: () => undefined })]) expect(refusal({ keys: [KEY], client })).toBe('kms-pubkey-provider: client must be a KMSClient from @aws-sdk/client-kms');
  });

  it('refuses algorithms that are not a non-empty array of JWS algorithms, listing them', () => {
    for (const algorithms of ['ES256', [], ['ES256', 'HS256']]) {
      expect(refusal({ keys: [KEY], algorithms })).toBe(
        'kms-pubkey-provider: algorithms must be a non-empty array of JWS algorithms a KMS key produces (ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)',
      );
    }
  });

  it('refuses a snapshot that is neither an object nor a path, and booleans that are not booleans', () => {
    for (const snapshot of [5, null, true]) expect(refusal({ keys: [KEY], snapshot })).toBe('kms-pubkey-provider: snapshot must be an object from exportSnapshot() or the path of its JSON file');
    expect(refusal({ keys: [KEY], confirmSnapshot: 'no' })).toBe('kms-pubkey-provider: confirmSnapshot must be a boolean');
    expect(refusal({ keys: [KEY], honorKeyState: 1 })).toBe('kms-pubkey-provider: honorKeyState must be a boolean');
  });

  it('refuses a trustedEndpoint that is not an http(s) URL string (a URL object too), with an example', () => {
    for (const trustedEndpoint of ['kms-proxy.internal', 5, new URL('https://kms-proxy.internal')]) {
      expect(refusal({ keys: [KEY], trustedEndpoint })).toBe("kms-pubkey-provider: trustedEndpoint must be the http:// or https:// URL of a KMS endpoint you trust, such as 'https://kms-proxy.internal'");
    }
  });

  it('refuses a clock that is not a function, timers without both functions, and a cache bound below one entry', () => {
    expect(refusal({ keys: [KEY], nowMs: 5 })).toBe('kms-pubkey-provider: nowMs must be a function returning epoch milliseconds');
    const timers = 'kms-pubkey-provider: timers must have setTimeout(callback, delayMs) and clearTimeout(handle)';
    for (const value of [5, { clearTimeout: () => undefined }, { setTimeout: () => 1 }]) expect(refusal({ keys: [KEY], timers: value })).toBe(timers);
    for (const cacheMaxEntries of [0, 1.5, '5']) expect(refusal({ keys: [KEY], cacheMaxEntries })).toBe('kms-pubkey-provider: cacheMaxEntries must be an integer >= 1');
  });

  it('refuses a hook that is not a function, naming it', () => {
    for (const name of ['onKeyFetched', 'onKeyFetchFailed', 'onRotation', 'onKeyUntrusted', 'onKeyMismatch']) {
      expect(refusal({ keys: [KEY], [name]: 'log' })).toBe(`kms-pubkey-provider: ${name} must be a function`);
    }
  });
});
