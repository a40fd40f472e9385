// The provider's checks on what KMS answers, against an endpoint that lies: a loopback server in
// front of kms-local that rewrites its JSON answers (the real SDK parses every one of them).
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createVerifier, KeySourceUnavailableError, KidUntrustedError } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider, KeyProviderConfigError } from '../src/index.js';
import { startLyingKms } from './endpoint-support.js';
import { AUDIENCE, ISSUER, createAlias, createKey, manualTime, recordEvents, rejection, signToken, useKms } from './support.js';

const env = useKms();

/** Runs `test` with a provider whose client talks to kms-local through a liar that applies `rewrite`. */
async function throughLiar(
  keys: readonly string[],
  rewrite: (operation: string, answer: Record<string, unknown>) => Record<string, unknown>,
  test: (provider: ReturnType<typeof createKmsKeyProvider>, events: ReturnType<typeof recordEvents>) => Promise<void>,
): Promise<void> {
  const liar = await startLyingKms(env().kms, rewrite);
  const client = new KMSClient({ ...liar.clientConfig, maxAttempts: 1 });
  const time = manualTime();
  const events = recordEvents();
  const provider = createKmsKeyProvider({ client, keys, nowMs: time.nowMs, timers: time.timers, ...events.hooks });
  try {
    await test(provider, events);
  } finally {
    provider.close();
    client.destroy();
    await liar.close();
  }
}

describe('an endpoint that answers GetPublicKey for another key', () => {
  it('refuses a GetPublicKey answer whose KeyId is another key than the ARN asked for, and trusts neither key', async () => {
    const { admin } = env();
    const asked = await createKey(admin);
    const other = await createKey(admin);
    const otherKey = await admin.send(new GetPublicKeyCommand({ KeyId: other.arn }));
    const otherPublicKey = Buffer.from(otherKey.PublicKey ?? new Uint8Array()).toString('base64');
    // The attacker's answer: their own key and its ARN, for the key the provider asked about.
    const swap = (operation: string, answer: Record<string, unknown>) =>
      operation === 'GetPublicKey' && answer['KeyId'] === asked.arn ? { ...answer, KeyId: other.arn, PublicKey: otherPublicKey } : answer;

    await throughLiar([asked.arn], swap, async (provider, events) => {
      const error = await rejection(provider.ready());
      expect(error).toBeInstanceOf(KeyProviderConfigError);
      expect((error as Error).message).toContain(`GetPublicKey answered for ${other.arn}, not for ${asked.arn}`);
      expect(events.log).toContainEqual({ type: 'keyUntrusted', keyArn: asked.arn, reason: 'unusable', message: expect.stringContaining(`answered for ${other.arn}`) });
      expect(events.log.some((event) => event.type === 'keyFetched')).toBe(false);
      expect(provider.resolve(asked.arn)).toBeUndefined();
      expect(provider.resolve(other.arn)).toBeUndefined();
      // A token the attacker signs with their key, naming the trusted key as kid, is refused.
      const forged = await signToken(admin, { keyId: other.arn, kid: asked.arn, nowMs: Date.now(), forge: true });
      expect(await rejection(createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE }).verify(forged))).toBeInstanceOf(KidUntrustedError);
      expect(provider.exportJwks().keys).toEqual([]);
    });
  });

  it('refuses an answer that names the asked key id in another account', async () => {
    const { admin } = env();
    const asked = await createKey(admin);
    const lookalike = asked.arn.replace(/:\d{12}:/, ':999999999999:');
    const swap = (operation: string, answer: Record<string, unknown>) => (operation === 'GetPublicKey' ? { ...answer, KeyId: lookalike } : answer);

    await throughLiar([asked.arn], swap, async (provider, events) => {
      const error = await rejection(provider.ready());
      expect(error).toBeInstanceOf(KeyProviderConfigError);
      expect((error as Error).message).toContain(`GetPublicKey answered for ${lookalike}, not for ${asked.arn}`);
      expect(events.log).toContainEqual(expect.objectContaining({ type: 'keyUntrusted', keyArn: asked.arn, reason: 'unusable' }));
      expect(provider.resolve(asked.arn)).toBeUndefined();
    });
  });

  it('refuses, for a key configured by key id, an answer whose ARN holds another key id', async () => {
    const { admin } = env();
    const asked = await createKey(admin);
    const other = await createKey(admin);
    const swap = (operation: string, answer: Record<string, unknown>) => (operation === 'GetPublicKey' ? { ...answer, KeyId: other.arn } : answer);

    await throughLiar([asked.keyId], swap, async (provider, events) => {
      const error = await rejection(provider.ready());
      expect(error).toBeInstanceOf(KeyProviderConfigError);
      expect((error as Error).message).toContain(`GetPublicKey answered for ${other.arn}, not for ${asked.keyId}`);
      expect(events.log).toContainEqual(expect.objectContaining({ type: 'keyUntrusted', reason: 'unusable' }));
      expect(provider.resolve(asked.keyId)).toBeUndefined();
      expect(provider.resolve(other.arn)).toBeUndefined();
    });
  });
});

describe('an endpoint that answers DescribeKey without a matching ARN', () => {
  it.each([
    ['an ARN of another key than its KeyId', (metadata: Record<string, unknown>, otherArn: string) => ({ ...metadata, Arn: otherArn })],
    ['no ARN', (metadata: Record<string, unknown>) => ({ ...metadata, Arn: undefined })],
    ['no KeyId', (metadata: Record<string, unknown>) => ({ ...metadata, KeyId: undefined })],
  ])('does not follow an alias whose DescribeKey answer has %s, and fetches no key for it', async (_name, lie) => {
    const { kms, admin } = env();
    const target = await createKey(admin);
    const other = await createKey(admin);
    const alias = await createAlias(admin, target.keyId);
    const rewrite = (operation: string, answer: Record<string, unknown>) =>
      operation === 'DescribeKey' ? { ...answer, KeyMetadata: lie(answer['KeyMetadata'] as Record<string, unknown>, other.arn) } : answer;

    await throughLiar([alias], rewrite, async (provider, events) => {
      kms.resetCallCounts();
      const error = await rejection(provider.ready());
      expect(error).toBeInstanceOf(KeySourceUnavailableError);
      expect((error as Error).message).toContain(`${alias}: DescribeKey failed (Error: DescribeKey answered without the key ARN and key id)`);
      expect(events.log).toContainEqual(expect.objectContaining({ type: 'keyFetchFailed', key: alias, operation: 'DescribeKey' }));
      expect(kms.callCount('DescribeKey')).toBe(1);
      expect(kms.callCount('GetPublicKey')).toBe(0);
      // Neither the alias's real target nor the key the answer named is trusted: tokens of either get 503, never a verification.
      for (const key of [target, other]) {
        const token = await signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: Date.now() });
        expect(await rejection(createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE }).verify(token))).toBeInstanceOf(KeySourceUnavailableError);
      }
    });
  });
});
