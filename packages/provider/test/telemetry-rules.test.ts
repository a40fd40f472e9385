import type { TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { HookEmitter } from '../src/hook-emitter.js';
import { ResolutionTally } from '../src/resolution-tally.js';
import { checkTelemetry, notify, registerTallies, type KeyProviderTallies } from '../src/telemetry.js';
import { recordEvents } from './support.js';

// The telemetry seams on their own (telemetry.ts, resolution-tally.ts, hook-emitter.ts): what a
// telemetry object must be, that no callback of it (or hook) that throws breaks anything, and how
// each resolution is tallied by where its answer came from.

const fail = (message: string): Error => new Error(message);
const KEY = { id: 'arn:aws:kms:us-east-1:111122223333:key/k' } as TrustedKey;

describe('checkTelemetry', () => {
  it('takes none, or an object whose members are functions, and names what is wrong otherwise', () => {
    expect(checkTelemetry(undefined, fail)).toBeUndefined();
    const telemetry = { register: () => () => undefined };
    expect(checkTelemetry(telemetry, fail)).toBe(telemetry);
    for (const value of [null, 'otel', 5]) {
      expect(() => checkTelemetry(value, fail)).toThrow('telemetry must be an object, such as createKmsJwtTelemetry().provider from kms-jwt-opentelemetry');
    }
    for (const name of ['traceKmsCall', 'register', 'onPenaltyBox', 'onRotation', 'onKeyUntrusted']) {
      expect(() => checkTelemetry({ [name]: true }, fail)).toThrow(`telemetry.${name} must be a function`);
    }
  });
});

describe('notify and registerTallies', () => {
  it('call the callback with the event, and swallow what it throws', () => {
    const seen: unknown[] = [];
    notify((event: unknown) => seen.push(event), { operation: 'GetPublicKey' });
    expect(seen).toEqual([{ operation: 'GetPublicKey' }]);
    expect(() =>
      notify(() => {
        throw new Error('exporter down');
      }, 1),
    ).not.toThrow();
    expect(() => notify(undefined, 1)).not.toThrow();
  });

  it('hand the tallies over once, unregister once, and survive a register or unregister that throws', () => {
    const tallies = new ResolutionTally('kms', () => 0);
    let given: KeyProviderTallies | undefined;
    let unregistered = 0;
    const register = (handed: KeyProviderTallies): (() => void) => {
      given = handed;
      return () => {
        unregistered += 1;
      };
    };
    const unregister = registerTallies({ register }, tallies);
    expect(given).toBe(tallies);
    unregister();
    unregister();
    expect(unregistered).toBe(1);
    const throwing = (): never => {
      throw new Error('meter provider gone');
    };
    expect(() => registerTallies({ register: throwing }, tallies)()).not.toThrow();
    expect(() => registerTallies({ register: () => throwing }, tallies)()).not.toThrow();
    expect(() => registerTallies(undefined, tallies)()).not.toThrow();
  });
});

describe('ResolutionTally', () => {
  it('counts a synchronous answer under its own source, and a fetched one under the fetching source', async () => {
    const tally = new ResolutionTally('jwks', () => 3);
    expect(tally.record('cache', KEY)).toBe(KEY);
    expect(tally.record('offline', undefined)).toBeUndefined();
    expect(await tally.record('snapshot', Promise.resolve(KEY))).toBe(KEY);
    expect(await tally.record('cache', Promise.resolve(undefined))).toBeUndefined();
    const down = new Error('KMS down');
    await expect(tally.record('cache', Promise.reject(down))).rejects.toBe(down);
    tally.unavailable();
    expect(tally.resolutions).toEqual({
      cache: { found: 1, 'not-found': 0, unavailable: 0 },
      kms: { found: 0, 'not-found': 0, unavailable: 0 },
      snapshot: { found: 0, 'not-found': 0, unavailable: 0 },
      jwks: { found: 1, 'not-found': 1, unavailable: 2 },
      offline: { found: 0, 'not-found': 1, unavailable: 0 },
    });
    expect(tally.staleServed).toBe(0);
    expect(tally.trustedKeys()).toBe(3);
  });
});

describe('HookEmitter', () => {
  it("calls the hook, then telemetry's callback of the same name, each even when the other throws", () => {
    const events = recordEvents();
    const seen: unknown[] = [];
    const rotation = { alias: 'alias/a', previousKeyArn: 'arn:old', keyArn: 'arn:new', graceUntilMs: 5 };
    const throwing = new HookEmitter(
      {
        ...events.hooks,
        onRotation: () => {
          throw new Error('hook bug');
        },
      },
      { onRotation: (event) => seen.push(event) },
    );
    throwing.emit('onRotation', rotation);
    expect(seen).toEqual([rotation]);
    new HookEmitter(events.hooks, {
      onRotation: () => {
        throw new Error('exporter down');
      },
    }).emit('onRotation', rotation);
    expect(events.log).toEqual([{ type: 'rotation', ...rotation }]);
    expect(() => new HookEmitter({ onKeyFetched: undefined, onKeyFetchFailed: undefined, onRotation: undefined, onKeyUntrusted: undefined, onKeyMismatch: undefined }).emit('onRotation', rotation)).not.toThrow();
  });
});
