import { randomBytes } from 'node:crypto';
import { KMSClient, type KeySpec } from '@aws-sdk/client-kms';
import { compactVerify, errors as joseErrors, flattenedVerify, importSPKI, jwtVerify } from 'jose';
import { createMessageVerifier, createVerifier, MessageTypeInvalidError, SignatureInvalidError, TokenIsMessageError, KidUntrustedError, type MessageVerifier } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKmsJwtSigner,
  createKmsMessageSigner,
  Ed25519InputTooLargeError,
  MessageInvalidError,
  MessageTooLargeError,
  SignerConfigError,
  type JwsAlgorithm,
  type KmsMessageSignerOptions,
  type MessageContent,
  type SignedMessage,
} from '../src/index.js';
import { startKmsProxy, type KmsProxy } from './kms-proxy.js';
import { createKey, expectSignerError, expectSignerThrow, useKmsLocal, type TestKey } from './support.js';

const NOW = 1_800_000_000;

/** Each signing key spec once (RSA with each RS and PS algorithm), at sizes below and above what KMS signs RAW; Ed25519 only below (it cannot sign a digest). */
const CASES: ReadonlyArray<{ readonly spec: KeySpec; readonly alg: JwsAlgorithm; readonly sizes: readonly number[] }> = [
  { spec: 'ECC_NIST_P256', alg: 'ES256', sizes: [1, 2048, 65_536] },
  { spec: 'ECC_NIST_P384', alg: 'ES384', sizes: [1, 2048, 65_536] },
  { spec: 'ECC_NIST_P521', alg: 'ES512', sizes: [1, 2048, 65_536] },
  { spec: 'ECC_SECG_P256K1', alg: 'ES256K', sizes: [1, 2048, 65_536] },
  { spec: 'RSA_2048', alg: 'RS256', sizes: [1, 65_536] },
  { spec: 'RSA_2048', alg: 'PS256', sizes: [2048] },
  { spec: 'RSA_3072', alg: 'RS384', sizes: [2048] },
  { spec: 'RSA_3072', alg: 'PS384', sizes: [1, 65_536] },
  { spec: 'RSA_4096', alg: 'RS512', sizes: [1, 65_536] },
  { spec: 'RSA_4096', alg: 'PS512', sizes: [2048] },
  { spec: 'ECC_NIST_EDWARDS25519', alg: 'EdDSA', sizes: [1, 2048] },
];

/** The size range, on one spec: 1 B to 256 KiB (the SQS limit), across the RAW/DIGEST boundary. */
const SIZES = [1, 100, 2900, 3100, 4096, 65_536, 262_144];

/** JSON text of exactly `size` bytes: a number for the smallest, else `{"p":"xxx…"}`. */
function jsonOfSize(size: number): unknown {
  if (size < 8) return Number('7'.repeat(size));
  return { p: 'x'.repeat(size - 8) };
}

/** jose lacks ES256K (WebCrypto has no secp256k1); every other algorithm is checked with it. */
const joseSupports = (alg: JwsAlgorithm): boolean => alg !== 'ES256K';

