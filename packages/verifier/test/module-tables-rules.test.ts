import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMessageVerifier } from '../src/create-message-verifier.js';
import { ALGORITHMS_BY_KEY_SPEC, createVerifier, JwtExpiredError, JwtTooOldError, type KmsJwtError } from '../src/index.js';
import { describePem } from '../src/key-description.js';
import { isJsonMediaType } from '../src/media-type.js';
import { b64, encode, expectRejection, ISSUER, AUDIENCE, KID, keyPairFor, NOW, signInput, signToken, claims } from './support/tokens.js';

// The tables and texts each module builds when it loads (Stryker's "static" mutants): the public
// key-spec table, the symbols other copies of the package find a verifier's fast paths under, and
// the fixed words of the time refusals, media types and key descriptions.

const { privateKey, publicKey } = keyPairFor('ES256');
const nowMs = (): number => NOW * 1000;

/** The message of the error `promise` rejects with. */
async function refusalText(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

describe('ALGORITHMS_BY_KEY_SPEC', () => {
  it('gives each KMS signing key spec the JWS algorithms KMS signs with it, and no other', () => {
    const rsa = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    expect(ALGORITHMS_BY_KEY_SPEC).toEqual({
      ECC_NIST_P256: ['ES256'],
      ECC_NIST_P384: ['ES384'],
      ECC_NIST_P521: ['ES512'],
      ECC_SECG_P256K1: ['ES256K'],
      RSA_2048: rsa,
      RSA_3072: rsa,
      RSA_4096: rsa,
      ECC_NIST_EDWARDS25519: ['EdDSA'],
    });
  });
});

describe('the symbols a verifier carries its fast paths under', () => {
  // Symbol.for, so that the HTTP layer of one copy of the package (an adapter's dependency) finds the
  // verifier another copy built: the registry keys are part of the contract between versions.
  const verifier = createVerifier({ keys: [{ kid: KID, key: publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs }) as unknown as Record<symbol, unknown>;

  it.each(['kms-jwt-verifier/verify-now', 'kms-jwt-verifier/known-token'])('has a function under Symbol.for(%j)', (key) => {
    expect(typeof verifier[Symbol.for(key)]).toBe('function');
  });

  it('answers a token through Symbol.for("kms-jwt-verifier/verify-now") as verify() does', async () => {
    const token = signToken('ES256', privateKey, claims());
    const verifyNow = verifier[Symbol.for('kms-jwt-verifier/verify-now')] as (token: string) => unknown;
    expect(await verifyNow(token)).toMatchObject({ payload: { iss: ISSUER } });
  });

  it('keeps its telemetry (none here) under Symbol.for("kms-jwt-verifier/telemetry")', () => {
    expect(Object.getOwnPropertySymbols(verifier)).toContain(Symbol.for('kms-jwt-verifier/telemetry'));
    expect(verifier[Symbol.for('kms-jwt-verifier/telemetry')]).toBeUndefined();
  });
});

describe('the fixed words of time refusals', () => {
  it('tells the holder of an expired token to ask the issuer for a new one', async () => {
    const verifier = createVerifier({ keys: [{ kid: KID, key: publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs });
    const error: KmsJwtError = await expectRejection(verifier.verify(signToken('ES256', privateKey, claims({ exp: NOW - 10 }))), JwtExpiredError, 'ERR_JWT_EXPIRED');
    expect(error.message).toBe(`the token expired at ${NOW - 10} (now ${NOW}, tolerance 0 s); ask the issuer for a new token`);
  });

  const messages = createMessageVerifier({ keys: [{ kid: KID, key: publicKey }], maxMessageAgeSeconds: 300, nowMs });
  const message = (header: Record<string, unknown>): string => {
    const headerSegment = encode({ alg: 'ES256', kid: KID, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW - 5, jti: 'm-1', ...header });
    const payloadSegment = b64('{}');
    return `${headerSegment}.${payloadSegment}.${b64(signInput('ES256', privateKey, `${headerSegment}.${payloadSegment}`))}`;
  };

  it('names a message’s header parameters as such, and its age option', async () => {
    expect((await expectRejection(messages.verify(message({ iat: NOW - 1000 })), JwtTooOldError, 'ERR_JWT_TOO_OLD')).message).toBe(
      `the message was issued at ${NOW - 1000}, more than 300 s ago (maxMessageAgeSeconds)`,
    );
    expect(await refusalText(messages.verify(message({ exp: 'soon' })))).toBe('header parameter exp must be a NumericDate (seconds since the epoch)');
  });

  it('gives an expired message no advice meant for access tokens', async () => {
    const error = await expectRejection(messages.verify(message({ exp: NOW - 10 })), JwtExpiredError, 'ERR_JWT_EXPIRED');
    expect(error.message).toBe(`the message expired at ${NOW - 10} (now ${NOW}, tolerance 0 s)`);
  });
});

describe('JSON media types', () => {
  it.each(['application/json', 'APPLICATION/JSON; charset=utf-8', 'application/cloudevents+json', 'text/json'])('takes %j', (type) => {
    expect(isJsonMediaType(type)).toBe(true);
  });

  it.each(['x y/json', 'application/json x', ' /json', 'application/jsonx', 'application/json+x'])('refuses %j: the whole essence must be a JSON type', (type) => {
    expect(isJsonMediaType(type)).toBe(false);
  });

  it('refuses a message whose cty only ends like a JSON type', async () => {
    const messages = createMessageVerifier({ keys: [{ kid: KID, key: publicKey }], maxMessageAgeSeconds: 300, nowMs });
    const headerSegment = encode({ alg: 'ES256', kid: KID, typ: 'kms-jwt-message+jws', cty: 'x y/json', iat: NOW - 5, jti: 'm-1' });
    const payloadSegment = b64('{}');
    const jws = `${headerSegment}.${payloadSegment}.${b64(signInput('ES256', privateKey, `${headerSegment}.${payloadSegment}`))}`;
    expect(await refusalText(messages.verify(jws))).toBe('the payload is x y/json, not JSON: verify it with verifyBytes');
  });
});

describe('key types KMS never signs with', () => {
  it.each([
    ['DSA', () => generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 })],
    ['X448', () => generateKeyPairSync('x448')],
    ['X25519', () => generateKeyPairSync('x25519')],
    ['Ed448', () => generateKeyPairSync('ed448')],
  ] as const)('names a %s key as such', (name, generate) => {
    const pem = generate().publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(describePem(pem)).toBe(`key type ${name} cannot verify a KMS signature`);
  });
});
