import { KMSClient, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AlgorithmNotSupportedError,
  createKmsJwtSigner,
  createKmsMessageSigner,
  Ed25519InputTooLargeError,
  KmsKeyDisabledError,
  KmsKeyPendingDeletionError,
  KmsKeyStateError,
  KmsKeyUsageError,
  KmsRequestError,
  KmsSignatureInvalidError,
  KmsThrottledError,
  SignerConfigError,
  type KmsJwtSignerOptions,
} from '../src/index.js';
import { startKmsProxy, type KmsProxy } from './kms-proxy.js';
import { createKey, decodeToken, expectSignerError, useKmsLocal, type TestKey } from './support.js';

/**
 * When the signer signs again and when it stops (the key-state retry, a Sign answered for another
 * key), what it makes of unusual DescribeKey metadata, and the keyId its errors carry. A proxy in
 * front of kms-local answers or rewrites single calls; the real SDK parses every answer.
 */

/** A KMS error answer, as the JSON protocol sends it. */
function kmsError(type: string, message: string) {
  return { status: 400, body: { __type: type, message } };
}

describe('the Sign retry after a key-state error, and Sign answered for another key', () => {
  const env = useKmsLocal();
  let proxy: KmsProxy;
  let client: KMSClient;
  let first: TestKey;
  let second: TestKey;
  let third: TestKey;
  const ALIAS = 'alias/retry';

  beforeAll(async () => {
    first = await createKey(env().client, 'ECC_NIST_P256', { alias: ALIAS });
    second = await createKey(env().client, 'ECC_NIST_P256');
    third = await createKey(env().client, 'ECC_NIST_P256');
    proxy = await startKmsProxy(env().kms);
    client = new KMSClient({ ...proxy.clientConfig, maxAttempts: 1 });
  });

  afterEach(async () => {
    proxy.rules = {};
    await env().client.send(new UpdateAliasCommand({ AliasName: ALIAS, TargetKeyId: first.arn }));
  });

  afterAll(async () => {
    client.destroy();
    await proxy.close();
  });

  function signer(options: Partial<KmsJwtSignerOptions> = {}) {
    return createKmsJwtSigner({ keyId: ALIAS, expiresInSeconds: 300, client, aliasCacheMaxAgeMs: 3_600_000, ...options });
  }

  const signedWith = () => proxy.requests.filter((request) => request.operation === 'Sign').map((request) => request.body['KeyId']);
  const count = (operation: string) => proxy.requests.filter((request) => request.operation === operation).length;

  /** Answers the next Sign call (only) with `answer`. */
  function failNextSign(answer: ReturnType<typeof kmsError>): void {
    let used = false;
    proxy.rules = {
      intercept: (operation) => {
        if (operation !== 'Sign' || used) return undefined;
        used = true;
        return answer;
      },
    };
  }

  it('reports a throttled Sign as is, without signing with the key its alias names now', async () => {
    const tokens = signer();
    await tokens.sign({ sub: 'warm' });
    await env().client.send(new UpdateAliasCommand({ AliasName: ALIAS, TargetKeyId: second.arn }));
    failNextSign(kmsError('ThrottlingException', 'Rate exceeded'));
    proxy.requests.length = 0;
    await expectSignerError(tokens.sign({ sub: 'user-1' }), KmsThrottledError, 'ERR_KMS_THROTTLED');
    expect(signedWith()).toEqual([first.arn]);
    expect(count('DescribeKey')).toBe(0);
  });

  it.each([
    ['NotFoundException', 'the key does not exist'],
    ['DisabledException', 'the key is disabled'],
    ['KMSInvalidStateException', 'the key is pending deletion'],
    ['KMSInvalidStateException', 'the key is pending import'],
  ])('signs with the key the alias names now when Sign answers %s (%s) for the cached key', async (type, message) => {
    const tokens = signer();
    await tokens.sign({ sub: 'warm' });
    await env().client.send(new UpdateAliasCommand({ AliasName: ALIAS, TargetKeyId: second.arn }));
    failNextSign(kmsError(type, message));
    proxy.requests.length = 0;
    expect(decodeToken(await tokens.sign({ sub: 'user-1' })).header['kid']).toBe(second.arn);
    expect(signedWith()).toEqual([first.arn, second.arn]);
  });

  it('reports a key-state error as is when the alias still names the same key, after one Sign', async () => {
    const tokens = signer();
    await tokens.sign({ sub: 'warm' });
    failNextSign(kmsError('KMSInvalidStateException', `${first.arn} is pending import`));
    proxy.requests.length = 0;
    const error = await expectSignerError(tokens.sign({ sub: 'user-1' }), KmsKeyStateError, 'ERR_KMS_KEY_STATE_INVALID');
    expect(error.keyId).toBe(first.arn);
    expect(signedWith()).toEqual([first.arn]);
    expect(count('DescribeKey')).toBe(1);
  });

  it('signs again once with the key the alias names now, and no more: a second key-state error is reported', async () => {
    const tokens = signer();
    await tokens.sign({ sub: 'warm' });
    await env().client.send(new UpdateAliasCommand({ AliasName: ALIAS, TargetKeyId: second.arn }));
    let moved = false;
    proxy.rules = {
      intercept: (operation) => (operation === 'Sign' ? kmsError('KMSInvalidStateException', 'the key cannot sign now') : undefined),
      // The alias moves on again as soon as the signer has resolved it to the second key.
      rewrite: async (operation, answer) => {
        if (operation === 'DescribeKey' && !moved) {
          moved = true;
          await env().client.send(new UpdateAliasCommand({ AliasName: ALIAS, TargetKeyId: third.arn }));
        }
        return answer;
      },
    };
    proxy.requests.length = 0;
    const error = await expectSignerError(tokens.sign({ sub: 'user-1' }), KmsKeyStateError, 'ERR_KMS_KEY_STATE_INVALID');
    expect(error.keyId).toBe(second.arn);
    expect(signedWith()).toEqual([first.arn, second.arn]);
  });

  it('moves concurrent signs that all fail with a key-state error to the key the alias names now, with one DescribeKey', async () => {
    const tokens = signer();
    await tokens.sign({ sub: 'warm' });
    await env().client.send(new UpdateAliasCommand({ AliasName: ALIAS, TargetKeyId: second.arn }));
    proxy.rules = {
      intercept: (operation, body) => (operation === 'Sign' && body['KeyId'] === first.arn ? kmsError('DisabledException', `${first.arn} is disabled`) : undefined),
    };
    proxy.requests.length = 0;
    const signed = await Promise.all(Array.from({ length: 4 }, (_, i) => tokens.sign({ sub: `user-${i}` })));
    expect(signed.map((token) => decodeToken(token).header['kid'])).toEqual(Array.from({ length: 4 }, () => second.arn));
    expect(count('DescribeKey')).toBe(1);
  });

  it('resolves the key again when Sign answers for another key, and signs with the key resolved', async () => {
    const tokens = signer();
    await tokens.sign({ sub: 'warm' });
    let rewritten = false;
    proxy.rules = {
      rewrite: (operation, answer) => {
        if (operation !== 'Sign' || rewritten) return answer;
        rewritten = true;
        return { ...answer, KeyId: second.arn };
      },
    };
    proxy.requests.length = 0;
    const token = decodeToken(await tokens.sign({ sub: 'user-1' }));
    expect(token.header['kid']).toBe(first.arn);
    expect(signedWith()).toEqual([first.arn, first.arn]);
    expect(count('DescribeKey')).toBe(1);
  });

  it('refuses a Sign answer that names no key, twice, with the key asked for in the error', async () => {
    proxy.rules = { rewrite: (operation, answer) => (operation === 'Sign' ? { ...answer, KeyId: undefined } : answer) };
    const error = await expectSignerError(signer().sign({ sub: 'user-1' }), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
    expect(error.message).toContain('but answered for no key; no token was issued');
    expect(error.keyId).toBe(first.arn);
  });

  it('names the key in the error for a signature that is not strict DER, and for one that fails selfVerify', async () => {
    proxy.rules = { rewrite: (operation, answer) => (operation === 'Sign' ? { ...answer, Signature: Buffer.alloc(64, 1).toString('base64') } : answer) };
    const malformed = await expectSignerError(signer().sign({ sub: 'user-1' }), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
    expect(malformed.keyId).toBe(first.arn);
    let other: unknown;
    proxy.rules = {
      rewrite: (operation, answer) => {
        if (operation === 'Sign') other = answer['Signature'];
        return answer;
      },
    };
    await signer().sign({ sub: 'someone else' });
    proxy.rules = { rewrite: (operation, answer) => (operation === 'Sign' ? { ...answer, Signature: other } : answer) };
    const unverified = await expectSignerError(signer({ selfVerify: true }).sign({ sub: 'user-1' }), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
    expect(unverified.message).toContain('(selfVerify)');
    expect(unverified.keyId).toBe(first.arn);
  });

  it('with selfVerify, hydrate() fetches the public key before any token', async () => {
    proxy.requests.length = 0;
    await signer({ selfVerify: true }).hydrate();
    expect(count('GetPublicKey')).toBe(1);
    expect(count('Sign')).toBe(0);
  });
});

describe('DescribeKey metadata the signer has to judge', () => {
  const env = useKmsLocal();
  let proxy: KmsProxy;
  let client: KMSClient;
  let key: TestKey;

  beforeAll(async () => {
    key = await createKey(env().client, 'ECC_NIST_P256');
    proxy = await startKmsProxy(env().kms);
    client = new KMSClient({ ...proxy.clientConfig, maxAttempts: 1 });
  });

  afterEach(() => {
    proxy.rules = {};
  });

  afterAll(async () => {
    client.destroy();
    await proxy.close();
  });

  /** Signs one token while DescribeKey answers with `change` applied to the key's metadata. */
  function signWithMetadata(change: (metadata: Record<string, unknown>) => Record<string, unknown>): Promise<string> {
    proxy.rules = {
      rewrite: (operation, answer) => (operation === 'DescribeKey' ? { ...answer, KeyMetadata: change(answer['KeyMetadata'] as Record<string, unknown>) } : answer),
    };
    proxy.requests.length = 0;
    return createKmsJwtSigner({ keyId: key.keyId, expiresInSeconds: 300, client }).sign({ sub: 'user-1' });
  }

  const signs = () => proxy.requests.filter((request) => request.operation === 'Sign').length;

  it('refuses metadata without a key ARN, naming the key id asked for', async () => {
    const error = await expectSignerError(signWithMetadata(({ Arn: _arn, ...rest }) => rest), KmsRequestError, 'ERR_KMS_REQUEST_FAILED');
    expect(error.message).toContain(`DescribeKey for ${key.keyId} returned no key ARN`);
    expect(error.keyId).toBe(key.keyId);
    expect(signs()).toBe(0);
  });

  it('refuses an answer without metadata, and metadata whose key ARN is empty, naming the key id asked for', async () => {
    proxy.rules = { rewrite: (operation, answer) => (operation === 'DescribeKey' ? {} : answer) };
    proxy.requests.length = 0;
    const none = await expectSignerError(createKmsJwtSigner({ keyId: key.keyId, expiresInSeconds: 300, client }).sign({}), KmsRequestError, 'ERR_KMS_REQUEST_FAILED');
    expect(none.message).toBe(`KMS DescribeKey for ${key.keyId} returned no key ARN`);
    const empty = await expectSignerError(signWithMetadata((metadata) => ({ ...metadata, Arn: '' })), KmsRequestError, 'ERR_KMS_REQUEST_FAILED');
    expect(empty.message).toBe(`KMS DescribeKey for ${key.keyId} returned no key ARN`);
    expect(empty.keyId).toBe(key.keyId);
    expect(signs()).toBe(0);
  });

  it('takes the key spec from CustomerMasterKeySpec when KeySpec is missing (older answers)', async () => {
    const token = decodeToken(await signWithMetadata(({ KeySpec: _spec, ...rest }) => ({ ...rest, CustomerMasterKeySpec: 'ECC_NIST_P256' })));
    expect(token.header).toMatchObject({ alg: 'ES256', kid: key.arn });
  });

  it('refuses a Sign answer without a signature, naming the key', async () => {
    proxy.rules = { rewrite: (operation, answer) => (operation === 'Sign' ? { ...answer, Signature: undefined } : answer) };
    const error = await expectSignerError(createKmsJwtSigner({ keyId: key.keyId, expiresInSeconds: 300, client }).sign({}), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
    expect(error.message).toBe(`KMS Sign for ${key.arn} returned a signature that is not a valid ECC_NIST_P256 signature (strict DER for ECDSA, the key size for RSA and Ed25519); no token was issued`);
    expect(error.keyId).toBe(key.arn);
  });

  it('refuses metadata without a key usage or a key spec, saying it is unknown', async () => {
    const usage = await expectSignerError(signWithMetadata(({ KeyUsage: _usage, ...rest }) => rest), KmsKeyUsageError, 'ERR_KMS_KEY_USAGE_INVALID');
    expect(usage.message).toContain('has key usage unknown, not SIGN_VERIFY');
    expect(usage.keyId).toBe(key.arn);
    const spec = await expectSignerError(signWithMetadata(({ KeySpec: _spec, CustomerMasterKeySpec: _cmk, ...rest }) => rest), AlgorithmNotSupportedError, 'ERR_ALG_NOT_SUPPORTED_BY_KEY');
    expect(spec.message).toContain('has key spec unknown, which makes no JWS algorithm');
    expect(signs()).toBe(0);
  });

  it('refuses a key whose SigningAlgorithms do not include the one the algorithm needs, and signs when KMS lists none', async () => {
    const error = await expectSignerError(
      signWithMetadata((metadata) => ({ ...metadata, SigningAlgorithms: ['ECDSA_SHA_384'] })),
      AlgorithmNotSupportedError,
      'ERR_ALG_NOT_SUPPORTED_BY_KEY',
    );
    expect(error.message).toContain('does not offer ECDSA_SHA_256, which ES256 needs');
    expect(signs()).toBe(0);
    const token = decodeToken(await signWithMetadata(({ SigningAlgorithms: _algorithms, ...rest }) => rest));
    expect(token.header['kid']).toBe(key.arn);
  });

  it('takes the state from Enabled when KeyState is missing: refuses Enabled false, signs with Enabled true', async () => {
    await expectSignerError(
      signWithMetadata(({ KeyState: _state, ...rest }) => ({ ...rest, Enabled: false })),
      KmsKeyDisabledError,
      'ERR_KMS_KEY_DISABLED',
    );
    expect(signs()).toBe(0);
    const token = decodeToken(await signWithMetadata(({ KeyState: _state, ...rest }) => ({ ...rest, Enabled: true })));
    expect(token.header['kid']).toBe(key.arn);
  });

  it('refuses PendingReplicaDeletion as pending deletion, and any other state that is not Enabled, naming it', async () => {
    await expectSignerError(signWithMetadata((metadata) => ({ ...metadata, KeyState: 'PendingReplicaDeletion' })), KmsKeyPendingDeletionError, 'ERR_KMS_KEY_PENDING_DELETION');
    for (const state of ['PendingImport', 'Unavailable', 'Creating', 'Updating']) {
      const error = await expectSignerError(signWithMetadata((metadata) => ({ ...metadata, KeyState: state })), KmsKeyStateError, 'ERR_KMS_KEY_STATE_INVALID');
      expect(error.message).toContain(`is ${state}, a state that cannot sign`);
      expect(error.keyId).toBe(key.arn);
    }
    expect(signs()).toBe(0);
  });
});

describe('inputs too large for Ed25519, and an endpoint that cannot be resolved', () => {
  const env = useKmsLocal();
  let key: TestKey;

  beforeAll(async () => {
    key = await createKey(env().client, 'ECC_NIST_EDWARDS25519');
  });

  it('tells a token issuer to make the claims smaller, and a message sender the message', async () => {
    const tokens = createKmsJwtSigner({ keyId: key.arn, expiresInSeconds: 300, client: env().client });
    const token = await expectSignerError(tokens.sign({ sub: 'user-1', filler: 'x'.repeat(5_000) }), Ed25519InputTooLargeError, 'ERR_INPUT_TOO_LARGE_FOR_ED25519');
    expect(token.message).toContain('make the claims smaller');
    const messages = createKmsMessageSigner({ keyId: key.arn, client: env().client });
    const message = await expectSignerError(messages.sign({ bytes: Buffer.alloc(5_000, 0x61), contentType: 'text/plain' }), Ed25519InputTooLargeError, 'ERR_INPUT_TOO_LARGE_FOR_ED25519');
    expect(message.message).toContain('make the message smaller');
  });

  it('refuses with SignerConfigError when the client cannot say which endpoint it calls (no Region)', async () => {
    const noRegion = new KMSClient({
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      region: () => Promise.reject<string>(new Error('Region is missing')),
    });
    try {
      const signer = createKmsJwtSigner({ keyId: key.arn, expiresInSeconds: 300, client: noRegion });
      const error = await expectSignerError(signer.hydrate(), SignerConfigError, 'ERR_CONFIG_INVALID');
      expect(error.message).toContain('cannot tell which KMS endpoint the client calls (Region is missing)');
      expect(error.cause).toBeInstanceOf(Error);
    } finally {
      noRegion.destroy();
    }
  });
});
