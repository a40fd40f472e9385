import { verify as nodeVerify } from 'node:crypto';
import { createServer } from 'node:net';
import { DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKmsJwtSigner,
  KmsAccessDeniedError,
  KmsJwtSignerError,
  KmsKeyDisabledError,
  KmsKeyNotFoundError,
  KmsKeyPendingDeletionError,
  KmsKeyStateError,
  KmsKeyUsageError,
  KmsRequestError,
  KmsSignatureInvalidError,
  KmsThrottledError,
  KmsUnavailableError,
  type KmsJwtSignerErrorCode,
  type KmsJwtSignerOptions,
} from '../src/index.js';
import { startKmsProxy, type KmsProxy } from './kms-proxy.js';
import { createBareKey, createKey, decodeToken, expectSignerError, useKmsLocal, type TestKey } from './support.js';

/** A claim value that must never show up in an error message. */
const SECRET = 'S3CRET-CLAIM-VALUE';
const CLAIMS = { sub: 'user-1', secret: SECRET };

/** Messages name the key and the cause, never the claims or any part of a token. */
function expectNoPayload(error: KmsJwtSignerError): void {
  expect(error.message).not.toContain(SECRET);
  expect(error.message).not.toMatch(/eyJ/); // base64url of '{"', how every JWS header and payload begins
}

type SignerErrorClass = abstract new (...args: never[]) => KmsJwtSignerError;

