import { verify as nodeVerify } from 'node:crypto';
import { DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsJwtSigner, KmsSignatureInvalidError, type KmsJwtSignerOptions } from '../src/index.js';
import { startKmsProxy, type KmsProxy } from './kms-proxy.js';
import { createKey, decodeToken, expectSignerError, useKmsLocal, type TestKey } from './support.js';

const ITERATIONS = 100;

function signedBy(key: TestKey, token: string): boolean {
  const { signingInput, signature } = decodeToken(token);
  return nodeVerify('sha256', Buffer.from(signingInput), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
}

describe('the kid always names the key that signed, while the alias moves', () => {
  const env = useKmsLocal();
  let proxy: KmsProxy;
  let proxyClient: KMSClient;
  let aliases = 0;

  beforeAll(async () => {
    proxy = await startKmsProxy(env().kms);
    proxyClient = new KMSClient({ ...proxy.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    proxyClient.destroy();
    await proxy.close();
  });

  /** Two P-256 keys and a fresh alias naming the first. */
  async function twoKeys(): Promise<{ alias: string; a: TestKey; b: TestKey; byArn: Map<string, TestKey> }> {
    const { client } = env();
    const alias = `alias/race-${aliases++}`;
    const a = await createKey(client, 'ECC_NIST_P256', { alias });
    const b = await createKey(client, 'ECC_NIST_P256');
    return { alias, a, b, byArn: new Map([[a.arn, a], [b.arn, b]]) };
  }

  function moveAlias(alias: string, key: TestKey): Promise<unknown> {
    return env().client.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: key.arn }));
  }

  function signer(keyId: string, options: Partial<KmsJwtSignerOptions> = {}) {
    return createKmsJwtSigner({ keyId, expiresInSeconds: 300, client: proxyClient, ...options });
  }

  it(`moves the alias after every DescribeKey answer and before the Sign, ${ITERATIONS} times: each kid is the key that signed`, async () => {
    const { alias, a, b, byArn } = await twoKeys();
    // Before the signer sees DescribeKey's answer (alias → X), the alias is moved to the other key,
    // so every Sign happens while the alias already names another key than the one resolved.
    proxy.rules = {
      rewrite: async (operation, answer) => {
        if (operation === 'DescribeKey') {
          const resolved = (answer['KeyMetadata'] as { Arn: string }).Arn;
          await moveAlias(alias, resolved === a.arn ? b : a);
        }
        return answer;
      },
    };
    proxy.requests.length = 0;
    try {
      const racing = signer(alias, { aliasCacheMaxAgeMs: 0 });
      const kids: string[] = [];
      for (let i = 0; i < ITERATIONS; i += 1) {
        const token = await racing.sign({ sub: `user-${i}` });
        const kid = String(decodeToken(token).header['kid']);
        const key = byArn.get(kid);
        expect(key, `token ${i}: kid ${kid} names neither key`).toBeDefined();
        if (key === undefined) continue;
        const otherKey = key === a ? b : a;
        expect(signedBy(key, token), `token ${i}: not signed by the key its kid names`).toBe(true);
        expect(signedBy(otherKey, token)).toBe(false);
        kids.push(kid);
      }
      // The alias alternated, so the kids alternate too: a, b, a, b, ...
      expect(kids).toEqual(Array.from({ length: ITERATIONS }, (_, i) => (i % 2 === 0 ? a.arn : b.arn)));
      // Every Sign went to the ARN that DescribeKey had just reported, never to the alias.
      const signs = proxy.requests.filter((request) => request.operation === 'Sign').map((request) => request.body['KeyId']);
      expect(signs).toEqual(kids);
    } finally {
      proxy.rules = {};
    }
  });

  it('keeps kid and signature together under concurrent signs while the alias flips continuously', async () => {
    const { alias, a, b, byArn } = await twoKeys();
    let signing = true;
    let flips = 0;
    const flipper = (async () => {
      while (signing) {
        await moveAlias(alias, flips % 2 === 0 ? b : a);
        flips += 1;
      }
    })();
    const racing = createKmsJwtSigner({ keyId: alias, expiresInSeconds: 300, client: env().client, aliasCacheMaxAgeMs: 0, maxConcurrency: 16 });
    // Ten workers signing one token after another: resolutions and signs of different calls interleave with the flips.
    const tokens: string[] = [];
    try {
      await Promise.all(
        Array.from({ length: 10 }, async (_, worker) => {
          for (let i = 0; i < (3 * ITERATIONS) / 10; i += 1) tokens.push(await racing.sign({ sub: `user-${worker}-${i}` }));
        }),
      );
    } finally {
      signing = false;
      await flipper;
    }
    expect(tokens).toHaveLength(3 * ITERATIONS);
    const byKid = new Map<string, number>();
    for (const token of tokens) {
      const kid = String(decodeToken(token).header['kid']);
      const key = byArn.get(kid);
      expect(key).toBeDefined();
      expect(key !== undefined && signedBy(key, token)).toBe(true);
      byKid.set(kid, (byKid.get(kid) ?? 0) + 1);
    }
    expect(flips).toBeGreaterThan(1);
    expect([...byKid.keys()].sort()).toEqual([a.arn, b.arn].sort());
  });

  it.each([
    ['disabled', (key: TestKey) => env().client.send(new DisableKeyCommand({ KeyId: key.arn }))],
    ['pending deletion', (key: TestKey) => env().client.send(new ScheduleKeyDeletionCommand({ KeyId: key.arn, PendingWindowInDays: 7 }))],
  ] as const)('signs with the key the alias names now when the cached key became %s after the alias moved', async (_state, retire) => {
    const { kms } = env();
    const { alias, a, b } = await twoKeys();
    const cached = createKmsJwtSigner({ keyId: alias, expiresInSeconds: 300, client: env().client });
    expect((await cached.hydrate()).keyArn).toBe(a.arn);
    await moveAlias(alias, b);
    await retire(a);
    kms.resetCallCounts();
    const token = await cached.sign({ sub: 'user-1' });
    expect(decodeToken(token).header['kid']).toBe(b.arn);
    expect(signedBy(b, token)).toBe(true);
    // One refused Sign with a's ARN, one DescribeKey that finds b, one Sign with b's ARN.
    expect([kms.callCount('Sign'), kms.callCount('DescribeKey')]).toEqual([2, 1]);
  });

  it('signs again when a Sign answer names another key than the ARN asked for, and never emits that answer', async () => {
    const { a, b } = await twoKeys();
    let signs = 0;
    proxy.rules = {
      rewrite: (operation, answer) => {
        if (operation !== 'Sign') return answer;
        signs += 1;
        return signs === 1 ? { ...answer, KeyId: b.arn } : answer;
      },
    };
    try {
      const token = await signer(a.arn).sign({ sub: 'user-1' });
      expect(decodeToken(token).header['kid']).toBe(a.arn);
      expect(signedBy(a, token)).toBe(true);
      expect(signs).toBe(2);
    } finally {
      proxy.rules = {};
    }
  });

  it('gives up with ERR_KMS_SIGNATURE_INVALID when Sign keeps answering for another key', async () => {
    const { a, b } = await twoKeys();
    proxy.rules = { rewrite: (operation, answer) => (operation === 'Sign' ? { ...answer, KeyId: b.arn } : answer) };
    proxy.requests.length = 0;
    try {
      const error = await expectSignerError(signer(a.arn).sign({ sub: 'user-1' }), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
      expect(error.message).toBe(`KMS Sign was asked for ${a.arn} but answered for ${b.arn}; no token was issued`);
      expect(proxy.requests.filter((request) => request.operation === 'Sign')).toHaveLength(2);
    } finally {
      proxy.rules = {};
    }
  });
});
