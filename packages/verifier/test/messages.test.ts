import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JwsAlgorithm } from '../src/algorithms.js';
import { createMessageVerifier, type MessageVerifier } from '../src/create-message-verifier.js';
import { createVerifier } from '../src/create-verifier.js';
import {
  AlgNotAllowedError,
  JwsHeaderUnsupportedError,
  JwtClaimInvalidError,
  JwtClaimMissingError,
  JwtExpiredError,
  JwtIssuedInFutureError,
  JwtMalformedError,
  JwtTooLargeError,
  JwtTooOldError,
  KeySourceUnavailableError,
  KidUntrustedError,
  MessageReplayedError,
  MessageTypeInvalidError,
  ReplayCheckUnavailableError,
  SignatureHighSError,
  SignatureInvalidError,
  TokenIsMessageError,
  VerifierConfigError,
} from '../src/errors.js';
import type { MessageVerifierOptions } from '../src/message-options.js';
import type { ReplayHookInput } from '../src/message-types.js';
import { AUDIENCE, b64, claims, encode, expectRejection, ISSUER, KID, keyPairFor, NOW, OTHER_KID, rejection, signInput, signToken } from './support/tokens.js';

// Signed messages made here with node:crypto, as kms-jwt-signer's createKmsMessageSigner makes them
// through KMS (its tests run the same checks against kms-local).

const MESSAGE_ID = '6c1e0a53-message-id-7f3b';
const { privateKey, publicKey } = keyPairFor('ES256');
const other = keyPairFor('ES256');

interface Made {
  readonly jws: string;
  readonly detachedJws: string;
  readonly payload: Buffer;
}

/** A signed message: `header` over the defaults, the payload bytes as given. */
function message(payload: Buffer | string, header: Record<string, unknown> = {}, alg: JwsAlgorithm = 'ES256', key: KeyObject = privateKey): Made {
  const bytes = Buffer.from(payload);
  const headerSegment = encode({ alg, kid: KID, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW - 5, jti: MESSAGE_ID, ...header });
  const signature = b64(signInput(alg, key, `${headerSegment}.${b64(bytes)}`));
  return { jws: `${headerSegment}.${b64(bytes)}.${signature}`, detachedJws: `${headerSegment}..${signature}`, payload: bytes };
}

const ORDER = { order: 'o-1', lines: [{ sku: 'a', qty: 2 }], note: 'crème brûlée' };
const orderMessage = message(JSON.stringify(ORDER));

function verifier(options: Partial<MessageVerifierOptions> = {}): MessageVerifier {
  return createMessageVerifier({ keys: [{ kid: KID, key: publicKey }], maxMessageAgeSeconds: 300, nowMs: () => NOW * 1000, ...options });
}

