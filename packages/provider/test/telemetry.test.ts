import type { KmsCall } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider, KeyProviderConfigError, type KeyProviderTallies, type KeyProviderTelemetry } from '../src/index.js';
import { createAlias, createKey, useKms } from './support.js';

const kms = useKms();

describe('the telemetry option', () => {
  it('refuses a telemetry that is not an object, or whose members are not functions', () => {
    const keys = ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'];
    expect(() => createKmsKeyProvider({ keys, telemetry: 'otel' as unknown as KeyProviderTelemetry })).toThrow(KeyProviderConfigError);
    expect(() => createKmsKeyProvider({ keys, telemetry: { register: 1 } as unknown as KeyProviderTelemetry })).toThrow(/telemetry\.register must be a function/);
  });

  it('runs each KMS call inside traceKmsCall, naming the operation, the key and the checked endpoint, and hands over its tallies', async () => {
    const { admin, client, kms: server } = kms();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const calls: KmsCall[] = [];
    let tallies: KeyProviderTallies | undefined;
    let unregistered = 0;
    const telemetry: KeyProviderTelemetry = {
      traceKmsCall: (call, run) => {
        calls.push(call);
        return run();
      },
      register: (registered) => {
        tallies = registered;
        return () => (unregistered += 1);
      },
    };
    const provider = createKmsKeyProvider({ keys: [alias], client, telemetry });
    expect(await provider.resolve(key.arn)).toBeDefined();
    expect(provider.resolve(key.arn)).toBeDefined();
    const endpoint = String(server.clientConfig.endpoint).replace(/\/$/, '');
    expect(calls.map(({ operation, keyId, endpoint: to }) => [operation, keyId, to?.replace(/\/$/, '')])).toEqual([
      ['DescribeKey', alias, endpoint],
      ['GetPublicKey', key.arn, endpoint],
    ]);
    expect(tallies?.resolutions.kms.found).toBe(1);
    expect(tallies?.resolutions.cache.found).toBe(1);
    expect(tallies?.trustedKeys()).toBe(1);
    provider.close();
    provider.close();
    expect(unregistered).toBe(1);
  });

  it('keeps resolving, and reports failures as before, when every telemetry callback throws', async () => {
    const { admin, client, kms: server } = kms();
    const key = await createKey(admin);
    const fail = (): never => {
      throw new Error('telemetry is broken');
    };
    const provider = createKmsKeyProvider({ keys: [key.arn], client, failureCooldownMs: 0, telemetry: { register: fail, onPenaltyBox: fail, onKeyUntrusted: fail, onRotation: fail } });
    const remove = server.faults.inject({ type: 'unavailable', operations: ['GetPublicKey'] });
    try {
      await expect(provider.resolve(key.arn)).rejects.toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE' });
    } finally {
      remove();
    }
    expect(await provider.resolve(key.arn)).toBeDefined();
    provider.close();
  });
});
