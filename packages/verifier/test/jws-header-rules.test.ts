import { describe, expect, it } from 'vitest';
import { createMessageVerifier } from '../src/create-message-verifier.js';
import { createVerifier } from '../src/create-verifier.js';
import { AlgNotAllowedError, JwsHeaderUnsupportedError, JwtMalformedError, KidMissingError, MessageTypeInvalidError, TokenIsMessageError, type KmsJwtError } from '../src/errors.js';
import { AUDIENCE, b64, claims, encode, expectRejection, ISSUER, KID, keyPairFor, NOW, signInput, type ErrorClass } from './support/tokens.js';

// The protected-header rules (jws-header.ts) as both verifiers apply them: what each refusal says,
// and that a token and a message are held to their own rules (a token never uses crit, even one a
// message may use).

const { privateKey, publicKey } = keyPairFor('ES256');
const keys = [{ kid: KID, key: publicKey }];
const tokens = createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 });
const messages = createMessageVerifier({ keys, maxMessageAgeSeconds: 300, nowMs: () => NOW * 1000 });

/** A validly signed compact JWS of exactly these segments. */
function signed(headerSegment: string, payloadSegment: string): string {
  return `${headerSegment}.${payloadSegment}.${b64(signInput('ES256', privateKey, `${headerSegment}.${payloadSegment}`))}`;
}
const token = (header: Record<string, unknown>, payload: unknown = claims()): string => signed(encode({ alg: 'ES256', typ: 'JWT', kid: KID, ...header }), encode(payload));
const message = (header: Record<string, unknown>): string =>
  signed(encode({ alg: 'ES256', kid: KID, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW - 5, jti: 'm-1', ...header }), encode({ ok: true }));

async function refusal<E extends KmsJwtError>(promise: Promise<unknown>, type: ErrorClass<E>, code: E['code']): Promise<string> {
  return (await expectRejection(promise, type, code)).message;
}

describe('a protected header that is not a JSON object', () => {
  it.each([
    ['JSON that is an array', b64('["alg","ES256"]')],
    ['text that is not JSON', b64('{alg: ES256}')],
    ['a segment that is not base64url', '!!!!'],
  ])('refuses %s, saying the header must be a base64url-encoded JSON object', async (_name, headerSegment) => {
    const text = await refusal(tokens.verify(signed(headerSegment, encode(claims()))), JwtMalformedError, 'ERR_TOKEN_MALFORMED');
    expect(text).toBe('the header is not a base64url-encoded JSON object (without duplicate members)');
  });
});

describe('typ: a message is never a token, a token never a message', () => {
  it('tells a JWS with another typ from one without typ when the message verifier refuses it', async () => {
    expect(await refusal(messages.verify(message({ typ: 'JWT' })), MessageTypeInvalidError, 'ERR_MESSAGE_TYPE_INVALID')).toMatch(
      /^the JWS is not a signed message: its header typ must be kms-jwt-message\+jws, and it has another typ \(an access token is never accepted as a message\)$/,
    );
    expect(await refusal(messages.verify(message({ typ: undefined })), MessageTypeInvalidError, 'ERR_MESSAGE_TYPE_INVALID')).toMatch(/, and it has none$/);
    expect(await refusal(messages.verify(message({ typ: 7 })), MessageTypeInvalidError, 'ERR_MESSAGE_TYPE_INVALID')).toMatch(/, and it has none$/);
  });

  it('names createMessageVerifier when a message is offered as a token', async () => {
    const text = await refusal(tokens.verify(token({ typ: 'kms-jwt-message+jws' })), TokenIsMessageError, 'ERR_TOKEN_IS_MESSAGE');
    expect(text).toContain('verify messages with createMessageVerifier');
  });
});