describe('createMessageVerifier: signed messages, compact and detached', () => {
  it('verifies a compact JSON message and resolves to the parsed payload, its id, content type, header and key', async () => {
    const verified = await verifier().verify<typeof ORDER>(orderMessage.jws);
    expect(verified.payload).toEqual(ORDER);
    expect(verified.messageId).toBe(MESSAGE_ID);
    expect(verified.contentType).toBe('application/json');
    expect(verified.key).toBe(KID);
    expect(verified.header).toMatchObject({ alg: 'ES256', kid: KID, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW - 5, jti: MESSAGE_ID });
    expect(Object.isFrozen(verified) && Object.isFrozen(verified.payload) && Object.isFrozen(verified.payload.lines[0])).toBe(true);
  });

  it('verifies a detached JWS with its payload as a string (an SQS body) and as bytes (an HTTP body)', async () => {
    const v = verifier();
    expect((await v.verify({ jws: orderMessage.detachedJws, payload: orderMessage.payload.toString('utf8') })).payload).toEqual(ORDER);
    expect((await v.verify({ jws: orderMessage.detachedJws, payload: new Uint8Array(orderMessage.payload) })).payload).toEqual(ORDER);
    expect((await v.verify({ jws: orderMessage.jws })).payload).toEqual(ORDER);
  });

  it.each([
    ['an array', '[1,"two",{"three":3}]', [1, 'two', { three: 3 }]],
    ['a string', '"hello"', 'hello'],
    ['a number', '42', 42],
    ['null', 'null', null],
    ['false', 'false', false],
  ])('verifies a JSON payload that is %s', async (_name, text, expected) => {
    expect((await verifier().verify(message(text).jws)).payload).toEqual(expected);
  });

  it('accepts +json media types and cty written in full, in any case', async () => {
    const v = verifier();
    for (const cty of ['cloudevents+json', 'application/json', 'APPLICATION/JSON; charset=utf-8', 'application/vnd.example.order+json']) {
      const verified = await v.verify(message('{"a":1}', { cty }).jws);
      expect(verified.payload).toEqual({ a: 1 });
      expect(verified.contentType).toBe(cty.includes('/') ? cty : `application/${cty}`);
    }
  });

  it('returns the exact payload bytes with verifyBytes, for any content type', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13]);
    const signed = message(bytes, { cty: 'application/octet-stream' });
    const v = verifier();
    for (const input of [signed.jws, { jws: signed.detachedJws, payload: bytes }]) {
      const verified = await v.verifyBytes(input);
      // On Node.js the bytes are a Buffer, as they always were.
      expect(Buffer.isBuffer(verified.payload)).toBe(true);
      expect(Buffer.compare(verified.payload, bytes)).toBe(0);
      expect(verified.contentType).toBe('application/octet-stream');
    }
    const csv = await v.verifyBytes(message('a,b\n1,2\n', { cty: 'text/csv' }).jws);
    expect(new TextDecoder().decode(csv.payload)).toBe('a,b\n1,2\n');
    expect(csv.contentType).toBe('text/csv');
  });

  it('refuses a message that is not JSON in verify, pointing to verifyBytes (ERR_JWT_CLAIM_INVALID on cty)', async () => {
    const error = await expectRejection(verifier().verify(message('a,b\n', { cty: 'text/csv' }).jws), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error).toMatchObject({ claim: 'cty', expected: 'application/json', actual: 'text/csv' });
    expect(error.message).toContain('verifyBytes');
  });

  it.each([
    ['not JSON', Buffer.from('{"a":')],
    ['JSON with a member named twice', Buffer.from('{"a":1,"a":2}')],
    ['JSON with a member named twice, nested', Buffer.from('[{"b":{"a":1,"a":2}}]')],
    ['invalid UTF-8', Buffer.from([0x22, 0xc3, 0x28, 0x22])],
    ['JSON after a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')])],
  ])('refuses a JSON message whose payload is %s (ERR_TOKEN_MALFORMED) but returns its bytes with verifyBytes', async (_name, bytes) => {
    const signed = message(bytes);
    await expectRejection(verifier().verify(signed.jws), JwtMalformedError, 'ERR_TOKEN_MALFORMED');
    expect(Buffer.compare((await verifier().verifyBytes(signed.jws)).payload, bytes)).toBe(0);
  });

  it('verifies with the threadpool as well', async () => {
    expect((await verifier({ signatureVerification: 'threadpool' }).verify(orderMessage.jws)).payload).toEqual(ORDER);
    await expectRejection(verifier({ signatureVerification: 'threadpool' }).verify({ jws: orderMessage.detachedJws, payload: '{}' }), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
  });

  it('uses a KeyResolver like createVerifier, sync or async, and a failing one is 503', async () => {
    const trusted = { id: KID, publicKey, algorithms: ['ES256'] as const };
    const asyncKeys = { resolve: (kid: string) => Promise.resolve(kid === KID ? trusted : undefined) };
    expect((await verifier({ keys: asyncKeys }).verify(orderMessage.jws)).key).toBe(KID);
    const down = { resolve: () => Promise.reject(new Error('KMS is down')) };
    const error = await expectRejection(verifier({ keys: down }).verify(orderMessage.jws), KeySourceUnavailableError, 'ERR_KEY_SOURCE_UNAVAILABLE');
    expect(error.status).toBe(503);
  });
});