describe('signed messages through kms-local and the real SDK', () => {
  const env = useKmsLocal();
  let proxy: KmsProxy;
  let client: KMSClient;
  const keys = new Map<KeySpec, TestKey>();

  beforeAll(async () => {
    proxy = await startKmsProxy(env().kms);
    client = new KMSClient({ ...proxy.clientConfig, maxAttempts: 1 });
    for (const { spec } of CASES) if (!keys.has(spec)) keys.set(spec, await createKey(env().client, spec));
  }, 120_000);

  afterAll(async () => {
    client.destroy();
    await proxy.close();
  });

  function key(spec: KeySpec): TestKey {
    const found = keys.get(spec);
    if (found === undefined) throw new Error(`no ${spec} key`);
    return found;
  }

  function verifierFor(spec: KeySpec, options: { rejectHighS?: boolean } = {}): MessageVerifier {
    const { arn, pem } = key(spec);
    return createMessageVerifier({ keys: [{ kid: arn, key: pem }], maxMessageAgeSeconds: 300, nowMs: () => NOW * 1000 + 1000, ...options });
  }

  /** Signs and returns the message and the MessageType of the one Sign request that made it. */
  async function signed(spec: KeySpec, alg: JwsAlgorithm, content: MessageContent, options: Partial<KmsMessageSignerOptions> = {}): Promise<{ message: SignedMessage; messageType: unknown }> {
    const signer = createKmsMessageSigner({ keyId: key(spec).arn, algorithm: alg, client, nowMs: () => NOW * 1000, ...options });
    proxy.requests.length = 0;
    const message = await signer.sign(content);
    const signs = proxy.requests.filter((request) => request.operation === 'Sign');
    expect(signs).toHaveLength(1);
    return { message, messageType: signs[0]?.body['MessageType'] };
  }

  /** Checks both forms of a message with kms-jwt-verifier (low-S required) and, where it has the algorithm, with jose's compactVerify and flattenedVerify. */
  async function expectVerifies(spec: KeySpec, alg: JwsAlgorithm, message: SignedMessage, expected: unknown): Promise<void> {
    const verifier = verifierFor(spec, { rejectHighS: true });
    const isJson = message.contentType === 'application/json';
    for (const input of [message.jws, { jws: message.detachedJws, payload: message.payload }, { jws: message.detachedJws, payload: isJson ? message.payload.toString('utf8') : message.payload }]) {
      const verified = isJson ? await verifier.verify(input) : await verifier.verifyBytes(input);
      expect(verified.payload).toEqual(expected);
      expect(verified).toMatchObject({ messageId: message.messageId, key: key(spec).arn, contentType: message.contentType });
    }
    if (!joseSupports(alg)) {
      await expect(importSPKI(key(spec).pem, alg)).rejects.toBeInstanceOf(joseErrors.JOSENotSupported);
      return;
    }
    const publicKey = await importSPKI(key(spec).pem, alg);
    const compact = await compactVerify(message.jws, publicKey, { algorithms: [alg] });
    expect(Buffer.compare(Buffer.from(compact.payload), message.payload)).toBe(0);
    expect(compact.protectedHeader).toMatchObject({ alg, kid: key(spec).arn, typ: 'kms-jwt-message+jws', iat: NOW, jti: message.messageId });
    // RFC 7515 Appendix F: the recipient puts the payload it received back into the JWS to verify it.
    const [protectedHeader = '', , signature = ''] = message.detachedJws.split('.');
    const flattened = await flattenedVerify({ protected: protectedHeader, payload: message.payload.toString('base64url'), signature }, publicKey, { algorithms: [alg] });
    expect(Buffer.compare(Buffer.from(flattened.payload), message.payload)).toBe(0);
  }

  describe.each(CASES)('$alg ($spec)', ({ spec, alg, sizes }) => {
    it.each(sizes)('round-trips a %i-byte JSON value and %i bytes, compact and detached, with kms-jwt-verifier and jose', async (size) => {
      const json = jsonOfSize(size);
      const jsonMessage = (await signed(spec, alg, { json })).message;
      expect(jsonMessage.payload).toHaveLength(size);
      expect(jsonMessage.detachedJws).toMatch(/^[\w-]+\.\.[\w-]+$/);
      await expectVerifies(spec, alg, jsonMessage, json);

      const bytes = randomBytes(size);
      const bytesMessage = (await signed(spec, alg, { bytes, contentType: 'application/octet-stream' })).message;
      expect(Buffer.compare(bytesMessage.payload, bytes)).toBe(0);
      await expectVerifies(spec, alg, bytesMessage, bytes);
    });
  });

  it.each(SIZES)('signs %i bytes with ES256, as RAW up to 4096 bytes of signing input and as a DIGEST above, and verifies it', async (size) => {
    const json = jsonOfSize(size);
    const { message, messageType } = await signed('ECC_NIST_P256', 'ES256', { json });
    expect(message.payload).toHaveLength(size);
    const signingInputLength = message.jws.lastIndexOf('.');
    expect(messageType).toBe(signingInputLength > 4096 ? 'DIGEST' : 'RAW');
    await expectVerifies('ECC_NIST_P256', 'ES256', message, json);
  });

  it('carries typ, kid = the key ARN, cty, iat and the message id in the protected header, and exp listed in crit when it expires', async () => {
    const { arn } = key('ECC_NIST_P256');
    const plain = (await signed('ECC_NIST_P256', 'ES256', { json: { a: 1 } }, { generateMessageId: () => 'm-1' })).message;
    const header = JSON.parse(Buffer.from(plain.jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'ES256', kid: arn, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW, jti: 'm-1' });
    expect(plain).toMatchObject({ messageId: 'm-1', issuedAt: NOW, expiresAt: undefined, keyArn: arn, contentType: 'application/json' });

    const expiring = (await signed('ECC_NIST_P256', 'ES256', { bytes: Buffer.from('a,b\n'), contentType: 'text/csv; charset=utf-8' }, { expiresInSeconds: 60, header: { topic: 'orders' } })).message;
    const expiringHeader = JSON.parse(Buffer.from(expiring.detachedJws.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(expiringHeader).toMatchObject({ cty: 'text/csv; charset=utf-8', exp: NOW + 60, crit: ['exp'], topic: 'orders' });
    expect(expiring.expiresAt).toBe(NOW + 60);
    const verified = await verifierFor('ECC_NIST_P256').verifyBytes(expiring.jws);
    expect(verified.header).toMatchObject({ exp: NOW + 60, topic: 'orders' });
    expect(verified.contentType).toBe('text/csv; charset=utf-8');
  });

  it('makes a generic JWS library refuse an expiring message unless it says it checks exp (crit), and jose jwtVerify refuse it as a JWT by typ', async () => {
    const { pem } = key('ECC_NIST_P256');
    const publicKey = await importSPKI(pem, 'ES256');
    const expiring = (await signed('ECC_NIST_P256', 'ES256', { json: { a: 1 } }, { expiresInSeconds: 60 })).message;
    await expect(compactVerify(expiring.jws, publicKey)).rejects.toBeInstanceOf(joseErrors.JOSENotSupported);
    expect((await compactVerify(expiring.jws, publicKey, { crit: { exp: true } })).protectedHeader.exp).toBe(NOW + 60);
    const plain = (await signed('ECC_NIST_P256', 'ES256', { json: { sub: 'user-1' } })).message;
    await expect(jwtVerify(plain.jws, publicKey, { typ: 'JWT', currentDate: new Date(NOW * 1000) })).rejects.toBeInstanceOf(joseErrors.JWTClaimValidationFailed);
  });

  it('signs a 256 KiB payload but refuses one byte more before any KMS call (ERR_MESSAGE_TOO_LARGE)', async () => {
    const signer = createKmsMessageSigner({ keyId: key('ECC_NIST_P256').arn, client });
    expect((await signer.sign({ bytes: Buffer.alloc(262_144, 0x61), contentType: 'text/plain' })).payload).toHaveLength(262_144);
    proxy.requests.length = 0;
    const error = await expectSignerError(signer.sign({ bytes: Buffer.alloc(262_145, 0x61), contentType: 'text/plain' }), MessageTooLargeError, 'ERR_MESSAGE_TOO_LARGE');
    expect(error.message).toContain('maxPayloadBytes (262144)');
    expect(proxy.requests).toEqual([]);
    const small = createKmsMessageSigner({ keyId: key('ECC_NIST_P256').arn, client, maxPayloadBytes: 10 });
    await expectSignerError(small.sign({ json: 'x'.repeat(9) }), MessageTooLargeError, 'ERR_MESSAGE_TOO_LARGE');
  });

  it('refuses a header longer than verifiers accept (7168 characters encoded) before any Sign call', async () => {
    const signer = createKmsMessageSigner({ keyId: key('ECC_NIST_P256').arn, client });
    proxy.requests.length = 0;
    const error = await expectSignerError(signer.sign({ json: 1 }, { header: { note: 'n'.repeat(6000) } }), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.field).toBe('header');
    expect(proxy.requests.filter((request) => request.operation === 'Sign')).toEqual([]);
    expect((await signer.sign({ json: 1 }, { header: { note: 'n'.repeat(4000) } })).detachedJws.length).toBeLessThanOrEqual(8192);
  });

  it('refuses an Ed25519 message whose signing input is over 4096 bytes (EdDSA cannot sign a digest)', async () => {
    const signer = createKmsMessageSigner({ keyId: key('ECC_NIST_EDWARDS25519').arn, client });
    const error = await expectSignerError(signer.sign({ json: jsonOfSize(4096) }), Ed25519InputTooLargeError, 'ERR_INPUT_TOO_LARGE_FOR_ED25519');
    expect(error.message).toContain('make the message smaller');
  });

  describe('explicit typing, with one key that signs both access tokens and messages', () => {
    it('an access token is refused as a message, and a message whose payload is a valid claims set is refused as an access token', async () => {
      const { arn, pem } = key('ECC_NIST_P256');
      const tokens = createKmsJwtSigner({ keyId: arn, client, expiresInSeconds: 300, issuer: 'https://issuer.example', audience: 'orders-api', nowMs: () => NOW * 1000 });
      const token = await tokens.sign({ sub: 'user-1' });
      const claims = { sub: 'user-1', iss: 'https://issuer.example', aud: 'orders-api', iat: NOW, exp: NOW + 300 };
      const message = (await signed('ECC_NIST_P256', 'ES256', { json: claims })).message;

      const tokenVerifier = createVerifier({ keys: [{ kid: arn, key: pem }], issuer: 'https://issuer.example', audience: 'orders-api', nowMs: () => NOW * 1000 });
      expect((await tokenVerifier.verify(token)).payload.sub).toBe('user-1');
      for (const jws of [message.jws, message.detachedJws]) {
        await expect(tokenVerifier.verify(jws)).rejects.toBeInstanceOf(TokenIsMessageError);
        await expect(tokenVerifier.verify(jws, { typ: 'kms-jwt-message+jws' })).rejects.toMatchObject({ code: 'ERR_TOKEN_IS_MESSAGE', status: 401 });
      }
      const messages = verifierFor('ECC_NIST_P256');
      expect((await messages.verify(message.jws)).payload).toEqual(claims);
      await expect(messages.verify(token)).rejects.toBeInstanceOf(MessageTypeInvalidError);
      await expect(messages.verifyBytes(token)).rejects.toMatchObject({ code: 'ERR_MESSAGE_TYPE_INVALID', status: 401 });
    });

    it('the token signer refuses to make a token typed as a message', () => {
      const error = expectSignerThrow(() => createKmsJwtSigner({ keyId: key('ECC_NIST_P256').arn, client, expiresInSeconds: 300, typ: 'application/kms-jwt-message+jws' }), SignerConfigError, 'ERR_CONFIG_INVALID');
      expect(error.message).toContain('createKmsMessageSigner');
    });
  });

  describe('tampering and trust', () => {
    it('refuses a body that was changed, a signature made by another key, and a kid no one trusts', async () => {
      const a = key('ECC_NIST_P256');
      const b = key('ECC_SECG_P256K1');
      const message = (await signed('ECC_NIST_P256', 'ES256', { json: { order: 'o-1', total: 10 } })).message;
      const verifier = verifierFor('ECC_NIST_P256');
      await expect(verifier.verify({ jws: message.detachedJws, payload: '{"order":"o-1","total":1000}' })).rejects.toBeInstanceOf(SignatureInvalidError);

      // Another P-256 key's signature over the same header and payload, under A's kid.
      const c = await createKey(env().client, 'ECC_NIST_P256');
      const byC = (await createKmsMessageSigner({ keyId: c.arn, client, nowMs: () => NOW * 1000 }).sign({ json: { order: 'o-1', total: 10 } })).jws;
      const [header, payload] = message.jws.split('.');
      await expect(verifier.verify(`${header}.${payload}.${byC.split('.')[2] ?? ''}`)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' });
      await expect(verifier.verify(byC)).rejects.toBeInstanceOf(KidUntrustedError);
      const byB = (await createKmsMessageSigner({ keyId: b.arn, client, nowMs: () => NOW * 1000 }).sign({ json: { order: 'o-1' } })).jws;
      await expect(verifier.verify(byB)).rejects.toMatchObject({ code: 'ERR_KID_UNTRUSTED' });
      expect(a.arn).not.toBe(b.arn);
    });

    it('asks the replay hook once per message and refuses the second delivery', async () => {
      const seen = new Set<string>();
      const { arn, pem } = key('ECC_NIST_P256');
      const verifier = createMessageVerifier({
        keys: [{ kid: arn, key: pem }],
        maxMessageAgeSeconds: 300,
        nowMs: () => NOW * 1000,
        isReplayed: async ({ messageId, key: keyArn }) => {
          const id = `${keyArn}/${messageId}`;
          const replay = seen.has(id);
          seen.add(id);
          return replay;
        },
      });
      const message = (await signed('ECC_NIST_P256', 'ES256', { json: { order: 'o-1' } })).message;
      expect((await verifier.verify({ jws: message.detachedJws, payload: message.payload })).messageId).toBe(message.messageId);
      await expect(verifier.verify({ jws: message.detachedJws, payload: message.payload })).rejects.toMatchObject({ code: 'ERR_MESSAGE_REPLAYED', claim: 'jti' });
      expect(seen).toEqual(new Set([`${arn}/${message.messageId}`]));
    });
  });
});

describe('createKmsMessageSigner input checks (no KMS call is made)', () => {
  const client = new KMSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  const signer = createKmsMessageSigner({ keyId: 'alias/never-called', client });

  it.each([
    ['undefined as json', { json: undefined }, 'json'],
    ['a function as json', { json: () => 1 }, 'json'],
    ['a BigInt', { json: { n: 1n } }, 'json'],
    ['both json and bytes', { json: 1, bytes: Buffer.from('1'), contentType: 'application/json' }, 'content'],
    ['neither', {}, 'content'],
    ['a string as bytes', { bytes: 'abc', contentType: 'text/plain' }, 'bytes'],
    ['bytes without a content type', { bytes: Buffer.from('abc') }, 'contentType'],
    ['a content type that is not one', { bytes: Buffer.from('abc'), contentType: 'text' }, 'contentType'],
    ['a json message typed as text', { json: 'a', contentType: 'text/plain' }, 'contentType'],
    ['empty bytes', { bytes: Buffer.alloc(0), contentType: 'text/plain' }, 'bytes'],
    ['JSON-typed bytes that are not JSON', { bytes: Buffer.from('{"a":'), contentType: 'application/json' }, 'bytes'],
    ['JSON-typed bytes that are not UTF-8', { bytes: Buffer.from([0x22, 0xff, 0x22]), contentType: 'application/json' }, 'bytes'],
  ])('refuses %s with ERR_MESSAGE_INVALID', async (_name, content, field) => {
    const error = await expectSignerError(signer.sign(content as unknown as MessageContent), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.field).toBe(field);
  });

  it.each([
    ['typ', { typ: 'JWT' }],
    ['jti', { jti: 'x' }],
    ['exp', { exp: 1 }],
    ['crit', { crit: ['topic'] }],
    ['jku', { jku: 'https://attacker.example' }],
    ['cty', { cty: 'json' }],
  ])('refuses a header parameter %s, per call and at construction', async (name, header) => {
    const error = await expectSignerError(signer.sign({ json: 1 }, { header }), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.field).toBe(`header.${name}`);
    expectSignerThrow(() => createKmsMessageSigner({ keyId: 'alias/x', client, header }), SignerConfigError, 'ERR_CONFIG_INVALID');
  });

  it('refuses a bad messageId or expiresInSeconds per call', async () => {
    expect((await expectSignerError(signer.sign({ json: 1 }, { messageId: '' }), MessageInvalidError, 'ERR_MESSAGE_INVALID')).field).toBe('messageId');
    expect((await expectSignerError(signer.sign({ json: 1 }, { expiresInSeconds: 0 }), MessageInvalidError, 'ERR_MESSAGE_INVALID')).field).toBe('expiresInSeconds');
    const empty = createKmsMessageSigner({ keyId: 'alias/x', client, generateMessageId: () => '' });
    expect((await expectSignerError(empty.sign({ json: 1 }), MessageInvalidError, 'ERR_MESSAGE_INVALID')).field).toBe('messageId');
  });

  it.each([
    ['no keyId', {}, /keyId is required/],
    ['expiresInSeconds 0', { keyId: 'k', expiresInSeconds: 0 }, /expiresInSeconds must be/],
    ['generateMessageId not a function', { keyId: 'k', generateMessageId: 'id' }, /generateMessageId must be/],
    ['maxPayloadBytes 0', { keyId: 'k', maxPayloadBytes: 0 }, /maxPayloadBytes must be/],
    ['algorithm HS256', { keyId: 'k', algorithm: 'HS256' }, /algorithm must be one of/],
    ['a trustedEndpoint that is not an http(s) URL', { keyId: 'k', trustedEndpoint: 'kms-proxy.internal' }, /trustedEndpoint must be the http:\/\/ or https:\/\/ URL/],
    ['not an object', 'alias/x', /needs an options object/],
  ])('refuses %s at construction with ERR_CONFIG_INVALID', (_name, options, message) => {
    const error = expectSignerThrow(() => createKmsMessageSigner(options as unknown as KmsMessageSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID');
    expect(error.message).toMatch(message);
  });

  it('never puts the payload in an error message', async () => {
    const secret = 'card-4111-1111-1111-1111';
    const errors = [
      await signer.sign({ bytes: Buffer.from(`{"${secret}":`), contentType: 'application/json' }).catch((error: unknown) => error),
      await signer.sign({ bytes: Buffer.from(secret.repeat(20_000)), contentType: 'text/plain' }).catch((error: unknown) => error),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      expect(String(error)).not.toContain(secret);
    }
  });
});