describe('alg', () => {
  it('says the header has no alg when alg is missing or not a string', async () => {
    expect(await refusal(tokens.verify(token({ alg: undefined })), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED')).toBe('the header has no alg');
    expect(await refusal(tokens.verify(token({ alg: 256 })), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED')).toBe('the header has no alg');
  });

  it('lists the algorithms a KMS key produces when alg is none or a symmetric one', async () => {
    for (const alg of ['none', 'HS256']) {
      const text = await refusal(tokens.verify(token({ alg })), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
      expect(text).toBe('the header alg is never accepted: only the asymmetric algorithms a KMS key produces are (ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)');
    }
  });
});

describe('key-carrying parameters and b64', () => {
  it.each(['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'])('refuses %s, naming it and what was verified (token or message)', async (parameter) => {
    expect(await refusal(tokens.verify(token({ [parameter]: 'x' })), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED')).toBe(
      `header parameter ${parameter} is refused: keys come from the trusted key source only, never from the token`,
    );
    expect(await refusal(messages.verify(message({ [parameter]: 'x' })), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED')).toBe(
      `header parameter ${parameter} is refused: keys come from the trusted key source only, never from the message`,
    );
  });

  it('refuses b64, saying only base64url-encoded payloads are accepted', async () => {
    const text = await refusal(tokens.verify(token({ b64: true })), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED');
    expect(text).toBe('header b64 is refused: only base64url-encoded payloads (RFC 7515) are accepted');
  });
});

describe('crit', () => {
  it('refuses a token listing exp in crit even when its header carries exp (tokens must not use crit)', async () => {
    const text = await refusal(tokens.verify(token({ crit: ['exp'], exp: NOW + 60 })), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED');
    expect(text).toBe('header crit names extensions this verifier does not understand; tokens must not use crit');
  });

  it.each([
    ['an empty list', []],
    ['an empty name', ['']],
    ['a name that is not a string', [7]],
    ['a string instead of a list', 'exp'],
    ['exp and an empty name', ['exp', '']],
    ['exp and a name that is not a string', ['exp', 7]],
    ['a list holding a list of names', [['exp']]],
  ])('refuses crit that is %s, saying it must be a non-empty array of names (token and message)', async (_name, crit) => {
    const expected = 'header crit must be a non-empty array of parameter names';
    expect(await refusal(tokens.verify(token({ crit, exp: NOW + 60 })), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED')).toBe(expected);
    expect(await refusal(messages.verify(message({ crit, exp: NOW + 60 })), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED')).toBe(expected);
  });

  it('says why a message crit is refused: a name twice, a name not understood, a name the header lacks', async () => {
    expect(await refusal(messages.verify(message({ crit: ['exp', 'exp'], exp: NOW + 60 })), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED')).toBe(
      'header crit lists a parameter twice',
    );
    expect(await refusal(messages.verify(message({ crit: ['topic'], topic: 'orders' })), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED')).toBe(
      'header crit lists a parameter this verifier does not understand (it understands exp); the message is refused, as RFC 7515 requires',
    );
    expect(await refusal(messages.verify(message({ crit: ['exp'] })), JwsHeaderUnsupportedError, 'ERR_JWS_HEADER_UNSUPPORTED')).toBe(
      'header crit lists exp, which the header does not carry',
    );
  });

  it('accepts a message whose crit lists exp, carried by its header', async () => {
    expect((await messages.verify(message({ crit: ['exp'], exp: NOW + 60 }))).header.crit).toEqual(['exp']);
  });
});

describe('kid', () => {
  it('says a kid is missing, naming what must carry it, apart from a kid that is not a non-empty string', async () => {
    expect(await refusal(tokens.verify(token({ kid: undefined })), KidMissingError, 'ERR_KID_MISSING')).toBe('the header has no kid: the token must name the KMS key ARN that signed it');
    expect(await refusal(messages.verify(message({ kid: undefined })), KidMissingError, 'ERR_KID_MISSING')).toBe(
      'the header has no kid: the message must name the KMS key ARN that signed it',
    );
    for (const kid of ['', 42, null]) {
      expect(await refusal(tokens.verify(token({ kid })), KidMissingError, 'ERR_KID_MISSING')).toBe('the header kid must be a non-empty string (the KMS key ARN)');
    }
  });
});

describe('the verified header', () => {
  it('is frozen, nested members too', async () => {
    const verified = await tokens.verify(token({ ext: { nested: [1] } }));
    expect(Object.isFrozen(verified.header)).toBe(true);
    expect(Object.isFrozen((verified.header as unknown as { ext: { nested: number[] } }).ext.nested)).toBe(true);
  });
});