describe('KMS failures map to typed errors', () => {
  const env = useKmsLocal();
  let key: TestKey;
  let proxy: KmsProxy;
  let proxyClient: KMSClient;

  beforeAll(async () => {
    key = await createKey(env().client, 'ECC_NIST_P256', { alias: 'alias/errors' });
    proxy = await startKmsProxy(env().kms);
    proxyClient = new KMSClient({ ...proxy.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    proxyClient.destroy();
    await proxy.close();
  });

  function signer(options: Partial<KmsJwtSignerOptions> = {}) {
    return createKmsJwtSigner({ keyId: 'alias/errors', expiresInSeconds: 300, client: env().client, ...options });
  }

  it('reports an unknown alias as ERR_KMS_KEY_NOT_FOUND, naming it', async () => {
    const error = await expectSignerError(signer({ keyId: 'alias/missing' }).sign(CLAIMS), KmsKeyNotFoundError, 'ERR_KMS_KEY_NOT_FOUND');
    expect(error.message).toMatch(/KMS DescribeKey for alias\/missing failed: no such key or alias \(NotFoundException/);
    expect(error.keyId).toBe('alias/missing');
    expect(error.retryable).toBe(false);
    expect((error.cause as Error).name).toBe('NotFoundException');
    expectNoPayload(error);
  });

  it('reports a disabled key as ERR_KMS_KEY_DISABLED, naming its ARN', async () => {
    const { client } = env();
    const disabled = await createKey(client);
    await client.send(new DisableKeyCommand({ KeyId: disabled.arn }));
    const error = await expectSignerError(signer({ keyId: disabled.keyId }).sign(CLAIMS), KmsKeyDisabledError, 'ERR_KMS_KEY_DISABLED');
    expect(error.keyId).toBe(disabled.arn);
    expect(error.message).toContain(disabled.arn);
    expectNoPayload(error);
  });

  it('reports a key disabled after it was cached as ERR_KMS_KEY_DISABLED, from Sign, after resolving it again', async () => {
    const { client, kms } = env();
    const later = await createKey(client);
    const cached = signer({ keyId: later.arn });
    await cached.hydrate();
    await client.send(new DisableKeyCommand({ KeyId: later.arn }));
    kms.resetCallCounts();
    const error = await expectSignerError(cached.sign(CLAIMS), KmsKeyDisabledError, 'ERR_KMS_KEY_DISABLED');
    expect(error.keyId).toBe(later.arn);
    expect(kms.callCount('Sign')).toBe(1);
    expect(kms.callCount('DescribeKey')).toBe(1);
    expectNoPayload(error);
  });

  it('reports a key pending deletion as ERR_KMS_KEY_PENDING_DELETION, whether fresh or cached', async () => {
    const { client } = env();
    const fresh = await createKey(client);
    const cachedKey = await createKey(client);
    const cached = signer({ keyId: cachedKey.arn });
    await cached.hydrate();
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: fresh.arn, PendingWindowInDays: 7 }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: cachedKey.arn, PendingWindowInDays: 7 }));
    const first = await expectSignerError(signer({ keyId: fresh.arn }).sign(CLAIMS), KmsKeyPendingDeletionError, 'ERR_KMS_KEY_PENDING_DELETION');
    expect(first.message).toContain(fresh.arn);
    const second = await expectSignerError(cached.sign(CLAIMS), KmsKeyPendingDeletionError, 'ERR_KMS_KEY_PENDING_DELETION');
    expect(second.keyId).toBe(cachedKey.arn);
  });

  it('reports an encryption key as ERR_KMS_KEY_USAGE_INVALID', async () => {
    const encryption = await createBareKey(env().client, 'RSA_2048', 'ENCRYPT_DECRYPT');
    const error = await expectSignerError(signer({ keyId: encryption.arn }).sign(CLAIMS), KmsKeyUsageError, 'ERR_KMS_KEY_USAGE_INVALID');
    expect(error.message).toContain('ENCRYPT_DECRYPT, not SIGN_VERIFY');
  });

  it('reports throttling as ERR_KMS_THROTTLED, retryable', async () => {
    const { kms } = env();
    const remove = kms.faults.inject({ type: 'throttle', operations: ['Sign'] });
    try {
      const error = await expectSignerError(signer().sign(CLAIMS), KmsThrottledError, 'ERR_KMS_THROTTLED');
      expect(error.retryable).toBe(true);
      expect(error.keyId).toBe(key.arn);
      expect(error.message).toMatch(/KMS Sign for arn:aws:kms:.* was throttled/);
      expectNoPayload(error);
    } finally {
      remove();
    }
  });

  it("reports throttling that outlasts the SDK's retries with the number of attempts", async () => {
    const { kms } = env();
    const retrying = new KMSClient({ ...kms.clientConfig, maxAttempts: 2 });
    const remove = kms.faults.inject({ type: 'throttle', operations: ['Sign'] });
    try {
      const hydrated = signer({ client: retrying });
      await hydrated.hydrate();
      kms.resetCallCounts();
      const error = await expectSignerError(hydrated.sign(CLAIMS), KmsThrottledError, 'ERR_KMS_THROTTLED');
      expect(error.message).toContain('ThrottlingException, after 2 attempts');
      expect(kms.callCount('Sign')).toBe(2);
    } finally {
      remove();
      retrying.destroy();
    }
  });

  it.each([
    ['KMSInternalException', { type: 'unavailable' }],
    ['DependencyTimeoutException', { type: 'unavailable', errorType: 'DependencyTimeoutException' }],
    ['a dropped connection', { type: 'disconnect' }],
  ] as const)('reports %s as ERR_KMS_UNAVAILABLE, retryable', async (_name, fault) => {
    const { kms } = env();
    const remove = kms.faults.inject({ ...fault, operations: ['Sign'] });
    try {
      const error = await expectSignerError(signer().sign(CLAIMS), KmsUnavailableError, 'ERR_KMS_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.keyId).toBe(key.arn);
      expectNoPayload(error);
    } finally {
      remove();
    }
  });

  it('reports a KMS endpoint that refuses connections as ERR_KMS_UNAVAILABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    const nowhere = new KMSClient({ ...env().kms.clientConfig, endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    try {
      const error = await expectSignerError(signer({ client: nowhere }).sign(CLAIMS), KmsUnavailableError, 'ERR_KMS_UNAVAILABLE');
      expect(error.message).toMatch(/KMS DescribeKey for alias\/errors failed: KMS is unavailable/);
    } finally {
      nowhere.destroy();
    }
  });

  // Exceptions kms-local has no way to produce (or not on Sign): the proxy answers them, and the
  // real SDK parses them as it would parse AWS's answers.
  const answered: ReadonlyArray<readonly [string, number, string, SignerErrorClass, KmsJwtSignerErrorCode]> = [
    ['AccessDeniedException', 400, 'User is not authorized to perform: kms:Sign', KmsAccessDeniedError, 'ERR_KMS_ACCESS_DENIED'],
    ['UnrecognizedClientException', 400, 'The security token included in the request is invalid.', KmsAccessDeniedError, 'ERR_KMS_ACCESS_DENIED'],
    ['NotFoundException', 400, 'Key does not exist', KmsKeyNotFoundError, 'ERR_KMS_KEY_NOT_FOUND'],
    ['DisabledException', 400, 'Key is disabled', KmsKeyDisabledError, 'ERR_KMS_KEY_DISABLED'],
    ['KMSInvalidStateException', 400, 'Key is pending deletion.', KmsKeyPendingDeletionError, 'ERR_KMS_KEY_PENDING_DELETION'],
    ['KMSInvalidStateException', 400, 'Key is pending import.', KmsKeyStateError, 'ERR_KMS_KEY_STATE_INVALID'],
    ['InvalidKeyUsageException', 400, 'Key usage is not valid', KmsKeyUsageError, 'ERR_KMS_KEY_USAGE_INVALID'],
    ['ThrottlingException', 400, 'Rate exceeded', KmsThrottledError, 'ERR_KMS_THROTTLED'],
    ['KeyUnavailableException', 500, 'Key unavailable', KmsUnavailableError, 'ERR_KMS_UNAVAILABLE'],
    ['ValidationException', 400, 'Message too long', KmsRequestError, 'ERR_KMS_REQUEST_FAILED'],
  ];

  it.each(answered)('maps a Sign answered %s (%i) by its name', async (name, status, message, type, code) => {
    proxy.rules = { intercept: (operation) => (operation === 'Sign' ? { status, body: { __type: name, message } } : undefined) };
    try {
      const error = await expectSignerError(signer({ client: proxyClient }).sign(CLAIMS), type, code);
      expect(error.message).toContain(`(${name}: ${message})`);
      expect(error.keyId).toBe(key.arn);
      expect((error.cause as Error).name).toBe(name);
      expectNoPayload(error);
    } finally {
      proxy.rules = {};
    }
  });

  // The whole message: operation, key ARN, what to do, then the exception's name and KMS's own text
  // (its first 300 characters; nothing when it is empty).
  const LONG = 'x'.repeat(400);
  const described: ReadonlyArray<readonly [string, string, number, string, SignerErrorClass, string]> = [
    ['an exception of a name KMS may add, answered 400', 'FutureLimitException', 400, 'no', KmsRequestError, 'was rejected (FutureLimitException: no)'],
    ['an exception of a name KMS may add, answered 503', 'FutureLimitException', 503, 'busy', KmsUnavailableError, 'failed: KMS is unavailable or unreachable; retry later (FutureLimitException: busy)'],
    ['a 500 without an exception name', 'InternalFailure', 500, 'oops', KmsUnavailableError, 'failed: KMS is unavailable or unreachable; retry later (InternalFailure: oops)'],
    ['an exception with a long message', 'ValidationException', 400, LONG, KmsRequestError, `was rejected (ValidationException: ${LONG.slice(0, 300)})`],
    ['a key pending replica deletion', 'KMSInvalidStateException', 400, 'arn is pending replica deletion', KmsKeyPendingDeletionError, 'failed: the key is pending deletion (KMSInvalidStateException: arn is pending replica deletion)'],
    ['a key whose state is named PendingDeletion', 'KMSInvalidStateException', 400, 'KeyState is PendingDeletion', KmsKeyPendingDeletionError, 'failed: the key is pending deletion (KMSInvalidStateException: KeyState is PendingDeletion)'],
    ['a key whose state is named PendingReplicaDeletion', 'KMSInvalidStateException', 400, 'KeyState is PendingReplicaDeletion', KmsKeyPendingDeletionError, 'failed: the key is pending deletion (KMSInvalidStateException: KeyState is PendingReplicaDeletion)'],
    ['a key in another state', 'KMSInvalidStateException', 400, 'Key is disabled for import', KmsKeyStateError, 'failed: the key is not in a state that can sign (KMSInvalidStateException: Key is disabled for import)'],
    ['NotFoundException', 'NotFoundException', 400, 'gone', KmsKeyNotFoundError, 'failed: no such key or alias (NotFoundException: gone)'],
    ['DisabledException', 'DisabledException', 400, 'off', KmsKeyDisabledError, 'failed: the key is disabled (DisabledException: off)'],
    ['InvalidKeyUsageException', 'InvalidKeyUsageException', 400, 'usage', KmsKeyUsageError, 'failed: the key cannot be used to sign with this algorithm (InvalidKeyUsageException: usage)'],
    ['AccessDeniedException', 'AccessDeniedException', 400, 'denied', KmsAccessDeniedError, 'was denied: check the key policy, IAM permissions (kms:Sign, kms:DescribeKey) and credentials (AccessDeniedException: denied)'],
    ['ThrottlingException', 'ThrottlingException', 400, 'slow down', KmsThrottledError, 'was throttled: the request rate exceeds the KMS quota; lower maxRatePerSecond or raise the quota (ThrottlingException: slow down)'],
  ];

  it.each(described)('describes a Sign answered with %s, whole', async (_name, type, status, message, errorClass, what) => {
    proxy.rules = { intercept: (operation) => (operation === 'Sign' ? { status, body: { __type: type, message } } : undefined) };
    try {
      const error = await signer({ client: proxyClient }).sign(CLAIMS).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(errorClass);
      expect((error as KmsJwtSignerError).message).toBe(`KMS Sign for ${key.arn} ${what}`);
      expect((error as KmsJwtSignerError).retryable).toBe(errorClass === KmsUnavailableError || errorClass === KmsThrottledError);
    } finally {
      proxy.rules = {};
    }
  });

  // What a call may reject with besides an SDK exception (the telemetry's traceKmsCall runs the call,
  // and may fail itself): named by its code, or by nothing.
  const UNAVAILABLE = 'failed: KMS is unavailable or unreachable; retry later';
  const rejections: ReadonlyArray<readonly [string, unknown, SignerErrorClass, string]> = [
    ['a network error object with a code and no message', { code: 'EPIPE', message: '' }, KmsUnavailableError, `${UNAVAILABLE} (EPIPE)`],
    ['an Error named Error with a code', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), KmsUnavailableError, `${UNAVAILABLE} (ECONNRESET: socket hang up)`],
    ['a string', 'boom', KmsUnavailableError, `${UNAVAILABLE} (Error)`],
    ['null', null, KmsUnavailableError, `${UNAVAILABLE} (Error)`],
    ['undefined', undefined, KmsUnavailableError, `${UNAVAILABLE} (Error)`],
    ['an object whose name and code are not strings', { name: 42, code: 42 }, KmsUnavailableError, `${UNAVAILABLE} (Error)`],
    ['an error of another name, with no HTTP status', { name: 'SocketError', message: 'closed' }, KmsUnavailableError, `${UNAVAILABLE} (SocketError: closed)`],
    ['an exception with no HTTP status', { name: 'FutureException', message: 'new' }, KmsRequestError, 'was rejected (FutureException: new)'],
    ['an error of another name answered 400', { name: 'Odd', message: 'm', $metadata: { httpStatusCode: 400, attempts: 1 } }, KmsRequestError, 'was rejected (Odd: m)'],
    ['an error answered 499 after 3 attempts', { name: 'Odd', message: 'm', $metadata: { httpStatusCode: 499, attempts: 3 } }, KmsRequestError, 'was rejected (Odd, after 3 attempts: m)'],
    ['an error answered 500, its attempts not a number', { name: 'Odd', message: 'm', $metadata: { httpStatusCode: 500, attempts: '3' } }, KmsUnavailableError, `${UNAVAILABLE} (Odd: m)`],
    ['an exception whose status is not a number', { name: 'OddException', message: 'm', $metadata: { httpStatusCode: '503' } }, KmsRequestError, 'was rejected (OddException: m)'],
  ];

  // What a call may reject with besides an SDK exception (the telemetry's traceKmsCall runs the call,
  // and may fail itself): named by its name, its code, or by nothing.
  it.each(rejections)('describes a KMS call that rejects with %s, naming what it can', async (_name, thrown, errorClass, what) => {
    const failing = signer({ telemetry: { traceKmsCall: () => Promise.reject(thrown) } });
    const error = await failing.hydrate().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errorClass);
    expect((error as KmsJwtSignerError).message).toBe(`KMS DescribeKey for alias/errors ${what}`);
    expect((error as KmsJwtSignerError).cause).toBe(thrown);
    expect((error as KmsJwtSignerError).keyId).toBe('alias/errors');
  });

  // Every exception name (and network error code) mapped by name, each answered 400 so that only its
  // name decides: an unknown name answered 400 is ERR_KMS_REQUEST_FAILED.
  const ACCESS_DENIED = 'AccessDeniedException UnrecognizedClientException InvalidClientTokenId InvalidSignatureException SignatureDoesNotMatch IncompleteSignature MissingAuthenticationToken ExpiredTokenException ExpiredToken CredentialsProviderError';
  const THROTTLED = 'ThrottlingException Throttling ThrottledException TooManyRequestsException RequestLimitExceeded';
  const UNAVAILABLE_NAMES = 'KMSInternalException DependencyTimeoutException KeyUnavailableException InternalFailure ServiceUnavailable ServiceUnavailableException TimeoutError RequestTimeout RequestTimeoutException AbortError';
  const byName: ReadonlyArray<readonly [SignerErrorClass, readonly string[]]> = [
    [KmsAccessDeniedError, ACCESS_DENIED.split(' ')],
    [KmsThrottledError, THROTTLED.split(' ')],
    [KmsUnavailableError, UNAVAILABLE_NAMES.split(' ')],
  ];
  const NETWORK_CODES = 'ECONNREFUSED ECONNRESET EPIPE ETIMEDOUT EHOSTUNREACH ENETUNREACH ENOTFOUND EAI_AGAIN ECONNABORTED'.split(' ');
  const named = [
    ...byName.flatMap(([errorClass, names]) => names.map((name) => [name, { name, message: 'm', $metadata: { httpStatusCode: 400 } }, errorClass] as const)),
    ...NETWORK_CODES.map((code) => [code, Object.assign(new Error('m'), { code, $metadata: { httpStatusCode: 400 } }), KmsUnavailableError] as const),
    ['an unknown name', { name: 'NoSuchThing', message: 'm', $metadata: { httpStatusCode: 400 } }, KmsRequestError] as const,
  ];

  it.each(named)('maps %s, answered 400, by its name', async (name, thrown, errorClass) => {
    const failing = signer({ telemetry: { traceKmsCall: () => Promise.reject(thrown) } });
    const error = await failing.hydrate().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errorClass);
    expect((error as KmsJwtSignerError).message).toContain(name === 'an unknown name' ? '(NoSuchThing: m)' : `(${name}: m)`);
  });

  it('maps AccessDeniedException on DescribeKey to ERR_KMS_ACCESS_DENIED before any Sign', async () => {
    proxy.requests.length = 0;
    proxy.rules = { intercept: (operation) => (operation === 'DescribeKey' ? { status: 400, body: { __type: 'AccessDeniedException', message: 'not authorized' } } : undefined) };
    try {
      const error = await expectSignerError(signer({ client: proxyClient }).hydrate(), KmsAccessDeniedError, 'ERR_KMS_ACCESS_DENIED');
      expect(error.message).toMatch(/^KMS DescribeKey for alias\/errors was denied/);
      expect(proxy.requests.map((request) => request.operation)).toEqual(['DescribeKey']);
    } finally {
      proxy.rules = {};
    }
  });

  describe('signatures KMS should never return', () => {
    function rewriteSignature(signature: Buffer): void {
      proxy.rules = { rewrite: (operation, answer) => (operation === 'Sign' ? { ...answer, Signature: signature.toString('base64') } : answer) };
    }

    /** A strict DER signature of kms-local's, re-encoded with a BER long-form length (0x81 for a length < 128). */
    async function berSignature(): Promise<Buffer> {
      const token = await signer({ client: proxyClient }).sign({});
      const jose = decodeToken(token).signature;
      const integer = (bytes: Buffer): Buffer => {
        const body = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
        return Buffer.concat([Buffer.from([0x02, body.length]), body]);
      };
      const content = Buffer.concat([integer(jose.subarray(0, 32)), integer(jose.subarray(32))]);
      return Buffer.concat([Buffer.from([0x30, 0x81, content.length]), content]);
    }

    it.each([
      ['BER instead of DER', berSignature],
      ['an empty signature', () => Promise.resolve(Buffer.alloc(0))],
      ['R‖S instead of DER', () => Promise.resolve(Buffer.alloc(64, 1))],
    ])('refuses %s with ERR_KMS_SIGNATURE_INVALID and issues no token', async (_name, make) => {
      rewriteSignature(await make());
      try {
        const error = await expectSignerError(signer({ client: proxyClient }).sign(CLAIMS), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
        expect(error.message).toContain('no token was issued');
        expectNoPayload(error);
      } finally {
        proxy.rules = {};
      }
    });

    it('refuses an RSA signature of the wrong length', async () => {
      const rsa = await createKey(env().client, 'RSA_2048');
      rewriteSignature(Buffer.alloc(255, 7));
      try {
        await expectSignerError(signer({ client: proxyClient, keyId: rsa.arn }).sign(CLAIMS), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
      } finally {
        proxy.rules = {};
      }
    });

    it('with selfVerify, refuses a well-formed signature that does not verify; without it, such a token would go out', async () => {
      // A genuine signature by the same key over other data: strict DER, the right size, wrong message.
      let der: Buffer | undefined;
      proxy.rules = {
        rewrite: (operation, answer) => {
          if (operation === 'Sign' && typeof answer['Signature'] === 'string') der = Buffer.from(answer['Signature'], 'base64');
          return answer;
        },
      };
      await signer({ client: proxyClient }).sign({ sub: 'someone else' });
      if (der === undefined) throw new Error('no Sign answer was captured');
      rewriteSignature(der);
      try {
        const error = await expectSignerError(signer({ client: proxyClient, selfVerify: true }).sign(CLAIMS), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
        expect(error.message).toContain('does not verify against its public key (selfVerify)');
        const unchecked = decodeToken(await signer({ client: proxyClient }).sign(CLAIMS));
        expect(unchecked.header['kid']).toBe(key.arn);
        expect(nodeVerify('sha256', Buffer.from(unchecked.signingInput), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, unchecked.signature)).toBe(false);
      } finally {
        proxy.rules = {};
      }
    });
  });
});
