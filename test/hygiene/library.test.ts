// Logging hygiene of the libraries: every error code of kms-jwt-verifier, kms-pubkey-provider's
// failures and hook events (KMS faults injected in kms-local), and kms-jwt-signer's errors, each
// captured as an application would log it; no token, token segment, signing input, signature or
// private key material of kms-local may appear in the capture.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, UpdateAliasCommand, type KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner, createKmsMessageSigner, type KmsJwtSigner } from 'kms-jwt-signer';
import { createMessageVerifier, createVerifier, type KmsJwtErrorCode, type Verifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KeyProviderHooks } from 'kms-pubkey-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, createKey, ISSUER } from '../adapters/support/kms.js';
import { LogCapture } from './support/capture.js';
import { privateKeysOfDataFile } from './support/secrets.js';
import { expectClean, startHygieneWorld, type HygieneWorld } from './support/world.js';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ROTATING_ALIAS = 'alias/hygiene-rotating';

/** What a rejected promise rejected with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>, what = 'the call'): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${what} to fail`);
}

/** What a call threw (fails the test when it returns). */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

let hw: HygieneWorld;
let admin: KMSClient;
let signer: KmsJwtSigner;
const keys = { rotatingFirst: '', rotatingSecond: '', faulty: '', disabled: '', symmetric: '', ed25519: '' };

