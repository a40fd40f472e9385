import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMessageVerifier, type MessageVerifier } from '../src/create-message-verifier.js';
import {
  AlgNotAllowedError,
  JwtClaimInvalidError,
  JwtClaimMissingError,
  JwtMalformedError,
  JwtTooLargeError,
  KidUntrustedError,
  MessageReplayedError,
  ReplayCheckUnavailableError,
  SignatureHighSError,
  SignatureInvalidError,
  VerifierConfigError,
  type KmsJwtError,
} from '../src/errors.js';
import type { MessageVerifierOptions } from '../src/message-options.js';
import type { SignedMessageInput } from '../src/message-types.js';
import { b64, encode, expectRejection, KID, keyPairFor, NOW, OTHER_KID, signInput, type ErrorClass } from './support/tokens.js';

// What the message verifier refuses before and around the signature check (create-message-verifier.ts
// and message-options.ts), each refusal with the message that says what is wrong: the input's shape,
// its sizes, its segments, the message's own header parameters, the payload as JSON, the replay hook.

const { privateKey, publicKey } = keyPairFor('ES256');
const keys = [{ kid: KID, key: publicKey }];

function verifier(options: Partial<MessageVerifierOptions> = {}): MessageVerifier {
  return createMessageVerifier({ keys, maxMessageAgeSeconds: 300, nowMs: () => NOW * 1000, ...options });
}

const headerOf = (header: Record<string, unknown> = {}): string => encode({ alg: 'ES256', kid: KID, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW - 5, jti: 'm-1', ...header });
/** A compact message over exactly these segments, validly signed. */
const signed = (headerSegment: string, payloadSegment: string): string => `${headerSegment}.${payloadSegment}.${b64(signInput('ES256', privateKey, `${headerSegment}.${payloadSegment}`))}`;
const compact = (payload: string | Buffer, header: Record<string, unknown> = {}): string => signed(headerOf(header), b64(payload));
const detached = (payload: string | Buffer, header: Record<string, unknown> = {}): string => {
  const jws = compact(payload, header);
  return jws.replace(/\.[^.]*\./, '..');
};

async function refusal<E extends KmsJwtError>(promise: Promise<unknown>, type: ErrorClass<E>, code: E['code']): Promise<string> {
  return (await expectRejection(promise, type, code)).message;
}
const malformed = (input: unknown, v: MessageVerifier = verifier()): Promise<string> => refusal(v.verify(input as SignedMessageInput), JwtMalformedError, 'ERR_TOKEN_MALFORMED');

describe('the input: a compact JWS string, or { jws, payload }', () => {
  it.each([
    ['a number', 42],
    ['null', null],
    ['true', true],
  ])('refuses %s, saying what a message must be', async (_name, input) => {
    expect(await malformed(input)).toBe('the message must be a compact JWS string, or { jws, payload } for a detached payload');
  });

  it.each([
    ['an empty string', ''],
    ['{ jws: undefined }', { jws: undefined }],
    ['{ jws: null }', { jws: null }],
    ["{ jws: '' }", { jws: '' }],
    ['{ jws: undefined } with a payload', { jws: undefined, payload: '{}' }],
  ])('refuses %s as a message without a signature', async (_name, input) => {
    expect(await malformed(input)).toBe('no JWS given: the message carries no signature (is the message attribute or header that holds it missing?)');
  });

  it('refuses a jws that is not a string', async () => {
    expect(await malformed({ jws: 42 })).toBe('the JWS must be a string (a compact JWS, or a detached one: header..signature)');
    expect(await malformed({ jws: ['a', 'b'], payload: '{}' })).toBe('the JWS must be a string (a compact JWS, or a detached one: header..signature)');
  });

  it('refuses a detached payload that is neither a string nor bytes, and an empty one', async () => {
    const jws = detached('{}');
    for (const payload of [42, { order: 1 }, [1, 2]]) {
      expect(await malformed({ jws, payload })).toBe('the detached payload must be a string (taken as UTF-8) or a Uint8Array');
    }
    expect(await malformed({ jws, payload: '' })).toBe('the detached payload is empty; a signed message has at least one byte');
    expect(await malformed({ jws, payload: new Uint8Array(0) })).toBe('the detached payload is empty; a signed message has at least one byte');
  });
});