describe('explicit typing: a signed message is never an access token, and an access token never a message', () => {
  const keys = [{ kid: KID, key: publicKey }];
  // One key signs both: an access token and a message whose JSON payload is a valid claims set.
  const tokenClaims = claims();
  const token = signToken('ES256', privateKey, tokenClaims);
  const claimsMessage = message(JSON.stringify(tokenClaims));

  it('createVerifier().verify refuses a signed message with ERR_TOKEN_IS_MESSAGE (401), compact or detached', async () => {
    const tokens = createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 });
    expect((await tokens.verify(token)).payload.sub).toBe('user-1');
    for (const jws of [claimsMessage.jws, claimsMessage.detachedJws]) {
      const error = await expectRejection(tokens.verify(jws), TokenIsMessageError, 'ERR_TOKEN_IS_MESSAGE', jws);
      expect(error.status).toBe(401);
      expect(error.family).toBe('token');
    }
  });

  it.each(['kms-jwt-message+jws', 'application/kms-jwt-message+jws', 'KMS-JWT-Message+JWS'])('refuses it whatever the typ option says (typ option %s)', async (typ) => {
    const tokens = createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000, typ });
    await expectRejection(tokens.verify(claimsMessage.jws), TokenIsMessageError, 'ERR_TOKEN_IS_MESSAGE');
    await expectRejection(tokens.verify(claimsMessage.jws, { typ: 'JWT' }), TokenIsMessageError, 'ERR_TOKEN_IS_MESSAGE');
  });

  it.each(['application/kms-jwt-message+jws', 'KMS-JWT-MESSAGE+JWS'])('refuses a message whose typ is written %s', async (typ) => {
    const tokens = createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 });
    await expectRejection(tokens.verify(message(JSON.stringify(tokenClaims), { typ }).jws), TokenIsMessageError, 'ERR_TOKEN_IS_MESSAGE');
    expect((await verifier().verify(message('{}', { typ }).jws)).payload).toEqual({});
  });

  it('the message verifier refuses an access token (typ JWT) with ERR_MESSAGE_TYPE_INVALID', async () => {
    const error = await expectRejection(verifier().verify(token), MessageTypeInvalidError, 'ERR_MESSAGE_TYPE_INVALID', token);
    expect(error.status).toBe(401);
    await expectRejection(verifier().verifyBytes(token), MessageTypeInvalidError, 'ERR_MESSAGE_TYPE_INVALID');
  });

  it.each([
    ['no typ', { typ: undefined }],
    ['typ at+jwt', { typ: 'at+jwt' }],
    ['typ JOSE', { typ: 'JOSE' }],
    ['a typ that is not a string', { typ: 7 }],
  ])('the message verifier refuses a JWS with %s, though it has every message parameter', async (_name, header) => {
    await expectRejection(verifier().verify(message('{}', header).jws), MessageTypeInvalidError, 'ERR_MESSAGE_TYPE_INVALID');
  });
});

