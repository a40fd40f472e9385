import { CreateKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { createKmsKeyProvider, type KmsKeyProvider } from 'kms-pubkey-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeySignal, FleetConfigError, type KeyEventReceived, type KeySignal } from '../src/index.js';
import { connectedClient, RedisServer } from './redis-server.js';

describe('createKeySignal', () => {
  let redis: RedisServer;
  let kms: KmsLocal;
  let admin: KMSClient;
  const cleanup: (() => Promise<unknown> | void)[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
    kms = await startKmsLocal({ host: '127.0.0.1', port: 0, onError: () => undefined });
    admin = new KMSClient(kms.clientConfig);
  });
  afterAll(async () => {
    for (const run of cleanup.reverse()) await run();
    admin.destroy();
    await kms.close();
    await redis.stop();
  });

  async function createKeyArn(): Promise<string> {
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    return KeyMetadata!.Arn!;
  }

  /** N verifiers: each its own KMS client, provider, Redis connection and signal; `received` resolves once each re-checked `keyArn`. */
  /** The providers' clock runs `skewMs` ahead of the wall clock (to step past the re-check rate limit without waiting). */
  let skewMs = 0;

  async function fleet(keyArn: string, n: number) {
    const members: { provider: KmsKeyProvider; signal: KeySignal; events: KeyEventReceived[] }[] = [];
    for (let i = 0; i < n; i += 1) {
      const kmsClient = new KMSClient({ ...kms.clientConfig, maxAttempts: 1 });
      const provider = createKmsKeyProvider({ client: kmsClient, keys: [keyArn], failureCooldownMs: 5_000, nowMs: () => Date.now() + skewMs });
      await provider.ready();
      const client = await connectedClient(redis.url);
      const events: KeyEventReceived[] = [];
      const signal = createKeySignal({ client, provider, onKeyEvent: (event) => events.push(event) });
      await signal.ready();
      cleanup.push(() => provider.close(), () => kmsClient.destroy(), () => signal.close(), () => client.close());
      members.push({ provider, signal, events });
    }
    const received = (count: number) =>
      Promise.all(
        members.map(async ({ events }) => {
          for (let i = 0; i < 500 && events.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
          expect(events.length).toBeGreaterThanOrEqual(count);
        }),
      );
    return { members, received };
  }

  it('a key disabled in KMS and announced is refused by every provider once each re-checked it', async () => {
    const keyArn = await createKeyArn();
    const { members, received } = await fleet(keyArn, 3);
    for (const { provider } of members) expect(provider.resolve(keyArn)).toBeDefined();
    await admin.send(new DisableKeyCommand({ KeyId: keyArn }));
    // Without a signal, each provider would keep the cached key until cacheMaxAgeMs.
    for (const { provider } of members) expect(provider.resolve(keyArn)).toBeDefined();
    // The keys were fetched at ready(): past the re-check rate limit (failureCooldownMs), an event is acted on.
    skewMs += 5_000;
    const started = performance.now();
    await members[0]!.signal.publishKeyEvent({ keyArn, event: 'disabled' });
    await received(1);
    console.log(`3 providers re-checked and refused the disabled key ${(performance.now() - started).toFixed(0)} ms after the event was published`);
    for (const { provider, events } of members) {
      expect(events[0]).toEqual({ keyArn, event: 'disabled', outcome: 'rechecked' });
      expect(provider.resolve(keyArn)).toBeUndefined();
    }
  });

  it('a "disabled" event for a key KMS says is Enabled leaves it trusted, and floods cost KMS calls only within the rate limit', async () => {
    const keyArn = await createKeyArn();
    const { members, received } = await fleet(keyArn, 2);
    const before = kms.callCount('GetPublicKey');
    for (let i = 0; i < 20; i += 1) await members[1]!.signal.publishKeyEvent({ keyArn, event: 'disabled' });
    // A key the providers do not trust is never fetched because of an event.
    await members[1]!.signal.publishKeyEvent({ keyArn: await createKeyArn(), event: 'disabled' });
    await received(21);
    // Fetched at ready() a moment ago, so within failureCooldownMs: no KMS call at all.
    expect(kms.callCount('GetPublicKey') - before).toBeLessThanOrEqual(members.length);
    for (const { provider } of members) expect(provider.resolve(keyArn)).toBeDefined();
  });

  it('ignores malformed messages and refuses bad events and options', async () => {
    const client = await connectedClient(redis.url);
    cleanup.push(() => client.close());
    const signal = createKeySignal({ client });
    await expect(signal.publishKeyEvent({ keyArn: '', event: 'disabled' })).rejects.toBeInstanceOf(FleetConfigError);
    await expect(signal.publishKeyEvent({ keyArn: 'k', event: 'enabled' as never })).rejects.toBeInstanceOf(FleetConfigError);
    expect(() => createKeySignal({} as never)).toThrow(FleetConfigError);
    expect(() => createKeySignal({ client, provider: {} as never })).toThrow(FleetConfigError);
  });
});
