import { DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeySourceUnavailableError, type KmsCall, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider, KeyProviderConfigError } from '../src/index.js';
import { createAlias, createKey, isPromise, manualTime, rejection, useKms } from './support.js';

const env = useKms();

async function readyError(keys: readonly string[], client = env().client): Promise<Error> {
  const time = manualTime();
  const provider = createKmsKeyProvider({ client, keys, nowMs: time.nowMs, timers: time.timers });
  try {
    const error = await rejection(provider.ready());
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  } finally {
    provider.close();
  }
}

function expectConfigError(error: Error, ...fragments: string[]): void {
  expect(error).toBeInstanceOf(KeyProviderConfigError);
  expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
  expect(error.message).toMatch(/^kms-pubkey-provider: ready\(\): /);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

describe('ready()', () => {
  it('fails fast for a missing key, naming the key and NotFoundException', async () => {
    const missing = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    const error = await readyError([missing]);
    expectConfigError(error, missing, 'NotFoundException', 'KMS does not know this key');
    expect(error.cause).toMatchObject({ name: 'NotFoundException' });
  });

  it('fails fast for a disabled key, naming the key and DisabledException', async () => {
    const { admin } = env();
    const key = await createKey(admin);
    await admin.send(new DisableKeyCommand({ KeyId: key.keyId }));
    expectConfigError(await readyError([key.arn]), key.arn, 'the key is disabled', 'DisabledException');
  });

  it('fails fast for a key pending deletion, naming the key and KMSInvalidStateException', async () => {
    const { admin } = env();
    const key = await createKey(admin);
    await admin.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
    expectConfigError(await readyError([key.arn]), key.arn, 'KMSInvalidStateException');
  });

  it('fails fast for an ENCRYPT_DECRYPT key, naming the key and its key usage', async () => {
    const { admin } = env();
    const key = await createKey(admin, 'RSA_2048', 'ENCRYPT_DECRYPT');
    const error = await readyError([key.arn]);
    expectConfigError(error, key.arn, 'key usage is ENCRYPT_DECRYPT, not SIGN_VERIFY');
    // KMS answered; the check refused what it said: no KMS error to give as cause.
    expect(Object.hasOwn(error, 'cause')).toBe(false);
  });

  it('fails fast for a symmetric key, naming the key', async () => {
    const { admin } = env();
    const key = await createKey(admin, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    expectConfigError(await readyError([key.keyId]), key.keyId, 'UnsupportedOperationException');
  });

  it('fails fast for a missing alias, naming the alias', async () => {
    expectConfigError(await readyError(['alias/does-not-exist']), 'alias/does-not-exist', 'the alias does not exist', 'NotFoundException');
  });

  it('names every key that cannot be used, with the target of an alias named through its alias', async () => {
    const { admin } = env();
    const good = await createKey(admin);
    const disabled = await createKey(admin);
    const alias = await createAlias(admin, disabled.keyId);
    await admin.send(new DisableKeyCommand({ KeyId: disabled.keyId }));
    const missing = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-4333-8444-555555555555';
    const error = await readyError([good.arn, alias, missing]);
    expectConfigError(error, '2 configured keys cannot be used', `${disabled.arn} (target of ${alias})`, missing);
    expect(error.message).not.toContain(good.arn);
  });

  it('fails fast with ERR_KEY_SOURCE_UNAVAILABLE for an unreachable endpoint, naming the key and the cause', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const unreachable = new KMSClient({ ...env().kms.clientConfig, endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    const key = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    const started = Date.now();
    try {
      const error = await readyError([key, 'alias/issuer'], unreachable);
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect(error).toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE', status: 503 });
      expect(error.message).toMatch(/^kms-pubkey-provider: ready\(\): /);
      expect(error.message).toContain(key);
      expect(error.message).toContain('alias/issuer');
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.cause).toBeInstanceOf(AggregateError);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      unreachable.destroy();
    }
  });

  it('fetches every configured key and alias target, after which resolve answers synchronously without KMS calls', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const direct = await createKey(admin);
    const target = await createKey(admin, 'ECC_NIST_P384');
    const alias = await createAlias(admin, target.keyId);
    const provider = createKmsKeyProvider({ client, keys: [direct.keyId, alias], nowMs: time.nowMs, timers: time.timers });
    kms.resetCallCounts();
    await provider.hydrate();
    expect(kms.callCount('GetPublicKey')).toBe(2);
    expect(kms.callCount('DescribeKey')).toBe(1);

    kms.resetCallCounts();
    await provider.ready();
    const resolved = [provider.resolve(direct.arn), provider.resolve(target.arn)];
    expect(resolved.some(isPromise)).toBe(false);
    expect(resolved.map((key) => (key as TrustedKey).algorithms)).toEqual([['ES256'], ['ES384']]);
    expect(kms.callCount()).toBe(0);
    provider.close();
  });
});

describe('ready() when close() comes while it waits', () => {
  it('says the provider was closed before DescribeKey answered, not "DescribeKey failed (Error: undefined)", and the late answer moves nothing', async () => {
    const { admin, client } = env();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const time = manualTime();
    const calls: string[] = [];
    let closeNow = (): void => undefined;
    // close() lands while DescribeKey is out: the call itself runs (and KMS answers) after it.
    const traceKmsCall = <T>(call: KmsCall, run: () => Promise<T>): Promise<T> => {
      calls.push(`${call.operation} ${call.keyId}`);
      if (call.operation === 'DescribeKey') closeNow();
      return run();
    };
    const provider = createKmsKeyProvider({ client, keys: [alias], nowMs: time.nowMs, timers: time.timers, telemetry: { traceKmsCall } });
    closeNow = () => provider.close();
    const error = (await rejection(provider.ready())) as Error;
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect(error.message).toBe(`kms-pubkey-provider: ready(): a configured key cannot be used: ${alias}: the provider was closed before DescribeKey answered`);
    expect(error.cause).toBeUndefined();
    expect(calls).toEqual([`DescribeKey ${alias}`]);
    // The alias was never pointed at its target: the key is not trusted, and nothing is fetched.
    expect(() => provider.resolve(key.arn)).toThrow(KeySourceUnavailableError);
    expect(calls).toEqual([`DescribeKey ${alias}`]);
  });
});

describe('ready() with fewer cache entries than trusted keys', () => {
  it('says a fetched key is not cached and to raise cacheMaxEntries, not "GetPublicKey failed (Error: undefined)"', async () => {
    const { admin, client } = env();
    const [a, b] = [await createKey(admin), await createKey(admin)];
    const time = manualTime();
    const provider = createKmsKeyProvider({ client, keys: [a.arn, b.arn], cacheMaxEntries: 1, nowMs: time.nowMs, timers: time.timers });
    try {
      const error = (await rejection(provider.ready())) as Error;
      expect(error).toBeInstanceOf(KeyProviderConfigError);
      expect(error.message).toMatch(/^kms-pubkey-provider: ready\(\): a configured key cannot be used: arn:\S+: its public key was fetched but is not cached; raise cacheMaxEntries to at least the number of trusted keys$/);
    } finally {
      provider.close();
    }
  });
});