beforeAll(async () => {
  hw = await startHygieneWorld();
  admin = hw.recordingClient();
  signer = createKmsJwtSigner({ keyId: hw.world.currentKeyArn, client: admin, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE });
  // Every key is made here, before kms-local's private keys are read.
  keys.rotatingFirst = await createKey(admin);
  keys.rotatingSecond = await createKey(admin);
  await admin.send(new CreateAliasCommand({ AliasName: ROTATING_ALIAS, TargetKeyId: keys.rotatingFirst }));
  keys.faulty = await createKey(admin);
  keys.disabled = await createKey(admin);
  await admin.send(new DisableKeyCommand({ KeyId: keys.disabled }));
  const created = async (KeySpec: 'SYMMETRIC_DEFAULT' | 'ECC_NIST_EDWARDS25519') =>
    (await admin.send(new CreateKeyCommand({ KeySpec, KeyUsage: KeySpec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
  keys.symmetric = await created('SYMMETRIC_DEFAULT');
  keys.ed25519 = await created('ECC_NIST_EDWARDS25519');
  hw.loadPrivateKeys();
});

afterAll(async () => {
  hw?.world.kmsLocal.faults.clear();
  await hw?.close();
});

/** The order n of P-256 (ES256): s and n − s both verify. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Signs through KMS and adds the token to the run's secrets. */
async function signed(claims: Record<string, unknown>, options?: Parameters<KmsJwtSigner['sign']>[1], by: KmsJwtSigner = signer): Promise<string> {
  const token = await by.sign(claims, options);
  hw.secrets.addToken(token, `signed for ${Object.keys(claims).join(',')}`);
  return token;
}

describe('logging hygiene: kms-jwt-verifier', () => {
  it('logs every verifier error code without a token, a token segment or key material', async () => {
    const capture = new LogCapture();
    const restore = capture.captureConsole();
    try {
      const { verifier, coldVerifier, tokens } = hw.world;
      const [header, payload, signature] = tokens.current.split('.') as [string, string, string];
      const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
      const kid = hw.world.currentKeyArn;
      const [privateKeyPem] = [...privateKeysOfDataFile(hw.dataFile).values()] as [string];
      const crafted = (value: string): string => {
        hw.secrets.addToken(value, 'crafted from the current token');
        return value;
      };
      const now = nowSeconds();
      const withValidate: Verifier = createVerifier({
        keys: hw.world.provider,
        issuer: ISSUER,
        audience: AUDIENCE,
        validate: () => {
          throw new Error('the session behind this token was closed');
        },
      });

      // A custom resolver that answers a key node:crypto cannot check ES256 with: a fault of the verifier's environment.
      const unusableKey = { id: kid, algorithms: ['ES256' as const], publicKey: generateKeyPairSync('ed25519').publicKey };
      const unusable: Verifier = createVerifier({ keys: { resolve: (id: string) => (id === kid ? unusableKey : undefined) }, issuer: ISSUER, audience: AUDIENCE });

      const strict: Verifier = createVerifier({ keys: hw.world.provider, issuer: ISSUER, audience: AUDIENCE, rejectHighS: true });
      // The same signature as (r, n − s): it verifies, but is not in the low-S form the signer emits.
      const highS = (() => {
        const bytes = Buffer.from(signature, 'base64url');
        const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
        bytes.set(Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex'), 32);
        return bytes.toString('base64url');
      })();

      // A signed message by the key that signs the tokens: its JWS, payload and id are secrets too.
      const message = await createKmsMessageSigner({ keyId: kid, client: admin }).sign({ json: { order: 'o-1', card: 'message-payload-secret-7c1d94e2b5' } });
      hw.secrets.addToken(message.jws, 'signed message');
      hw.secrets.addToken(message.detachedJws, 'signed message (detached)');
      hw.secrets.addBytes(message.payload, 'signed message payload');
      hw.secrets.addBytes(Buffer.from(message.messageId), 'signed message id');
      const textMessage = await createKmsMessageSigner({ keyId: kid, client: admin }).sign({ bytes: Buffer.from('a text message, secret-text-payload-0e6b21f9'), contentType: 'text/plain' });
      hw.secrets.addToken(textMessage.jws, 'signed text message');
      hw.secrets.addBytes(textMessage.payload, 'signed text message payload');
      const messages = createMessageVerifier({ keys: hw.world.provider, maxMessageAgeSeconds: 300 });
      const replaying = createMessageVerifier({ keys: hw.world.provider, maxMessageAgeSeconds: 300, isReplayed: () => true });
      const replayStoreDown = createMessageVerifier({
        keys: hw.world.provider,
        maxMessageAgeSeconds: 300,
        isReplayed: () => Promise.reject(new Error('the replay table is unavailable')),
      });
      const changedPayload = Buffer.from(message.payload.toString('utf8').replace('o-1', 'o-2'));
      hw.secrets.addBytes(changedPayload, 'changed message payload');

      const cases: [KmsJwtErrorCode, () => Promise<unknown>][] = [
        ['ERR_TOKEN_MALFORMED', () => verifier.verify(crafted(`${header}.${payload}`))],
        ['ERR_TOKEN_MALFORMED', () => verifier.verify(crafted(`${tokens.current}.${signature}`))],
        ['ERR_TOKEN_MALFORMED', () => verifier.verify(crafted(`${header}.${payload}.${signature}~`))],
        ['ERR_TOKEN_MALFORMED', () => verifier.verify(crafted(`${encode('not an object')}.${payload}.${signature}`))],
        ['ERR_TOKEN_TOO_LARGE', async () => verifier.verify(await signed({ sub: 'user-1', pad: 'x'.repeat(9000) }))],
        ['ERR_JWS_HEADER_UNSUPPORTED', async () => verifier.verify(await signed({ sub: 'user-1' }, { header: { jku: 'https://attacker.example/jwks.json' } }))],
        ['ERR_JWS_HEADER_UNSUPPORTED', async () => verifier.verify(await signed({ sub: 'user-1' }, { header: { crit: ['exp'] } }))],
        ['ERR_ALG_NOT_ALLOWED', () => verifier.verify(crafted(`${encode({ alg: 'none', kid })}.${payload}.${signature}`))],
        ['ERR_ALG_NOT_ALLOWED', () => verifier.verify(crafted(`${encode({ alg: 'HS256', kid })}.${payload}.${signature}`))],
        ['ERR_ALG_NOT_ALLOWED', () => verifier.verify(crafted(`${encode({ alg: 'ES384', kid, typ: 'JWT' })}.${payload}.${signature}`))],
        ['ERR_JWS_SIGNATURE_INVALID', () => verifier.verify(crafted(`${header}.${payload}.${flipped}`))],
        ['ERR_JWS_SIGNATURE_INVALID', () => verifier.verify(crafted(`${header}.${tokens.previous.split('.')[1]}.${signature}`))],
        ['ERR_KID_MISSING', () => verifier.verify(crafted(`${encode({ alg: 'ES256', typ: 'JWT' })}.${payload}.${signature}`))],
        ['ERR_KID_UNTRUSTED', () => verifier.verify(tokens.untrusted)],
        ['ERR_JWT_EXPIRED', () => verifier.verify(tokens.expired)],
        ['ERR_JWT_NOT_YET_VALID', async () => verifier.verify(await signed({ sub: 'user-1', nbf: now + 600 }))],
        ['ERR_JWT_ISSUED_IN_FUTURE', async () => verifier.verify(await signed({ sub: 'user-1', iat: now + 600 }))],
        ['ERR_JWT_TOO_OLD', async () => verifier.verify(await signed({ sub: 'user-1', iat: now - 600 }), { maxTokenAgeSeconds: 60 })],
        ['ERR_JWT_LIFETIME_TOO_LONG', async () => verifier.verify(await signed({ sub: 'user-1', exp: now + 400 * 86_400 }))],
        ['ERR_JWS_SIGNATURE_HIGH_S', () => strict.verify(crafted(`${header}.${payload}.${highS}`))],
        ['ERR_JWT_CLAIM_MISSING', () => verifier.verify(tokens.current, { requiredClaims: ['exp', 'nonce'] })],
        ['ERR_JWT_CLAIM_MISSING', () => verifier.verify(tokens.current, { subject: 'user-2', requiredClaims: ['exp', 'cnf'] })],
        ['ERR_JWT_CLAIM_INVALID', () => verifier.verify(tokens.current, { audience: 'billing-api' })],
        ['ERR_JWT_CLAIM_INVALID', () => verifier.verify(tokens.current, { subject: 'user-2' })],
        ['ERR_JWT_CLAIM_INVALID', () => withValidate.verify(tokens.current)],
        ['ERR_KEY_SOURCE_UNAVAILABLE', () => coldVerifier.verify(tokens.current)],
        ['ERR_SIGNATURE_CHECK_UNAVAILABLE', () => unusable.verify(tokens.current)],
        ['ERR_TOKEN_IS_MESSAGE', () => verifier.verify(message.jws)],
        ['ERR_TOKEN_IS_MESSAGE', () => verifier.verify(message.detachedJws)],
        ['ERR_MESSAGE_TYPE_INVALID', () => messages.verify(tokens.current)],
        ['ERR_MESSAGE_REPLAYED', () => replaying.verify({ jws: message.detachedJws, payload: message.payload })],
        ['ERR_REPLAY_CHECK_UNAVAILABLE', () => replayStoreDown.verify(message.jws)],
        ['ERR_JWS_SIGNATURE_INVALID', () => messages.verify({ jws: message.detachedJws, payload: changedPayload })],
        ['ERR_JWT_CLAIM_INVALID', () => messages.verify(textMessage.jws)],
        ['ERR_TOKEN_MALFORMED', () => messages.verify({ jws: message.detachedJws })],
        ['ERR_CONFIG_INVALID', () => verifier.verify(tokens.current, { clockToleranceSeconds: -1 })],
        // A private key given where a public key belongs: the error must not repeat it.
        ['ERR_CONFIG_INVALID', async () => createVerifier({ keys: [{ kid, key: privateKeyPem }], issuer: ISSUER, audience: AUDIENCE })],
      ];
      for (const [index, [code, run]] of cases.entries()) {
        const error = await failure(run(), `case ${index} (${code})`);
        expect(error, code).toMatchObject({ code });
        capture.record(`verifier rejected with ${code}`, error);
        console.error('verification failed:', error);
      }
      const misconfigured = thrown(() => createVerifier({ keys: hw.world.provider, audience: AUDIENCE } as unknown as Parameters<typeof createVerifier>[0]));
      expect(misconfigured).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
      capture.record('createVerifier rejected its options', misconfigured);

      const allCodes: KmsJwtErrorCode[] = [
        'ERR_TOKEN_MALFORMED',
        'ERR_TOKEN_TOO_LARGE',
        'ERR_JWS_HEADER_UNSUPPORTED',
        'ERR_ALG_NOT_ALLOWED',
        'ERR_JWS_SIGNATURE_INVALID',
        'ERR_KID_MISSING',
        'ERR_KID_UNTRUSTED',
        'ERR_JWT_EXPIRED',
        'ERR_JWT_NOT_YET_VALID',
        'ERR_JWT_ISSUED_IN_FUTURE',
        'ERR_JWT_TOO_OLD',
        'ERR_JWT_LIFETIME_TOO_LONG',
        'ERR_JWS_SIGNATURE_HIGH_S',
        'ERR_JWT_CLAIM_MISSING',
        'ERR_JWT_CLAIM_INVALID',
        'ERR_TOKEN_IS_MESSAGE',
        'ERR_MESSAGE_TYPE_INVALID',
        'ERR_MESSAGE_REPLAYED',
        'ERR_KEY_SOURCE_UNAVAILABLE',
        'ERR_SIGNATURE_CHECK_UNAVAILABLE',
        'ERR_REPLAY_CHECK_UNAVAILABLE',
        'ERR_CONFIG_INVALID',
      ];
      expect(new Set(cases.map(([code]) => code))).toEqual(new Set(allCodes));
      expectClean(capture, hw.secrets, [
        ...allCodes.map((code) => `verifier rejected with ${code}`),
        'console.error',
        'KMSInternalException',
        'the session behind this token was closed',
        'the replay table is unavailable',
      ]);
    } finally {
      restore();
    }
  });
});

describe('logging hygiene: kms-pubkey-provider', () => {
  it('logs KMS failures, untrusted keys, rotations and their errors without token or key material', async () => {
    const capture = new LogCapture();
    const restore = capture.captureConsole();
    const { kmsLocal } = hw.world;
    const hooks: KeyProviderHooks = {
      onKeyFetched: (event) => capture.record('onKeyFetched', event),
      onKeyFetchFailed: (event) => capture.record('onKeyFetchFailed', event),
      onKeyUntrusted: (event) => capture.record('onKeyUntrusted', event),
      onRotation: (event) => capture.record('onRotation', event),
    };
    const providers: { close(): void }[] = [];
    const provider = (options: Omit<Parameters<typeof createKmsKeyProvider>[0], 'client'>, client: KMSClient = hw.recordingClient()) => {
      const created = createKmsKeyProvider({ client, ...hooks, ...options });
      providers.push(created);
      return created;
    };
    try {
      // A rotation, then the end of the old key's grace window.
      const rotating = provider({ keys: [ROTATING_ALIAS], aliasRefreshMs: 1, retiredKeyGraceMs: 30 });
      await rotating.ready();
      const rotatingSigner = createKmsJwtSigner({ keyId: ROTATING_ALIAS, client: admin, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE, aliasCacheMaxAgeMs: 0 });
      const beforeRotation = await signed({ sub: 'user-1' }, undefined, rotatingSigner);
      await admin.send(new UpdateAliasCommand({ AliasName: ROTATING_ALIAS, TargetKeyId: keys.rotatingSecond }));
      await sleep(5);
      await rotating.ready();
      await sleep(40);
      const afterGrace = await failure(createVerifier({ keys: rotating, issuer: ISSUER, audience: AUDIENCE }).verify(beforeRotation));
      expect(afterGrace).toMatchObject({ code: 'ERR_KID_UNTRUSTED' });
      capture.record('verify after the grace window', afterGrace);

      // Throttling, a 5xx outage, a dropped connection and a timeout, each with nothing cached.
      const faulty = await signed({ sub: 'user-1' }, undefined, createKmsJwtSigner({ keyId: keys.faulty, client: admin, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE }));
      const faults = [
        { rule: { type: 'throttle', operations: ['GetPublicKey'] }, options: {} },
        { rule: { type: 'unavailable', operations: ['GetPublicKey'] }, options: {} },
        { rule: { type: 'disconnect', operations: ['GetPublicKey'] }, options: {} },
        { rule: { type: 'latency', operations: ['GetPublicKey'], latencyMs: 300 }, options: { requestTimeoutMs: 50 } },
      ] as const;
      for (const { rule, options } of faults) {
        const remove = kmsLocal.faults.inject(rule);
        try {
          const down = provider({ keys: [keys.faulty], ...options });
          capture.record(`ready() under a ${rule.type} fault`, await failure(down.ready()));
          const error = await failure(createVerifier({ keys: down, issuer: ISSUER, audience: AUDIENCE }).verify(faulty));
          expect(error).toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE' });
          capture.record(`verify under a ${rule.type} fault`, error);
          console.warn('key source unavailable:', error);
        } finally {
          remove();
        }
      }
      const removeDescribe = kmsLocal.faults.inject({ type: 'unavailable', operations: ['DescribeKey'] });
      try {
        const unresolved = provider({ keys: [ROTATING_ALIAS] });
        capture.record('ready() with DescribeKey failing', await failure(unresolved.ready()));
        capture.record('verify with DescribeKey failing', await failure(createVerifier({ keys: unresolved, issuer: ISSUER, audience: AUDIENCE }).verify(hw.world.tokens.current)));
      } finally {
        removeDescribe();
      }

      // Keys KMS refuses: disabled, unknown.
      const unknownArn = `arn:aws:kms:${kmsLocal.region}:${kmsLocal.accountId}:key/00000000-0000-4000-8000-000000000000`;
      for (const [what, keyList] of [['disabled', [keys.disabled]], ['unknown', [unknownArn]], ['disabled and an unknown', [keys.disabled, unknownArn]]] as const) {
        const error = await failure(provider({ keys: keyList }).ready());
        expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
        capture.record(`ready() for a ${what} key`, error);
      }
      // A private key given as an offline (public) key, inline and as JWK.
      const [privateKeyPem] = [...privateKeysOfDataFile(hw.dataFile).values()] as [string];
      const privateJwk = createPrivateKey(privateKeyPem).export({ format: 'jwk' });
      for (const key of [privateKeyPem, privateJwk, JSON.stringify(privateJwk)]) {
        const outcome = await Promise.resolve()
          .then(() => createKmsKeyProvider({ offlineKeys: [{ kid: hw.world.currentKeyArn, key }] }))
          .then(
            (created) => created,
            (error: unknown) => error,
          );
        capture.record('offlineKeys given a private key', outcome);
      }

      expectClean(capture, hw.secrets, [
        'onKeyFetched',
        'onKeyFetchFailed',
        'onKeyUntrusted',
        'onRotation',
        'ThrottlingException',
        'KMSInternalException',
        'grace-ended',
        "reason: 'disabled'",
        "reason: 'not-found'",
        'AggregateError',
        'ERR_KEY_SOURCE_UNAVAILABLE',
        'ERR_CONFIG_INVALID',
        'ERR_KID_UNTRUSTED',
        'console.warn',
      ]);
      expect(capture.text).toMatch(/TimeoutError|AbortError/);
      expect(capture.text).toMatch(/ECONNRESET|socket hang up/);
    } finally {
      for (const created of providers) created.close();
      restore();
    }
  });
});

describe('logging hygiene: kms-jwt-signer', () => {
  it('logs every signer failure without the signing input, a signature or key material', async () => {
    const capture = new LogCapture();
    const restore = capture.captureConsole();
    const { kmsLocal } = hw.world;
    const signerFor = (keyId: string, options: Partial<Parameters<typeof createKmsJwtSigner>[0]> = {}, client: KMSClient = hw.recordingClient()) =>
      createKmsJwtSigner({ keyId, client, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE, ...options });
    const claims = { sub: 'user-1', scope: 'orders:read' };
    /** A client whose Sign answers carry the signature of another message: valid DER, wrong signature. */
    const otherMessage = (): KMSClient => {
      const client = hw.recordingClient();
      const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
      Object.assign(client, {
        send: (command: unknown) => {
          const input = (command as { input?: { Message?: Uint8Array } }).input;
          if (command?.constructor.name === 'SignCommand' && input?.Message !== undefined) Object.assign(input, { Message: Buffer.from('another message entirely') });
          return send(command);
        },
      });
      return client;
    };
    /** A client whose Sign answers carry a signature cut short: not DER. */
    const truncated = (): KMSClient => {
      const client = hw.recordingClient();
      const send = client.send.bind(client) as (command: unknown) => Promise<Record<string, unknown>>;
      Object.assign(client, {
        send: async (command: unknown) => {
          const output = await send(command);
          const signature = output['Signature'];
          return signature instanceof Uint8Array ? { ...output, Signature: signature.subarray(0, signature.length - 3) } : output;
        },
      });
      return client;
    };
    const messageSigner = createKmsMessageSigner({ keyId: hw.world.currentKeyArn, client: hw.recordingClient() });
    const notJson = Buffer.from('{"card":"message-input-secret-41d7a9c03e","total":');
    const tooLarge = Buffer.from('message-input-secret-0b93e5d7c1/'.repeat(9000));
    hw.secrets.addBytes(notJson, 'a message that is not JSON');
    hw.secrets.addBytes(tooLarge.subarray(0, 640), 'a message too large');
    try {
      const cases: [string, () => Promise<unknown>][] = [
        ['ERR_CONFIG_INVALID', async () => signerFor('')],
        ['ERR_CLAIMS_INVALID', () => signer.sign({ ...claims, exp: 'tomorrow' as unknown as number })],
        ['ERR_CLAIMS_INVALID', () => signer.sign(claims, { header: { kid: 'arn:aws:kms:us-east-1:111122223333:key/forged' } })],
        ['ERR_CLAIMS_INVALID', () => signer.sign({ ...claims, big: 10n })],
        ['ERR_KMS_KEY_NOT_FOUND', () => signerFor(`arn:aws:kms:${kmsLocal.region}:${kmsLocal.accountId}:key/00000000-0000-4000-8000-000000000000`).sign(claims)],
        ['ERR_KMS_KEY_DISABLED', () => signerFor(keys.disabled).sign(claims)],
        ['ERR_KMS_KEY_USAGE_INVALID', () => signerFor(keys.symmetric).sign(claims)],
        ['ERR_ALG_NOT_SUPPORTED_BY_KEY', () => signerFor(hw.world.currentKeyArn, { algorithm: 'RS256' }).sign(claims)],
        ['ERR_INPUT_TOO_LARGE_FOR_ED25519', () => signerFor(keys.ed25519).sign({ ...claims, pad: 'x'.repeat(5000) })],
        ['ERR_MESSAGE_INVALID', () => messageSigner.sign({ bytes: notJson, contentType: 'application/json' })],
        ['ERR_MESSAGE_TOO_LARGE', () => messageSigner.sign({ bytes: tooLarge, contentType: 'text/plain' })],
        ['ERR_INPUT_TOO_LARGE_FOR_ED25519', () => createKmsMessageSigner({ keyId: keys.ed25519, client: hw.recordingClient() }).sign({ bytes: tooLarge.subarray(0, 5000), contentType: 'text/plain' })],
        ['ERR_KMS_SIGNATURE_INVALID', () => signerFor(hw.world.currentKeyArn, {}, truncated()).sign(claims)],
        ['ERR_KMS_SIGNATURE_INVALID', () => signerFor(hw.world.currentKeyArn, { selfVerify: true }, otherMessage()).sign(claims)],
      ];
      const faulted: [string, Parameters<typeof kmsLocal.faults.inject>[0]][] = [
        ['ERR_KMS_THROTTLED', { type: 'throttle', operations: ['Sign'] }],
        ['ERR_KMS_UNAVAILABLE', { type: 'unavailable', operations: ['Sign'] }],
        ['ERR_KMS_UNAVAILABLE', { type: 'disconnect', operations: ['Sign'] }],
        ['ERR_KMS_UNAVAILABLE', { type: 'unavailable', operations: ['DescribeKey'], errorType: 'DependencyTimeoutException' }],
      ];
      for (const [code, rule] of faulted) {
        cases.push([
          code,
          async () => {
            const remove = kmsLocal.faults.inject(rule);
            try {
              return await signerFor(hw.world.currentKeyArn).sign(claims);
            } finally {
              remove();
            }
          },
        ]);
      }
      for (const [index, [code, run]] of cases.entries()) {
        const error = await failure(run(), `case ${index} (${code})`);
        expect(error, code).toMatchObject({ code });
        capture.record(`signer failed with ${code}`, error);
        console.error('could not issue a token:', error);
      }
      expectClean(capture, hw.secrets, [...new Set(cases.map(([code]) => `signer failed with ${code}`)), 'ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException', 'console.error']);
    } finally {
      restore();
    }
  });
});

describe('logging hygiene: the scanner itself', () => {
  it('finds a token segment, a truncated signature, a signing input sent to KMS and a private key line when they are planted', () => {
    const { tokens } = hw.world;
    const [, payload, signature] = tokens.current.split('.') as [string, string, string];
    const [pem] = [...privateKeysOfDataFile(hw.dataFile).values()] as [string];
    const pemLine = pem.split('\n')[2] as string;
    const planted = [
      `token=${tokens.current}`,
      `payload ${payload}`,
      `sig …${signature.slice(20, 50)}…`,
      `input ${Buffer.from(tokens.expired.split('.').slice(0, 2).join('.')).toString('base64')}`,
      `key line ${pemLine}`,
      '-----BEGIN PRIVATE KEY-----',
    ];
    for (const text of planted) expect(hw.secrets.findLeaks(`some log line: ${text} and more`), text.slice(0, 10)).not.toEqual([]);
    expect(hw.secrets.findLeaks(`${thrown(() => JSON.parse('{')) as Error} ${hw.world.currentKeyArn} ERR_JWT_EXPIRED`)).toEqual([]);
  });
});