describe('message header, times and replay', () => {
  it.each([
    ['jti', JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING'],
    ['iat', JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING'],
    ['cty', JwtClaimMissingError, 'ERR_JWT_CLAIM_MISSING'],
  ] as const)('requires header %s', async (name, type, code) => {
    const error = await expectRejection(verifier().verify(message('{}', { [name]: undefined }).jws), type, code);
    expect(error.claim).toBe(name);
  });

  it.each([
    ['jti', ''],
    ['jti', 17],
    ['iat', '1800000000'],
    ['cty', ''],
  ])('refuses header %s = %j (ERR_JWT_CLAIM_INVALID)', async (name, value) => {
    const error = await expectRejection(verifier().verify(message('{}', { [name]: value }).jws), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.claim).toBe(name);
  });

  it('accepts exp listed in crit before it passes, and refuses it after (ERR_JWT_EXPIRED), with the clock tolerance', async () => {
    const expiring = message('{}', { exp: NOW + 10, crit: ['exp'] });
    expect((await verifier().verify(expiring.jws)).header.exp).toBe(NOW + 10);
    const late = verifier({ nowMs: () => (NOW + 10) * 1000 });
    const error = await expectRejection(late.verify(expiring.jws), JwtExpiredError, 'ERR_JWT_EXPIRED');
    expect(error.message).toMatch(/^the message expired at /);
    expect((await verifier({ nowMs: () => (NOW + 10) * 1000, clockToleranceSeconds: 5 }).verify(expiring.jws)).messageId).toBe(MESSAGE_ID);
  });

  it('checks exp even when the producer did not list it in crit', async () => {
    await expectRejection(verifier().verify(message('{}', { exp: NOW - 1 }).jws), JwtExpiredError, 'ERR_JWT_EXPIRED');
  });

  it('refuses a message issued in the future and one older than maxMessageAgeSeconds; null accepts any age', async () => {
    await expectRejection(verifier().verify(message('{}', { iat: NOW + 60 }).jws), JwtIssuedInFutureError, 'ERR_JWT_ISSUED_IN_FUTURE');
    const old = message('{}', { iat: NOW - 301 });
    const error = await expectRejection(verifier().verify(old.jws), JwtTooOldError, 'ERR_JWT_TOO_OLD');
    expect(error.message).toContain('maxMessageAgeSeconds');
    expect((await verifier({ maxMessageAgeSeconds: null }).verify(message('{}', { iat: NOW - 30 * 86_400 }).jws)).payload).toEqual({});
    expect((await verifier({ maxMessageAgeSeconds: 300 }).verify(message('{}', { iat: NOW - 300 }).jws)).payload).toEqual({});
  });

  it.each([
    ['a parameter it does not understand', { crit: ['topic'], topic: 'orders' }],
    ['exp without exp in the header', { crit: ['exp'] }],
    ['a name twice', { exp: NOW + 60, crit: ['exp', 'exp'] }],
    ['an empty list', { crit: [] }],
    ['a string', { crit: 'exp' }],
  ])('refuses crit with %s (ERR_JWS_HEADER_UNSUPPORTED)', async (_name, header) => {
    await expectRejection(verifier().verify(message('{}', header).jws), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED');
  });

  it.each([
    ['jku', { jku: 'https://attacker.example/jwks.json' }],
    ['jwk', { jwk: { kty: 'EC' } }],
    ['b64', { b64: false, crit: ['b64'] }],
  ])('refuses header %s like the token path (ERR_JWS_HEADER_UNSUPPORTED)', async (_name, header) => {
    await expectRejection(verifier().verify(message('{}', header).jws), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED');
  });

  it('asks isReplayed last, with the id, key, iat and how long to remember it; true refuses the message (ERR_MESSAGE_REPLAYED)', async () => {
    const seen = new Map<string, ReplayHookInput>();
    const v = verifier({
      isReplayed: async (entry) => {
        const replay = seen.has(entry.messageId);
        seen.set(entry.messageId, entry);
        return replay;
      },
    });
    expect((await v.verify(orderMessage.jws)).payload).toEqual(ORDER);
    expect(seen.get(MESSAGE_ID)).toMatchObject({ messageId: MESSAGE_ID, key: KID, issuedAt: NOW - 5, rememberUntil: NOW - 5 + 300 });
    const error = await expectRejection(v.verify({ jws: orderMessage.detachedJws, payload: orderMessage.payload }), MessageReplayedError, 'ERR_MESSAGE_REPLAYED');
    expect(error).toMatchObject({ claim: 'jti', status: 401 });
    expect(error.message).not.toContain(MESSAGE_ID);
    expect(error.actual).toBeUndefined();
  });

  it('tells isReplayed to remember the id until exp when that comes first, plus the clock tolerance, and not at all when nothing bounds the message', async () => {
    const asked: ReplayHookInput[] = [];
    const record = (entry: ReplayHookInput): boolean => {
      asked.push(entry);
      return false;
    };
    await verifier({ isReplayed: record, clockToleranceSeconds: 7 }).verify(message('{}', { exp: NOW + 60, crit: ['exp'] }).jws);
    await verifier({ isReplayed: record, maxMessageAgeSeconds: null }).verify(orderMessage.jws);
    expect(asked.map((entry) => entry.rememberUntil)).toEqual([NOW + 67, undefined]);
  });

  it('does not ask isReplayed about a message that fails its signature or times, so forged ids never reach the store', async () => {
    const asked: string[] = [];
    const v = verifier({ isReplayed: (entry) => (asked.push(entry.messageId), false) });
    await expectRejection(v.verify({ jws: orderMessage.detachedJws, payload: '{"order":"o-2"}' }), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    await expectRejection(v.verify(message('{}', { iat: NOW - 3600 }).jws), JwtTooOldError, 'ERR_JWT_TOO_OLD');
    expect(asked).toEqual([]);
  });

  it('turns an isReplayed failure into ERR_REPLAY_CHECK_UNAVAILABLE (503) with the cause, and a non-boolean answer into a configuration error', async () => {
    const down = new Error('replay table unavailable');
    const error = await expectRejection(verifier({ isReplayed: () => Promise.reject(down) }).verify(orderMessage.jws), ReplayCheckUnavailableError, 'ERR_REPLAY_CHECK_UNAVAILABLE');
    expect(error).toMatchObject({ status: 503, family: 'infrastructure', cause: down });
    await expectRejection(
      verifier({
        isReplayed: () => {
          throw down;
        },
      }).verify(orderMessage.jws),
      ReplayCheckUnavailableError,
      'ERR_REPLAY_CHECK_UNAVAILABLE',
    );
    const sloppy = verifier({ isReplayed: (() => undefined) as unknown as () => boolean });
    await expectRejection(sloppy.verify(orderMessage.jws), VerifierConfigError, 'ERR_CONFIG_INVALID');
  });
});

describe('tampering, trust and malformed input', () => {
  it('refuses a detached payload that was changed, by one byte or by a re-serialization (ERR_JWS_SIGNATURE_INVALID)', async () => {
    const v = verifier();
    const flipped = Buffer.from(orderMessage.payload);
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    await expectRejection(v.verify({ jws: orderMessage.detachedJws, payload: flipped }), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    await expectRejection(v.verify({ jws: orderMessage.detachedJws, payload: JSON.stringify(ORDER, null, 1) }), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
  });

  it('refuses a compact message whose payload segment was swapped', async () => {
    const [header, , signature] = orderMessage.jws.split('.');
    await expectRejection(verifier().verify(`${header}.${b64('{"order":"o-9"}')}.${signature}`), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
  });

  it('refuses the signature of another key under the trusted kid, and an untrusted kid', async () => {
    await expectRejection(verifier().verify(message('{}', {}, 'ES256', other.privateKey).jws), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    await expectRejection(verifier().verify(message('{}', { kid: OTHER_KID }, 'ES256', other.privateKey).jws), KidUntrustedError, 'ERR_KID_UNTRUSTED');
  });

  it('applies the key policy: alg must be one the key makes and in algorithms', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaVerifier = verifier({ keys: [{ kid: KID, key: rsa.publicKey }] });
    expect((await rsaVerifier.verify(message('{}', { alg: 'PS256' }, 'PS256', rsa.privateKey).jws)).header.alg).toBe('PS256');
    await expectRejection(verifier({ keys: [{ kid: KID, key: rsa.publicKey }], algorithms: ['RS256'] }).verify(message('{}', { alg: 'PS256' }, 'PS256', rsa.privateKey).jws), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
    await expectRejection(verifier().verify(message('{}', { alg: 'ES384' }, 'ES256').jws), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
  });

  it('refuses a high-S signature with rejectHighS', async () => {
    const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const [header, payload, signature = ''] = orderMessage.jws.split('.');
    const bytes = Buffer.from(signature, 'base64url');
    const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
    bytes.set(Buffer.from((order - s).toString(16).padStart(64, '0'), 'hex'), 32);
    const twin = `${header}.${payload}.${bytes.toString('base64url')}`;
    const lowS = s <= order / 2n;
    // Exactly one of the two forms is high-S; rejectHighS refuses that one only.
    await expectRejection(verifier({ rejectHighS: true }).verify(lowS ? twin : orderMessage.jws), SignatureHighSError, 'ERR_JWS_SIGNATURE_HIGH_S');
    expect((await verifier({ rejectHighS: true }).verify(lowS ? orderMessage.jws : twin)).payload).toEqual(ORDER);
  });

  it.each([
    ['a detached JWS without its payload', () => ({ jws: orderMessage.detachedJws })],
    ['a detached JWS as a bare string', () => orderMessage.detachedJws],
    ['a compact JWS and a detached payload too', () => ({ jws: orderMessage.jws, payload: orderMessage.payload })],
    ['no JWS (a missing message attribute)', () => ({ jws: undefined, payload: '{}' })],
    ['an empty detached payload', () => ({ jws: orderMessage.detachedJws, payload: '' })],
    ['a payload that is neither string nor bytes', () => ({ jws: orderMessage.detachedJws, payload: 12 as unknown as string })],
    ['a number', () => 12 as unknown as string],
    ['two segments', () => orderMessage.jws.split('.').slice(0, 2).join('.')],
    ['four segments', () => `${orderMessage.jws}.x`],
    ['a payload segment that is not base64url', () => orderMessage.jws.replace('.', '.*')],
    ['a signature that is not base64url', () => `${orderMessage.jws}*`],
  ])('refuses %s (ERR_TOKEN_MALFORMED)', async (_name, input) => {
    await expectRejection(verifier().verify(input()), JwtMalformedError, 'ERR_TOKEN_MALFORMED');
  });
});

describe('size limits', () => {
  const big = message(JSON.stringify({ pad: 'x'.repeat(262_144 - 10) }));

  it('verifies a 256 KiB payload, compact and detached, with the default limit', async () => {
    expect(big.payload.length).toBe(262_144);
    expect((await verifier().verify<{ pad: string }>(big.jws)).payload.pad.length).toBe(262_134);
    expect((await verifier().verifyBytes({ jws: big.detachedJws, payload: big.payload })).payload.length).toBe(262_144);
  });

  it('refuses a payload one byte over maxPayloadBytes before anything else (ERR_TOKEN_TOO_LARGE)', async () => {
    const v = verifier({ maxPayloadBytes: 262_143 });
    await expectRejection(v.verify({ jws: big.detachedJws, payload: big.payload }), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE');
    await expectRejection(v.verify({ jws: big.detachedJws, payload: big.payload.toString('utf8') }), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE');
    await expectRejection(v.verify(big.jws), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE');
  });

  it('refuses a compact JWS longer than the largest payload plus 8192, and a detached JWS longer than 8192, unparsed', async () => {
    const v = verifier({ maxPayloadBytes: 3 });
    // 3 bytes are 4 characters of base64url: 8196 characters pass the length check (and fail later), 8197 do not.
    await expectRejection(v.verify('a'.repeat(8197)), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE');
    await expectRejection(v.verify('a'.repeat(8196)), JwtMalformedError, 'ERR_TOKEN_MALFORMED');
    await expectRejection(v.verify({ jws: 'a'.repeat(8193), payload: '{}' }), JwtTooLargeError, 'ERR_TOKEN_TOO_LARGE');
  });

  it('refuses deeply nested JSON as malformed, without crashing', async () => {
    const depth = 200_000;
    const nested = message(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    const error = await rejection(verifier({ maxPayloadBytes: 2 * depth }).verify(nested.jws));
    expect(error).toBeInstanceOf(JwtMalformedError);
  });
});

describe('options', () => {
  const keys = [{ kid: KID, key: publicKey }];
  it.each([
    ['no maxMessageAgeSeconds', { keys }, /maxMessageAgeSeconds is required/],
    ['maxMessageAgeSeconds 0', { keys, maxMessageAgeSeconds: 0 }, /maxMessageAgeSeconds must be/],
    ['no keys', { maxMessageAgeSeconds: 60 }, /keys is required/],
    ['maxPayloadBytes 0', { keys, maxMessageAgeSeconds: 60, maxPayloadBytes: 0 }, /maxPayloadBytes must be/],
    ['isReplayed not a function', { keys, maxMessageAgeSeconds: 60, isReplayed: true }, /isReplayed must be a function/],
    ['algorithms HS256', { keys, maxMessageAgeSeconds: 60, algorithms: ['HS256'] }, /algorithms must be/],
    ['a negative clock tolerance', { keys, maxMessageAgeSeconds: 60, clockToleranceSeconds: -1 }, /clockToleranceSeconds must be/],
    ['signatureVerification worker', { keys, maxMessageAgeSeconds: 60, signatureVerification: 'worker' }, /signatureVerification must be/],
  ])('refuses %s at construction with ERR_CONFIG_INVALID', (_name, options, message) => {
    let caught: unknown;
    try {
      createMessageVerifier(options as unknown as MessageVerifierOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VerifierConfigError);
    expect((caught as VerifierConfigError).message).toMatch(message);
  });
});

describe('error messages', () => {
  it('never hold the JWS, the payload or the message id', async () => {
    const secret = 'order-secret-4f9a2c71';
    const id = 'message-id-93bd61e0';
    const signed = message(JSON.stringify({ secret }), { jti: id });
    const v = verifier({ isReplayed: () => true });
    const failures = [
      await rejection(v.verify(signed.jws)),
      await rejection(verifier().verify({ jws: signed.detachedJws, payload: JSON.stringify({ secret: `${secret}!` }) })),
      await rejection(verifier().verify(message(JSON.stringify({ secret }), { jti: id, cty: 'text/plain' }).jws)),
      await rejection(verifier({ nowMs: () => (NOW + 3600) * 1000 }).verify(signed.jws)),
      await rejection(verifier().verify(message(`{"${secret}":1,"${secret}":2}`, { jti: id }).jws)),
    ];
    for (const error of failures) {
      const text = `${String(error)} ${JSON.stringify(error)}`;
      expect(text).not.toContain(secret);
      expect(text).not.toContain(id);
      expect(text).not.toContain(signed.jws.split('.')[2]);
    }
  });
});