describe('sizes', () => {
  it('accepts a detached payload of exactly maxPayloadBytes, as a string or as bytes, and refuses one byte more', async () => {
    const jws = detached('{"a":1}');
    const v = verifier({ maxPayloadBytes: 7 });
    expect((await v.verify({ jws, payload: '{"a":1}' })).payload).toEqual({ a: 1 });
    expect((await v.verify({ jws, payload: Buffer.from('{"a":1}') })).payload).toEqual({ a: 1 });
    const small = verifier({ maxPayloadBytes: 6 });
    expect(await refusal(small.verify({ jws, payload: '{"a":1}' }), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE')).toBe('the payload is larger than 6 bytes (maxPayloadBytes)');
    expect(await refusal(small.verify({ jws, payload: Buffer.from('{"a":1}') }), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE')).toBe('the payload is larger than 6 bytes (maxPayloadBytes)');
  });

  it('refuses a compact payload larger than maxPayloadBytes, naming the limit', async () => {
    // 9 bytes of payload fit the compact length limit (ceil(8 * 4 / 3) + 8192) but not maxPayloadBytes.
    expect(await refusal(verifier({ maxPayloadBytes: 8 }).verify(compact('{"ab":12}')), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE')).toBe('the payload is larger than 8 bytes (maxPayloadBytes)');
  });

  it('refuses a compact JWS longer than the payload limit in base64url plus 8192, saying so', async () => {
    const text = await refusal(verifier({ maxPayloadBytes: 3 }).verify('a'.repeat(4 + 8192 + 1)), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE');
    expect(text).toBe('the signed message is longer than 8196 bytes (maxPayloadBytes in base64url, plus 8192 for the header and signature)');
  });

  it('takes a detached JWS of 8192 characters to its checks, and refuses one of 8193 as too large', async () => {
    expect(await malformed({ jws: 'a'.repeat(8192), payload: '{}' })).toBe('the JWS must have exactly three dot-separated segments (compact, or detached: header..signature)');
    const text = await refusal(verifier().verify({ jws: 'a'.repeat(8193), payload: '{}' }), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE');
    expect(text).toBe('the detached JWS is longer than 8192 bytes, more than a header and a signature take');
  });
});

describe('segments', () => {
  const three = 'the JWS must have exactly three dot-separated segments (compact, or detached: header..signature)';

  it.each([
    ['no dot at all', (jws: string) => jws.replaceAll('.', '')],
    ['two segments', (jws: string) => jws.slice(0, jws.lastIndexOf('.'))],
    ['four segments', (jws: string) => `${jws}.${b64('x')}`],
  ])('refuses a JWS with %s', async (_name, change) => {
    expect(await malformed(change(compact('{}')))).toBe(three);
  });

  it('reads a JWS starting with a dot as an empty header, not as missing segments', async () => {
    expect(await malformed(`.${b64('{}')}.${b64('x')}`)).toBe('the header is not a base64url-encoded JSON object (without duplicate members)');
  });

  it('refuses a payload segment that is not base64url, and a signature that is empty or not base64url', async () => {
    const header = headerOf();
    expect(await malformed(signed(header, 'e30='))).toBe('the payload is not base64url');
    const jws = compact('{}');
    expect(await malformed(`${jws.slice(0, jws.lastIndexOf('.'))}.`)).toBe('the signature is not base64url');
    expect(await malformed(`${jws.slice(0, jws.lastIndexOf('.'))}.a+b/`)).toBe('the signature is not base64url');
  });

  it('refuses a detached JWS without its payload, and a compact one given a detached payload too', async () => {
    expect(await malformed(detached('{}'))).toBe('the JWS is detached (header..signature) but no payload was given: pass { jws, payload }');
    expect(await malformed({ jws: compact('{}'), payload: '{}' })).toBe('the JWS carries its payload and a detached payload was given too: give one of them');
  });
});

describe('the key and the signature', () => {
  it('says a message, not a token, was not signed by a trusted key or uses an alg the key does not allow', async () => {
    const stranger = signed(headerOf({ kid: OTHER_KID }), b64('{}'));
    expect(await refusal(verifier().verify(stranger), KidUntrustedError, 'ERR_KID_UNTRUSTED')).toBe('the kid names no trusted key: the message was not signed by a key this service trusts');
    const es384 = `${headerOf({ alg: 'ES384' })}.${b64('{}')}.${b64(Buffer.alloc(96, 1))}`;
    expect(await refusal(verifier().verify(es384), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED')).toBe(`alg ES384 is not allowed for the trusted key ${KID} (allowed: ES256)`);
  });

  it('refuses a DER-encoded ECDSA signature: messages take R‖S only', async () => {
    const header = headerOf();
    const payload = b64('{}');
    const der = sign('sha256', Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: 'der' });
    const text = await refusal(verifier().verify(`${header}.${payload}.${b64(der)}`), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    expect(text).toMatch(/^the ES256 signature must be 64 bytes \(R‖S\), got \d+; it looks DER-encoded/);
  });

  it('says what a signature that does not verify means', async () => {
    const jws = compact('{"a":1}');
    const forged = jws.replace(b64('{"a":1}'), b64('{"a":2}'));
    expect(await refusal(verifier().verify(forged), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID')).toBe(
      'the signature does not verify with the trusted key named by kid: the payload or the header was changed, or another key signed it',
    );
  });

  it('says why rejectHighS refuses a high-S signature', async () => {
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const jws = compact('{}');
    const signature = Buffer.from(jws.slice(jws.lastIndexOf('.') + 1), 'base64url');
    const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
    const highS = Buffer.concat([signature.subarray(0, 32), Buffer.from((s > n / 2n ? s : n - s).toString(16).padStart(64, '0'), 'hex')]);
    const text = await refusal(verifier({ rejectHighS: true }).verify(`${jws.slice(0, jws.lastIndexOf('.'))}.${b64(highS)}`), SignatureHighSError, 'ERR_JWS_SIGNATURE_HIGH_S');
    expect(text).toBe('the ECDSA signature verifies but is not in canonical low-S form (s > n/2), which rejectHighS refuses');
  });
});

describe("the message's own header parameters", () => {
  it.each([
    ['jti', 'header jti (the message id) is required but missing'],
    ['iat', 'header iat (when the message was signed) is required but missing'],
    ['cty', "header cty (the payload's media type) is required but missing"],
  ])('says header %s is required', async (name, expected) => {
    expect(await refusal(verifier().verify(compact('{}', { [name]: undefined })), JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING')).toBe(expected);
  });

  it.each([
    ['jti', '', 'header jti (the message id) must be a non-empty string'],
    ['jti', 7, 'header jti (the message id) must be a non-empty string'],
    ['iat', '1800000000', 'header iat must be a NumericDate (seconds since the epoch)'],
    ['cty', '', "header cty (the payload's media type) must be a non-empty string"],
    ['cty', 7, "header cty (the payload's media type) must be a non-empty string"],
    ['cty', ['json'], "header cty (the payload's media type) must be a non-empty string"],
  ])('says header %s = %j is invalid', async (name, value, expected) => {
    const error = await expectRejection(verifier().verify(compact('{}', { [name]: value })), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.message).toBe(expected);
    expect(error.claim).toBe(name);
  });

  it('refuses an iat that JSON reads as Infinity (1e999)', async () => {
    const header = b64(`{"alg":"ES256","kid":${JSON.stringify(KID)},"typ":"kms-jwt-message+jws","cty":"json","iat":1e999,"jti":"m-1"}`);
    const error = await expectRejection(verifier({ maxMessageAgeSeconds: null }).verify(signed(header, b64('{}'))), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.message).toBe('header iat must be a NumericDate (seconds since the epoch)');
  });
});

describe('the payload as JSON', () => {
  it('says a payload that is not UTF-8 or not JSON is not JSON', async () => {
    expect(await malformed(compact(Buffer.from([0x7b, 0xff, 0x7d])))).toBe('the payload is not valid UTF-8, so not JSON');
    expect(await malformed(compact('{"a":'))).toBe('the payload is not JSON (or names a member twice in one object)');
    expect(await malformed(compact('{"a":1,"a":2}'))).toBe('the payload is not JSON (or names a member twice in one object)');
  });

  it('resolves to a JSON primitive as it is, null included', async () => {
    expect((await verifier().verify(compact('null'))).payload).toBeNull();
    expect((await verifier().verify(compact('"text"'))).payload).toBe('text');
    expect((await verifier().verify(compact('12'))).payload).toBe(12);
  });
});

describe('the replay hook', () => {
  it("passes on this package's own error thrown by isReplayed, not as an unavailable replay check", async () => {
    const own = new MessageReplayedError('seen in another region', { claim: 'jti' });
    const error = await expectRejection(verifier({ isReplayed: () => Promise.reject(own) }).verify(compact('{}')), MessageReplayedError, 'ERR_MESSAGE_REPLAYED');
    expect(error).toBe(own);
  });

  it('says what each isReplayed answer means', async () => {
    expect(await refusal(verifier({ isReplayed: () => Promise.reject(new Error('down')) }).verify(compact('{}')), ReplayCheckUnavailableError, 'ERR_REPLAY_CHECK_UNAVAILABLE')).toBe(
      'the isReplayed hook failed, so whether the message is a replay is unknown; retry later',
    );
    expect(await refusal(verifier({ isReplayed: () => true }).verify(compact('{}')), MessageReplayedError, 'ERR_MESSAGE_REPLAYED')).toBe(
      'the message id was seen before (isReplayed answered true): the message is a replay or a redelivery',
    );
    const sloppy = verifier({ isReplayed: (() => 'yes') as unknown as () => boolean });
    expect(await refusal(sloppy.verify(compact('{}')), VerifierConfigError, 'ERR_CONFIG_INVALID')).toMatch(/isReplayed must return true or false, or a promise of either$/);
  });
});

describe('options', () => {
  function configError(options: unknown): string {
    try {
      createMessageVerifier(options as MessageVerifierOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(VerifierConfigError);
      return (error as VerifierConfigError).message;
    }
    throw new Error('createMessageVerifier accepted the options');
  }

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'keys'],
  ])('refuses %s as options, saying an options object is needed', (_name, options) => {
    expect(configError(options)).toMatch(/createMessageVerifier needs an options object like \{ keys, maxMessageAgeSeconds \}$/);
  });

  it.each([
    ['a numeric string', '300'],
    ['Infinity', Infinity],
    ['NaN', NaN],
  ])('refuses maxMessageAgeSeconds as %s', (_name, maxMessageAgeSeconds) => {
    expect(configError({ keys, maxMessageAgeSeconds })).toMatch(/maxMessageAgeSeconds must be a number of seconds > 0, or null$/);
  });

  it('refuses an empty algorithms list and one holding an algorithm no KMS key produces', () => {
    for (const algorithms of [[], ['ES256', 'HS256'], 'ES256']) {
      expect(configError({ keys, maxMessageAgeSeconds: 60, algorithms })).toMatch(/algorithms must be a non-empty array of JWS algorithms a KMS key produces/);
    }
  });

  it('takes maxPayloadBytes 1, the smallest', async () => {
    const v = verifier({ maxPayloadBytes: 1 });
    expect((await v.verify(compact('7'))).payload).toBe(7);
  });

  it('refuses a rejectHighS that is not a boolean and a nowMs that is not a function', () => {
    expect(configError({ keys, maxMessageAgeSeconds: 60, rejectHighS: 'yes' })).toMatch(/rejectHighS must be true or false$/);
    expect(configError({ keys, maxMessageAgeSeconds: 60, nowMs: NOW * 1000 })).toMatch(/nowMs must be a function returning epoch milliseconds$/);
  });
});
