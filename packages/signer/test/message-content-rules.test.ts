import { describe, expect, it } from 'vitest';
import { createKmsMessageSigner, MessageInvalidError, MessageTooLargeError, type KmsMessageSignerOptions, type MessageContent, type SignMessageOptions } from '../src/index.js';
import { expectSignerError, unreachableClient } from './support.js';

// What a message signer's `sign` refuses before any KMS call, and the whole text of each refusal.
// The client points where nobody listens: a call that got through would fail as ERR_KMS_UNAVAILABLE.

const client = unreachableClient();

function signer(options: Partial<KmsMessageSignerOptions> = {}) {
  return createKmsMessageSigner({ keyId: 'alias/never-called', client, nowMs: () => 1_800_000_000_000, ...options });
}

const CONTENT_TYPE_TEXT = 'contentType must be a media type such as application/json or text/csv (type/subtype, then optional ;name=value parameters)';
const JSON_TYPE_TEXT = 'contentType of a json message must be a JSON media type (application/json, or a +json type); sign other content as bytes';

describe('kms-jwt-signer messages: each refusal names the input and says what to fix', () => {
  const refusals: ReadonlyArray<readonly [string, unknown, SignMessageOptions | undefined, string, string]> = [
    ['content that is an array', [{ json: 1 }], undefined, 'content', 'the message must be { json } or { bytes, contentType }'],
    ['both json and bytes', { json: 1, bytes: Buffer.from('1') }, undefined, 'content', 'the message must be { json } or { bytes, contentType }: exactly one of json and bytes'],
    ['a json message with a content type that is not a string', { json: 1, contentType: 5 }, undefined, 'contentType', CONTENT_TYPE_TEXT],
    ['a json message with a content type without a subtype', { json: 1, contentType: 'application' }, undefined, 'contentType', CONTENT_TYPE_TEXT],
    ['a json message typed as CSV', { json: 1, contentType: 'text/csv' }, undefined, 'contentType', JSON_TYPE_TEXT],
    ['bytes with a content type that only turns into one as a string', { bytes: Buffer.from('a'), contentType: { toString: () => 'text/plain' } }, undefined, 'contentType', CONTENT_TYPE_TEXT],
    ['bytes with an undefined content type', { bytes: Buffer.from('a'), contentType: undefined }, undefined, 'contentType', CONTENT_TYPE_TEXT],
    ['a symbol as json', { json: Symbol('x') }, undefined, 'json', 'json must be a JSON value: an object, an array, a string, a number, a boolean or null'],
    ['json whose toJSON makes nothing', { json: { toJSON: () => undefined } }, undefined, 'json', 'json must be a JSON value: an object, an array, a string, a number, a boolean or null'],
    ['a BigInt as json', { json: 1n }, undefined, 'json', 'json must be JSON-serializable (no BigInt, no cycles)'],
    ['an array of numbers as bytes', { bytes: [1, 2], contentType: 'text/plain' }, undefined, 'bytes', 'bytes must be a Uint8Array (a Buffer)'],
    ['empty bytes', { bytes: new Uint8Array(0), contentType: 'text/plain' }, undefined, 'bytes', 'the payload is empty; a message has at least one byte'],
    [
      'bytes typed +json that are not JSON',
      { bytes: Buffer.from('not json'), contentType: 'application/cloudevents+json; charset=utf-8' },
      undefined,
      'bytes',
      'the bytes are not UTF-8 JSON text, but their content type application/cloudevents+json; charset=utf-8 is JSON: sign them with another content type, or fix them',
    ],
    ['JSON-typed bytes that are not UTF-8', { bytes: Buffer.from([0x22, 0xc3, 0x22]), contentType: 'application/json' }, undefined, 'bytes', 'the bytes are not UTF-8 JSON text, but their content type application/json is JSON: sign them with another content type, or fix them'],
    ['JSON bytes after a byte order mark', { bytes: Buffer.from('\uFEFF{}', 'utf8'), contentType: 'application/json' }, undefined, 'bytes', 'the bytes are not UTF-8 JSON text, but their content type application/json is JSON: sign them with another content type, or fix them'],
    ['sign options that are an array', { json: 1 }, [] as unknown as SignMessageOptions, 'options', 'sign options must be a plain object'],
    ['a call expiresInSeconds of -5', { json: 1 }, { expiresInSeconds: -5 }, 'expiresInSeconds', 'expiresInSeconds must be a whole number of seconds >= 1, or null'],
    ['a call expiresInSeconds as a string', { json: 1 }, { expiresInSeconds: '60' as unknown as number }, 'expiresInSeconds', 'expiresInSeconds must be a whole number of seconds >= 1, or null'],
    ['a call messageId that is empty', { json: 1 }, { messageId: '' }, 'messageId', 'messageId must be a non-empty string'],
    ['a call messageId that is a number', { json: 1 }, { messageId: 7 as unknown as string }, 'messageId', 'messageId must be a non-empty string'],
    ['a call header that sets iat', { json: 1 }, { header: { iat: 1 } }, 'header.iat', 'iat cannot be given: iat is always the time of signing'],
    ['a call header that sets nbf', { json: 1 }, { header: { nbf: 1 } }, 'header.nbf', 'nbf cannot be given: a message is valid from when it is signed'],
    ['a call header that sets x5t#S256', { json: 1 }, { header: { 'x5t#S256': 'x' } }, 'header.x5t#S256', 'x5t#S256 cannot be given: verifiers take keys from their trusted key source only, never from the message'],
    ['a call header that is a string', { json: 1 }, { header: 'topic' as unknown as Record<string, unknown> }, 'header', 'extra header parameters must be a plain object'],
  ];

  it.each(refusals)('refuses %s with ERR_MESSAGE_INVALID', async (_name, content, options, field, message) => {
    const error = await expectSignerError(signer().sign(content as MessageContent, options), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.field).toBe(field);
    expect(error.message).toBe(message);
    expect(error.retryable).toBe(false);
  });

  it('keeps the serializer error of json that is not serializable as the cause', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const error = await expectSignerError(signer().sign({ json: cyclic }), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it.each([
    ['NaN', Number.NaN],
    ['a string', '1800000000000'],
  ])('refuses a nowMs() that returns %s, naming iat', async (_name, value) => {
    const error = await expectSignerError(signer({ nowMs: () => value as number }).sign({ json: 1 }), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.field).toBe('iat');
    expect(error.message).toBe('nowMs() must return a finite number of epoch milliseconds');
  });

  it('refuses a generateMessageId that returns an empty id, naming the function', async () => {
    const error = await expectSignerError(signer({ generateMessageId: () => '' }).sign({ json: 1 }), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.field).toBe('messageId');
    expect(error.message).toBe('the generateMessageId function must return a non-empty string');
  });

  it('refuses a payload one byte over maxPayloadBytes, saying how large it is and what to do instead', async () => {
    const error = await expectSignerError(signer({ maxPayloadBytes: 4 }).sign({ bytes: Buffer.from('abcde'), contentType: 'text/plain' }), MessageTooLargeError, 'ERR_MESSAGE_TOO_LARGE');
    expect(error.message).toBe('the payload is 5 bytes, more than maxPayloadBytes (4): send it another way, such as in S3 with a signed message that points to it');
    expect(error.retryable).toBe(false);
  });

  const accepted: ReadonlyArray<readonly [string, MessageContent, SignMessageOptions | undefined]> = [
    ['bytes of exactly maxPayloadBytes', { bytes: Buffer.from('abcd'), contentType: 'text/plain' }, undefined],
    ['json of exactly maxPayloadBytes', { json: 1234 }, undefined],
    ['json with a +json content type and parameters', { json: 1, contentType: 'application/problem+json; charset=utf-8' }, undefined],
    ['JSON bytes in another JSON type', { bytes: Buffer.from('[1]'), contentType: 'application/ld+json' }, undefined],
    ['bytes that are not JSON, typed as text', { bytes: Buffer.from('{'), contentType: 'text/plain' }, undefined],
    ['a message id of one character', { json: 1 }, { messageId: 'm' }],
    ['expiresInSeconds null for the call', { json: 1 }, { expiresInSeconds: null }],
  ];

  it.each(accepted)('takes %s on to KMS', async (_name, content, options) => {
    await expect(signer({ maxPayloadBytes: 4 }).sign(content, options)).rejects.toMatchObject({ code: 'ERR_KMS_UNAVAILABLE' });
  });

  const reserved: ReadonlyArray<readonly [string, string]> = [
    ['alg', 'alg is set from the key spec (and the algorithm option)'],
    ['kid', 'kid is always the ARN of the key that signed'],
    ['typ', "typ is always kms-jwt-message+jws, the signed messages' own"],
    ['cty', 'cty is set from the content type'],
    ['iat', 'iat is always the time of signing'],
    ['exp', 'exp is set by expiresInSeconds'],
    ['nbf', 'a message is valid from when it is signed'],
    ['jti', 'jti is the message id: give it as messageId'],
    ['crit', 'crit is set by the signer (it lists exp when there is one)'],
    ['b64', 'the payload is always base64url-encoded (RFC 7515), so b64 cannot be set'],
    ...['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'].map((name) => [name, 'verifiers take keys from their trusted key source only, never from the message'] as const),
  ];

  it.each(reserved)('refuses the header parameter %s per call, saying why', async (name, reason) => {
    const error = await expectSignerError(signer().sign({ json: 1 }, { header: { [name]: 'x' } }), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.field).toBe(`header.${name}`);
    expect(error.message).toBe(`${name} cannot be given: ${reason}`);
  });

  it.each([
    'text',
    '/csv',
    'text/',
    ' text/csv',
    'text/csv ',
    'te xt/csv',
    'text/c(sv',
    'text/csv;',
    'text/csv; charset',
    'text/csv; charset=',
    'text/csv; charset=utf 8',
    'text/csv; a="unterminated',
    'text/csv; a="a\u0001b"',
    'text/csv; a="\u007f"',
    'text/csv; a="\\\u0001"',
    'text/csv; a=b; c',
  ])('refuses the content type %j', async (contentType) => {
    const error = await expectSignerError(signer().sign({ bytes: Buffer.from('a'), contentType }), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.field).toBe('contentType');
  });

  it.each([
    'text/csv',
    "A0!#$&^_.+-/z9!#$&^_.+-",
    'text/plain; charset=utf-8',
    'text/plain;charset=utf-8',
    'text/plain \t; \tcharset=utf-8',
    "text/plain; a0!#$%&'*+.^_`|~-=b0!#$%&'*+.^_`|~-",
    'text/plain; a="quoted value; with = and /"',
    'text/plain; a="escaped \\" quote"',
    'text/plain; a=""',
    'text/plain; a=b; c="d"',
  ])('takes the content type %j on to KMS', async (contentType) => {
    await expect(signer().sign({ bytes: Buffer.from('a'), contentType })).rejects.toMatchObject({ code: 'ERR_KMS_UNAVAILABLE' });
  });

  it.each([
    ['application/json', true],
    ['APPLICATION/JSON', true],
    ['text/json', true],
    ['application/ld+json', true],
    ['Application/Problem+JSON; charset=utf-8', true],
    ['application/json ; charset=utf-8', true],
    ['application/jsonx', false],
    ['application/json-seq', false],
    ['application/x+json2', false],
    ['application/x-json', false],
    ['text/plain', false],
  ] as const)('treats %s as JSON: %s', async (contentType, isJson) => {
    // A json message is refused for a type that is not JSON; bytes that are not JSON, for one that is.
    await expect(signer().sign({ json: 1, contentType })).rejects.toMatchObject(isJson ? { code: 'ERR_KMS_UNAVAILABLE' } : { code: 'ERR_MESSAGE_INVALID', field: 'contentType' });
    await expect(signer().sign({ bytes: Buffer.from('not json'), contentType })).rejects.toMatchObject(isJson ? { code: 'ERR_MESSAGE_INVALID', field: 'bytes' } : { code: 'ERR_KMS_UNAVAILABLE' });
  });
});
