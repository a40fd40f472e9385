import { createPublicKey, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { CreateKeyCommand, EncryptCommand, KMSClient, ListKeysCommand, UnsupportedOperationException } from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { OPERATION_NAMES } from '../src/operations/index.js';
import { useKmsLocal } from './support.js';

const JSON_1_1 = 'application/x-amz-json-1.1';

interface RawAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly requestId: string | null;
  readonly body: unknown;
}

/** POSTs a raw body with fetch, as any AWS JSON 1.1 client would, and parses the JSON answer. */
async function post(endpoint: string, target: string | undefined, body: string | object, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': JSON_1_1, ...(target === undefined ? {} : { 'X-Amz-Target': target }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), requestId: response.headers.get('x-amzn-requestid'), body: await response.json() };
}

function field(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const step of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

function expectError(answer: RawAnswer, type: string, message: string | RegExp, status = 400): void {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toBe(JSON_1_1);
  expect(Object.keys(answer.body as object).sort()).toEqual(['__type', 'message']);
  expect(field(answer.body, '__type')).toBe(type);
  expect(String(field(answer.body, 'message'))).toMatch(message);
}

async function createP256(endpoint: string): Promise<{ keyId: string; arn: string }> {
  const answer = await post(endpoint, 'TrentService.CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  expect(answer.status).toBe(200);
  return { keyId: String(field(answer.body, 'KeyMetadata', 'KeyId')), arn: String(field(answer.body, 'KeyMetadata', 'Arn')) };
}

describe('the AWS JSON 1.1 protocol on the wire', () => {
  const env = useKmsLocal();

  describe('X-Amz-Target', () => {
    it.each(['TrentService.Encrypt', 'TrentService.GenerateDataKey', 'TrentService.toString', 'TrentService.__proto__', 'KmsService.ListKeys', 'ListKeys'])(
      'answers target %s with UnsupportedOperationException as {"__type","message"} JSON 1.1',
      async (target) => {
        const answer = await post(env().kms.endpoint, target, {});
        expectError(answer, 'UnsupportedOperationException', target);
      },
    );

    it('says plainly that kms-local does not implement a KMS operation, and lists what it implements', async () => {
      const answer = await post(env().kms.endpoint, 'TrentService.Encrypt', {});
      expectError(answer, 'UnsupportedOperationException', /^kms-local does not implement the KMS operation Encrypt \(X-Amz-Target TrentService\.Encrypt\); kms-local implements .*\bSign\b/);
      const unknown = await post(env().kms.endpoint, 'TrentService.toString', {});
      expectError(unknown, 'UnsupportedOperationException', /^kms-local does not implement TrentService\.toString: it is not an operation of the KMS API/);
    });

    it('answers every operation of the SDK it does not implement with UnsupportedOperationException naming it, and no other', async () => {
      const sdk = await import('@aws-sdk/client-kms');
      const operations = Object.keys(sdk)
        .filter((name) => /^[A-Z][A-Za-z]+Command$/.test(name))
        .map((name) => name.slice(0, -'Command'.length));
      expect(operations).toHaveLength(56);
      const unsupported: string[] = [];
      for (const operation of operations) {
        const answer = await post(env().kms.endpoint, `TrentService.${operation}`, {});
        if (field(answer.body, '__type') === 'UnsupportedOperationException') {
          expect(String(field(answer.body, 'message'))).toMatch(new RegExp(`^kms-local does not implement the KMS operation ${operation} `));
          unsupported.push(operation);
        }
      }
      expect(operations.filter((operation) => !unsupported.includes(operation)).sort()).toEqual([...OPERATION_NAMES].sort());
    });

    it('answers an operation it does not implement through the SDK with UnsupportedOperationException naming it', async () => {
      const { client } = env();
      let caught: unknown;
      try {
        await client.send(new EncryptCommand({ KeyId: 'alias/any', Plaintext: Buffer.from('x') }));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnsupportedOperationException);
      expect((caught as Error).message).toMatch(/^kms-local does not implement the KMS operation Encrypt/);
    });

    it('answers a request without X-Amz-Target with UnsupportedOperationException', async () => {
      const answer = await post(env().kms.endpoint, undefined, {});
      expectError(answer, 'UnsupportedOperationException', 'without X-Amz-Target');
    });

    it('answers every response with a request id', async () => {
      const ok = await post(env().kms.endpoint, 'TrentService.ListKeys', {});
      const failed = await post(env().kms.endpoint, 'TrentService.Nope', {});
      expect(ok.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(failed.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(ok.requestId).not.toBe(failed.requestId);
    });
  });

  describe('request bodies that are not a JSON object', () => {
    it.each(['{"KeyId":', 'not json at all', '{"KeyId": "a",}', "{'KeyId': 'a'}"])('answers the malformed body %j with SerializationException', async (body) => {
      const answer = await post(env().kms.endpoint, 'TrentService.DescribeKey', body);
      expectError(answer, 'SerializationException', 'not valid JSON');
    });

    it.each(['[]', '"a string"', '42', 'null', 'true'])('answers the JSON %s, which is not an object, with SerializationException', async (body) => {
      const answer = await post(env().kms.endpoint, 'TrentService.DescribeKey', body);
      expectError(answer, 'SerializationException', 'must be a JSON object');
    });

    it('treats an empty body as an empty request object', async () => {
      const answer = await post(env().kms.endpoint, 'TrentService.ListKeys', '');
      expect(answer.status).toBe(200);
      expect(field(answer.body, 'Truncated')).toEqual(expect.any(Boolean));
    });
  });

  describe('fields of the wrong JSON type', () => {
    const cases: ReadonlyArray<{ readonly what: string; readonly target: string; readonly body: object; readonly field: string }> = [
      { what: 'a number as KeyId', target: 'DescribeKey', body: { KeyId: 42 }, field: 'KeyId' },
      { what: 'an object as KeyId', target: 'GetPublicKey', body: { KeyId: { id: 'x' } }, field: 'KeyId' },
      { what: 'a string as Limit', target: 'ListKeys', body: { Limit: '10' }, field: 'Limit' },
      { what: 'a fraction as Limit', target: 'ListAliases', body: { Limit: 1.5 }, field: 'Limit' },
      { what: 'a string as DryRun', target: 'Sign', body: { KeyId: 'k', Message: 'bQ==', SigningAlgorithm: 'ECDSA_SHA_256', DryRun: 'yes' }, field: 'DryRun' },
      { what: 'a non-base64 string as Message', target: 'Sign', body: { KeyId: 'k', Message: 'not base64!', SigningAlgorithm: 'ECDSA_SHA_256' }, field: 'Message' },
      { what: 'bytes as a number array for Signature', target: 'Verify', body: { KeyId: 'k', Message: 'bQ==', Signature: [1, 2, 3], SigningAlgorithm: 'ECDSA_SHA_256' }, field: 'Signature' },
      { what: 'an object as Tags', target: 'TagResource', body: { KeyId: 'k', Tags: { team: 'x' } }, field: 'Tags' },
      { what: 'strings inside Tags', target: 'TagResource', body: { KeyId: 'k', Tags: ['team=x'] }, field: 'Tags' },
      { what: 'numbers inside TagKeys', target: 'UntagResource', body: { KeyId: 'k', TagKeys: [1] }, field: 'TagKeys' },
      { what: 'a string as PendingWindowInDays', target: 'ScheduleKeyDeletion', body: { KeyId: 'k', PendingWindowInDays: '7' }, field: 'PendingWindowInDays' },
      { what: 'a number as KeySpec', target: 'CreateKey', body: { KeySpec: 256 }, field: 'KeySpec' },
    ];

    it.each(cases)('answers $what ($target) with SerializationException naming the field', async ({ target, body, field: name }) => {
      const answer = await post(env().kms.endpoint, `TrentService.${target}`, body);
      expectError(answer, 'SerializationException', name);
    });
  });

  describe('missing required fields', () => {
    const cases: ReadonlyArray<{ readonly target: string; readonly body: object; readonly member: string }> = [
      { target: 'DescribeKey', body: {}, member: 'keyId' },
      { target: 'GetPublicKey', body: {}, member: 'keyId' },
      { target: 'EnableKey', body: {}, member: 'keyId' },
      { target: 'DisableKey', body: {}, member: 'keyId' },
      { target: 'ScheduleKeyDeletion', body: {}, member: 'keyId' },
      { target: 'CancelKeyDeletion', body: {}, member: 'keyId' },
      { target: 'Sign', body: { KeyId: 'k', SigningAlgorithm: 'ECDSA_SHA_256' }, member: 'message' },
      { target: 'Verify', body: { KeyId: 'k', Message: 'bQ==', SigningAlgorithm: 'ECDSA_SHA_256' }, member: 'signature' },
      { target: 'CreateAlias', body: { TargetKeyId: 'k' }, member: 'aliasName' },
      { target: 'UpdateAlias', body: { AliasName: 'alias/x' }, member: 'targetKeyId' },
      { target: 'DeleteAlias', body: {}, member: 'aliasName' },
      { target: 'TagResource', body: { KeyId: 'k' }, member: 'tags' },
      { target: 'UntagResource', body: { KeyId: 'k' }, member: 'tagKeys' },
      { target: 'ListResourceTags', body: {}, member: 'keyId' },
    ];

    it.each(cases)('answers $target without $member with ValidationException', async ({ target, body, member }) => {
      const answer = await post(env().kms.endpoint, `TrentService.${target}`, body);
      expectError(answer, 'ValidationException', `Value null at '${member}' failed to satisfy constraint: Member must not be null`);
    });

    it('answers Sign without SigningAlgorithm (for an existing key) with ValidationException', async () => {
      const { keyId } = await createP256(env().kms.endpoint);
      const answer = await post(env().kms.endpoint, 'TrentService.Sign', { KeyId: keyId, Message: 'bQ==' });
      expectError(answer, 'ValidationException', "Value null at 'signingAlgorithm'");
    });

    it('treats an explicit null like a missing field', async () => {
      const answer = await post(env().kms.endpoint, 'TrentService.DescribeKey', { KeyId: null });
      expectError(answer, 'ValidationException', "Value null at 'keyId'");
    });
  });

  describe('timestamps and blobs', () => {
    it('answers CreationDate as a number of epoch seconds', async () => {
      const before = Date.now() / 1000;
      const answer = await post(env().kms.endpoint, 'TrentService.CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
      const after = Date.now() / 1000;
      const creationDate = field(answer.body, 'KeyMetadata', 'CreationDate');
      expect(typeof creationDate).toBe('number');
      expect(creationDate).toBeGreaterThanOrEqual(Math.floor(before) - 1);
      expect(creationDate).toBeLessThanOrEqual(after + 1);
    });

    it('answers DeletionDate and alias dates as numbers of epoch seconds', async () => {
      const { endpoint } = env().kms;
      const { keyId } = await createP256(endpoint);
      const aliasName = `alias/protocol/${randomUUID()}`;
      await post(endpoint, 'TrentService.CreateAlias', { AliasName: aliasName, TargetKeyId: keyId });
      const aliases = await post(endpoint, 'TrentService.ListAliases', { KeyId: keyId });
      expect(typeof field(aliases.body, 'Aliases', 0, 'CreationDate')).toBe('number');
      expect(typeof field(aliases.body, 'Aliases', 0, 'LastUpdatedDate')).toBe('number');
      const scheduled = await post(endpoint, 'TrentService.ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
      const deletionDate = field(scheduled.body, 'DeletionDate');
      expect(typeof deletionDate).toBe('number');
      expect(Math.abs(Number(deletionDate) - (Date.now() / 1000 + 7 * 86_400))).toBeLessThan(60);
    });

    it('answers PublicKey as base64 of a DER SubjectPublicKeyInfo', async () => {
      const { endpoint } = env().kms;
      const { keyId } = await createP256(endpoint);
      const answer = await post(endpoint, 'TrentService.GetPublicKey', { KeyId: keyId });
      const publicKey = field(answer.body, 'PublicKey');
      expect(publicKey).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      const parsed = createPublicKey({ key: Buffer.from(String(publicKey), 'base64'), format: 'der', type: 'spki' });
      expect(parsed.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    });

    it('takes Message as base64 and answers Signature as base64 that Verify takes back', async () => {
      const { endpoint } = env().kms;
      const { keyId, arn } = await createP256(endpoint);
      const message = Buffer.from('a message with bytes \u00ff\u0000').toString('base64');
      const signed = await post(endpoint, 'TrentService.Sign', { KeyId: keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' });
      expect(signed.status).toBe(200);
      expect(field(signed.body, 'KeyId')).toBe(arn);
      const signature = String(field(signed.body, 'Signature'));
      expect(signature).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(signature, 'base64')[0]).toBe(0x30);
      const verified = await post(endpoint, 'TrentService.Verify', { KeyId: keyId, Message: message, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' });
      expect(verified.body).toEqual({ KeyId: arn, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_256' });
    });

    it('ignores members it does not know, as AWS does', async () => {
      const { endpoint } = env().kms;
      const { keyId } = await createP256(endpoint);
      const answer = await post(endpoint, 'TrentService.DescribeKey', { KeyId: keyId, SomethingNew: { nested: true } });
      expect(answer.status).toBe(200);
      expect(field(answer.body, 'KeyMetadata', 'KeyId')).toBe(keyId);
    });
  });

  describe('requests that are not POST', () => {
    it.each(['GET', 'PUT', 'DELETE'])('answers %s with an UnsupportedOperationException (405) and keeps serving', async (method) => {
      const { endpoint } = env().kms;
      const response = await fetch(endpoint, { method, headers: { 'X-Amz-Target': 'TrentService.ListKeys' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('content-type')).toBe(JSON_1_1);
      expect(await response.json()).toEqual({ __type: 'UnsupportedOperationException', message: expect.stringContaining(method) });
      const after = await post(endpoint, 'TrentService.ListKeys', {});
      expect(after.status).toBe(200);
    });
  });

  describe('SigV4', () => {
    const clients: KMSClient[] = [];
    afterAll(() => {
      for (const client of clients) client.destroy();
    });

    it('accepts requests the SDK signs with any credentials and any region, with or without a session token, each in its Region', async () => {
      const { kms } = env();
      const signers = [
        { region: 'eu-central-1', client: new KMSClient({ endpoint: kms.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } }) },
        { region: 'ap-southeast-2', client: new KMSClient({ endpoint: kms.endpoint, region: 'ap-southeast-2', credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'a-session-token' } }) },
      ];
      clients.push(...signers.map(({ client }) => client));
      for (const { region, client } of signers) {
        const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
        expect(KeyMetadata?.Arn).toBe(`arn:aws:kms:${region}:111122223333:key/${KeyMetadata?.KeyId}`);
        const { Keys } = await client.send(new ListKeysCommand({ Limit: 1000 }));
        expect(Keys?.map((key) => key.KeyId)).toEqual([KeyMetadata?.KeyId]);
      }
    });

    it('accepts a raw request with a made-up Authorization header, and one with none', async () => {
      const { endpoint } = env().kms;
      const signed = await post(endpoint, 'TrentService.ListKeys', {}, {
        Authorization: 'AWS4-HMAC-SHA256 Credential=NOBODY/20300101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=deadbeef',
        'X-Amz-Date': '20300101T000000Z',
      });
      const unsigned = await post(endpoint, 'TrentService.ListKeys', {});
      expect(signed.status).toBe(200);
      expect(unsigned.status).toBe(200);
    });
  });
});

describe('request bodies larger than maxBodyBytes', () => {
  const maxBodyBytes = 4096;
  const env = useKmsLocal({ maxBodyBytes });

  it('accepts a body of exactly maxBodyBytes', async () => {
    const json = JSON.stringify({ Limit: 10 });
    const body = json + ' '.repeat(maxBodyBytes - json.length);
    expect(Buffer.byteLength(body)).toBe(maxBodyBytes);
    const answer = await post(env().kms.endpoint, 'TrentService.ListKeys', body);
    expect(answer.status).toBe(200);
  });

  it('answers a body one byte over with 413 ValidationException', async () => {
    const answer = await post(env().kms.endpoint, 'TrentService.ListKeys', ' '.repeat(maxBodyBytes + 1));
    expectError(answer, 'ValidationException', `larger than ${maxBodyBytes} bytes`, 413);
  });

  it('answers a 5 MB body with 413 and then serves the next request', async () => {
    const { endpoint } = env().kms;
    const answer = await post(endpoint, 'TrentService.Sign', JSON.stringify({ KeyId: 'k', Message: 'A'.repeat(5_000_000), SigningAlgorithm: 'ECDSA_SHA_256' }));
    expectError(answer, 'ValidationException', 'larger than', 413);
    const next = await post(endpoint, 'TrentService.ListKeys', {});
    expect(next.status).toBe(200);
  });

  it('answers a chunked body without Content-Length that grows past the limit with 413 and closes that connection', async () => {
    const { endpoint } = env().kms;
    const answer = await new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      const req = request(endpoint, { method: 'POST', headers: { 'X-Amz-Target': 'TrentService.ListKeys', 'Content-Type': JSON_1_1 } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024, 0x20);
      for (let sent = 0; sent < 64 * 1024; sent += chunk.length) req.write(chunk);
      req.end();
    });
    expect(answer.status).toBe(413);
    expect(answer.connection).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({ __type: 'ValidationException', message: `The request body is larger than ${maxBodyBytes} bytes.` });
    const next = await post(endpoint, 'TrentService.ListKeys', {});
    expect(next.status).toBe(200);
  });
});

describe('a client that disconnects halfway through its request body', () => {
  const reported: unknown[] = [];
  const env = useKmsLocal({ onError: (error) => reported.push(error) });

  it('is not reported as an internal error, and the server keeps serving', async () => {
    const { endpoint } = env().kms;
    await new Promise<void>((resolve) => {
      const req = request(endpoint, { method: 'POST', headers: { 'X-Amz-Target': 'TrentService.ListKeys', 'Content-Type': JSON_1_1, 'Content-Length': '1000' } });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write('{"Limit"', () => setTimeout(() => req.destroy(), 20));
    });
    // Give the server the moment it needs to notice the closed connection.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await post(endpoint, 'TrentService.ListKeys', {});
    expect(next.status).toBe(200);
    expect(reported).toEqual([]);
  });
});
