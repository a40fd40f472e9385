import { createPublicKey, type KeyObject } from 'node:crypto';
import { CreateAliasCommand, CreateKeyCommand, GetPublicKeyCommand, KMSClient, type KeySpec, type KeyUsageType } from '@aws-sdk/client-kms';
import { startKmsLocal, type KmsLocal, type KmsLocalOptions } from 'kms-local';
import { afterAll, beforeAll, expect } from 'vitest';
import { KmsJwtSignerError, type KmsJwtSignerErrorCode } from '../src/index.js';

/** A kms-local on a free loopback port and a real SDK client pointed at it, for one test file. */
export interface KmsLocalFixture {
  readonly kms: KmsLocal;
  readonly client: KMSClient;
}

/**
 * Starts kms-local (127.0.0.1, free port) before the file's tests and stops it after them. Read the
 * fixture inside tests: `const env = useKmsLocal(); it('...', () => env().client.send(...))`.
 * The client makes one attempt per call unless `maxAttempts` says otherwise, so that injected
 * faults answer at once instead of after the SDK's backoff.
 */
export function useKmsLocal(options: KmsLocalOptions = {}, clientOptions: { maxAttempts?: number } = {}): () => KmsLocalFixture {
  return useFixture(
    'useKmsLocal',
    async () => {
      const kms = await startKmsLocal(options);
      return { kms, client: new KMSClient({ ...kms.clientConfig, maxAttempts: 1, ...clientOptions }) };
    },
    async ({ kms, client }) => {
      client.destroy();
      await kms.close();
    },
  );
}

/** Something started before a file's tests (`start`) and stopped after them (`stop`); read it inside tests. */
export function useFixture<T>(name: string, start: () => Promise<T>, stop: (fixture: T) => Promise<void>): () => T {
  let fixture: T | undefined;
  beforeAll(async () => {
    fixture = await start();
  });
  afterAll(async () => {
    if (fixture !== undefined) await stop(fixture);
  });
  return () => {
    if (fixture === undefined) throw new Error(`${name}(): the fixture is read before beforeAll ran`);
    return fixture;
  };
}

/** A key created in kms-local, with its public key as GetPublicKey returned it. */
export interface TestKey {
  readonly arn: string;
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** SPKI PEM built from GetPublicKey's DER bytes. */
  readonly pem: string;
}

/** Creates a key (of any usage) and returns its ARN and key id. */
export async function createBareKey(client: KMSClient, spec: KeySpec, usage: KeyUsageType, alias?: string): Promise<{ arn: string; keyId: string }> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage }));
  const arn = KeyMetadata?.Arn;
  const keyId = KeyMetadata?.KeyId;
  if (arn === undefined || keyId === undefined) throw new Error('CreateKey returned no key ARN');
  if (alias !== undefined) await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn }));
  return { arn, keyId };
}

/** Creates a signing key, optionally with an alias, and fetches its public key. */
export async function createKey(client: KMSClient, spec: KeySpec = 'ECC_NIST_P256', options: { alias?: string } = {}): Promise<TestKey> {
  const { arn, keyId } = await createBareKey(client, spec, 'SIGN_VERIFY', options.alias);
  const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: arn }));
  if (PublicKey === undefined) throw new Error('GetPublicKey returned no public key');
  const spki = Buffer.from(PublicKey);
  const lines = spki.toString('base64').match(/.{1,64}/g) ?? [];
  const pem = `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
  return { arn, keyId, publicKey: createPublicKey({ key: spki, format: 'der', type: 'spki' }), pem };
}

/** A compact JWS taken apart (no verification). */
export interface DecodedToken {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

export function decodeToken(token: string): DecodedToken {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  const [header = '', payload = '', signature = ''] = parts;
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

/** Awaits a promise that must reject with a signer error of `type` and `code`; returns the error. */
export async function expectSignerError<T extends KmsJwtSignerError>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
  code: KmsJwtSignerErrorCode,
): Promise<T> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a rejection with ${type.name}`).toBeInstanceOf(type);
  const error = caught as T;
  expect(error.code).toBe(code);
  return error;
}

/** Calls a function that must throw a signer error of `type` and `code`; returns the error. */
export function expectSignerThrow<T extends KmsJwtSignerError>(fn: () => unknown, type: abstract new (...args: never[]) => T, code: KmsJwtSignerErrorCode): T {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${type.name} to be thrown`).toBeInstanceOf(type);
  const error = caught as T;
  expect(error.code).toBe(code);
  return error;
}

/** An ECDSA R‖S signature back in DER (for openssl); the test-side inverse of derToJose. */
export function joseToDer(signature: Buffer): Buffer {
  const size = signature.length / 2;
  const integer = (bytes: Buffer): Buffer => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    const trimmed = bytes.subarray(start);
    const body = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const content = Buffer.concat([integer(signature.subarray(0, size)), integer(signature.subarray(size))]);
  const length = content.length < 0x80 ? Buffer.from([content.length]) : Buffer.from([0x81, content.length]);
  return Buffer.concat([Buffer.from([0x30]), length, content]);
}

/**
 * A client whose endpoint nobody listens on (port 9, one attempt): for signers whose calls must be
 * refused before any KMS call, where a call that got through would fail as ERR_KMS_UNAVAILABLE.
 */
export function unreachableClient(): KMSClient {
  return new KMSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}
