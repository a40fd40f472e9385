import { describe, expect, it } from 'vitest';
import { algorithmsForKey, AlgNotAllowedError, AlgUnsupportedByRuntimeError, createVerifier, JwtClaimInvalidError, JwtClaimMissingError, JwtIssuedInFutureError, JwtLifetimeTooLongError, JwtNotYetValidError, KidUntrustedError, SignatureCheckUnavailableError, SignatureInvalidError, type KmsJwtError, type TrustedKey, type VerifierOptions } from '../src/index.js';
import type { TrustedPublicKey } from '../src/public-key.js';
import { describeKeyType, keyVerifies, requiredKeyType } from '../src/algorithms.js';
import { joseSignature } from '../src/signature.js';
import { signatureCheckFailed } from '../src/signature-failure.js';
import { AUDIENCE, b64, claims, encode, ISSUER, keyPairFor, KID, NOW, rejection, signToken } from './support/tokens.js';

/** Every refusal says what failed and what to fix, in a message that never holds the token. */

const nowMs = () => NOW * 1000;
const es256 = keyPairFor('ES256');
const base: VerifierOptions = { keys: [{ kid: KID, key: es256.publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs };

async function refusal(payload: Record<string, unknown>, extra: Partial<VerifierOptions> = {}, header: Record<string, unknown> = { alg: 'ES256', typ: 'JWT', kid: KID }): Promise<KmsJwtError> {
  return (await rejection(createVerifier({ ...base, ...extra }).verify(signToken('ES256', es256.privateKey, payload, header)))) as KmsJwtError;
}

describe('claim refusals', () => {
  const cases: readonly (readonly [string, () => Promise<KmsJwtError>, abstract new (...args: never[]) => KmsJwtError, string])[] = [
    ['nbf in the future', () => refusal(claims({ nbf: NOW + 100 })), JwtNotYetValidError, `the token is not valid before ${NOW + 100} (now ${NOW}, tolerance 0 s)`],
    ['iat in the future', () => refusal(claims({ iat: NOW + 100 })), JwtIssuedInFutureError, `the token claims to be issued at ${NOW + 100}, in the future (now ${NOW}, tolerance 0 s); check the issuer's clock`],
    [
      'a lifetime over the maximum, by exp − iat',
      () => refusal(claims({ iat: NOW - 10, exp: NOW + 100 }), { maxTokenLifetimeSeconds: 60 }),
      JwtLifetimeTooLongError,
      'the token lives 110 s (exp − iat), more than maxTokenLifetimeSeconds (60 s); have the issuer issue shorter-lived tokens, or raise maxTokenLifetimeSeconds',
    ],
    [
      'a lifetime over the maximum, without iat',
      () => refusal({ iss: ISSUER, aud: AUDIENCE, exp: NOW + 100 }, { maxTokenLifetimeSeconds: 60 }),
      JwtLifetimeTooLongError,
      'the token has no iat and expires 100 s from now, more than maxTokenLifetimeSeconds (60 s); have the issuer issue shorter-lived tokens, or raise maxTokenLifetimeSeconds',
    ],
    ['no iat while maxTokenAgeSeconds is set', () => refusal({ iss: ISSUER, aud: AUDIENCE, exp: NOW + 100 }, { maxTokenAgeSeconds: 60 }), JwtClaimMissingError, 'claim iat is required because maxTokenAgeSeconds is set'],
    ['a required claim missing', () => refusal(claims(), { requiredClaims: ['jti'] }), JwtClaimMissingError, 'claim jti is required but missing'],
    ['no iss', () => refusal({ aud: AUDIENCE, exp: NOW + 100 }), JwtClaimMissingError, 'claim iss is required but missing'],
    ['another iss', () => refusal(claims({ iss: 'https://other.example' })), JwtClaimInvalidError, `claim iss is not an accepted issuer (expected ${ISSUER}; the token's value is in error.actual)`],
    ['a non-string iss', () => refusal(claims({ iss: 7 })), JwtClaimInvalidError, `claim iss is not an accepted issuer (expected ${ISSUER}; the token's value is in error.actual)`],
    ['no aud', () => refusal({ iss: ISSUER, exp: NOW + 100 }), JwtClaimMissingError, 'claim aud is required but missing'],
    ['an aud that is no string', () => refusal(claims({ aud: [AUDIENCE, 7] })), JwtClaimInvalidError, 'claim aud must be a string or an array of strings'],
    ['another aud', () => refusal(claims({ aud: ['x', 'y'] })), JwtClaimInvalidError, `claim aud names none of the accepted audiences (${AUDIENCE}; the token's value is in error.actual)`],
    ['no sub', () => refusal({ iss: ISSUER, aud: AUDIENCE, exp: NOW + 100 }, { subject: 'user-1' }), JwtClaimMissingError, 'claim sub is required but missing'],
    ['another sub', () => refusal(claims({ sub: 'user-2' }), { subject: 'user-1' }), JwtClaimInvalidError, `claim sub is not "user-1" (the token's value is in error.actual)`],
    ['another typ', () => refusal(claims(), { typ: 'at+jwt' }), JwtClaimInvalidError, `header typ is not "at+jwt" (the token's value is in error.actual)`],
  ];

  it.each(cases)('%s', async (_name, run, type, message) => {
    const error = await run();
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
  });

  it('names the audiences it accepts, joined with commas', async () => {
    const error = await refusal(claims({ aud: 'x' }), { audience: [AUDIENCE, 'billing'] });
    expect(error.message).toBe(`claim aud names none of the accepted audiences (${AUDIENCE}, billing; the token's value is in error.actual)`);
  });

  it('names the issuers it accepts, joined with "or"', async () => {
    const error = await refusal(claims({ iss: 'https://other.example' }), { issuer: [ISSUER, 'https://second.example'] });
    expect(error.message).toBe(`claim iss is not an accepted issuer (expected ${ISSUER} or https://second.example; the token's value is in error.actual)`);
  });
});

describe('key policy refusals', () => {
  it('says the kid names no trusted key', async () => {
    const error = await refusal(claims(), {}, { alg: 'ES256', typ: 'JWT', kid: 'arn:aws:kms:us-east-1:111122223333:key/other' });
    expect(error).toBeInstanceOf(KidUntrustedError);
    expect(error.message).toBe('the kid names no trusted key: the token was not signed by a key this service trusts');
  });

  it('lists the algorithms the key allows, or none', async () => {
    const rsa = keyPairFor('RS256');
    const token = signToken('RS256', rsa.privateKey, claims(), { alg: 'PS256', typ: 'JWT', kid: KID });
    const error = await rejection(createVerifier({ ...base, keys: [{ kid: KID, key: rsa.publicKey }], algorithms: ['RS256', 'ES256'] }).verify(token));
    expect(error).toBeInstanceOf(AlgNotAllowedError);
    expect((error as AlgNotAllowedError).message).toBe(`alg PS256 is not allowed for the trusted key ${KID} (allowed: RS256)`);
    const two = await rejection(createVerifier({ ...base, keys: [{ kid: KID, key: rsa.publicKey }], algorithms: ['RS256', 'RS384'] }).verify(token));
    expect((two as AlgNotAllowedError).message).toBe(`alg PS256 is not allowed for the trusted key ${KID} (allowed: RS256, RS384)`);
    const none = await rejection(createVerifier({ ...base, keys: [{ kid: KID, key: rsa.publicKey }], algorithms: ['ES256'] }).verify(token));
    expect((none as AlgNotAllowedError).message).toBe(`alg PS256 is not allowed for the trusted key ${KID} (allowed: none)`);
  });
});

describe('signature encoding refusals', () => {
  it('says how long an ECDSA signature must be, and hints at DER when it starts like DER', () => {
    const p256 = keyPairFor('ES256').publicKey;
    const p384 = keyPairFor('ES384').publicKey;
    expect(() => joseSignature('ES256', new Uint8Array(65).fill(1), false, p256)).toThrow(new SignatureInvalidError('the ES256 signature must be 64 bytes (R‖S), got 65'));
    expect(() => joseSignature('ES256', Uint8Array.of(0x30, ...new Uint8Array(69)), false, p256)).toThrow(
      new SignatureInvalidError(
        'the ES256 signature must be 64 bytes (R‖S), got 70; it looks DER-encoded: have the issuer convert KMS signatures to R‖S, or set acceptDerSignatures for legacy tokens',
      ),
    );
    expect(() => joseSignature('ES384', new Uint8Array(70).fill(1), true, p384)).toThrow(new SignatureInvalidError('the ES384 signature is neither 96 bytes of R‖S nor strict DER'));
  });

  it("says how long an RSA signature must be: the length of the key's modulus", () => {
    const rsa2048 = keyPairFor('PS256').publicKey;
    expect(() => joseSignature('PS256', new Uint8Array(255).fill(1), false, rsa2048)).toThrow(new SignatureInvalidError('the PS256 signature must be 256 bytes (the length of the key\'s modulus), got 255'));
    expect(joseSignature('RS256', new Uint8Array(256).fill(1), false, rsa2048)).toHaveLength(256);
  });
});

describe('signature checks that could not run', () => {
  const key: TrustedKey = { id: KID, algorithms: ['ES256'], publicKey: es256.publicKey };

  it('an algorithm the runtime lacks (NotSupportedError) is ERR_ALG_UNSUPPORTED_BY_RUNTIME, with the cause', () => {
    const notSupported = Object.assign(new Error('no'), { name: 'NotSupportedError' });
    const error = signatureCheckFailed(notSupported, 'EdDSA', key);
    expect(error).toBeInstanceOf(AlgUnsupportedByRuntimeError);
    expect(error.cause).toBe(notSupported);
    expect(error.message).toBe(`kms-jwt-verifier: this runtime's Web Crypto cannot verify EdDSA, the algorithm of the trusted key ${KID}: verify EdDSA tokens on Node.js, or trust keys of another key spec`);
  });

  it.each([[new TypeError('bad key')], [null], [undefined], ['a string']])('anything else thrown (%s) is ERR_SIGNATURE_CHECK_UNAVAILABLE, with the cause', (thrown) => {
    const error = signatureCheckFailed(thrown, 'ES256', key);
    expect(error).toBeInstanceOf(SignatureCheckUnavailableError);
    expect(error.cause).toBe(thrown);
  });
});

describe('keys the verifier cannot use', () => {
  const fake = (members: Record<string, unknown>) => members as unknown as TrustedPublicKey;

  it('names the kind of key a resolver returned and the kind the algorithm needs', () => {
    expect(describeKeyType(fake({ asymmetricKeyType: 'ec' }))).toBe('an EC unknown-curve key');
    expect(describeKeyType(fake({ asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve: 'sect283k1' } }))).toBe('an EC sect283k1 key');
    expect(describeKeyType(fake({ asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve: 'secp521r1' } }))).toBe('an EC P-521 key');
    expect(describeKeyType(fake({ asymmetricKeyType: 'rsa-pss' }))).toBe('an RSA-PSS key');
    expect(describeKeyType(fake({ asymmetricKeyType: 'x25519' }))).toBe('a key of type x25519');
    expect(describeKeyType(fake({}))).toBe('not a key object');
    expect(describeKeyType(42)).toBe('not a key object (a number)');
    expect(describeKeyType(undefined)).toBe('not a key object (undefined)');
    expect(describeKeyType(null)).toBe('not a key object (null)');
    expect(requiredKeyType('ES512')).toBe('an EC P-521 key');
    expect(requiredKeyType('ES256K')).toBe('an EC secp256k1 key');
    expect(requiredKeyType('EdDSA')).toBe('an Ed25519 key');
    expect(requiredKeyType('RS384')).toBe('an RSA key');
    expect(requiredKeyType('PS384')).toBe('an RSA (or RSA-PSS) key');
    expect(keyVerifies(fake({ asymmetricKeyType: 'x25519' }), 'EdDSA')).toBe(false);
    expect(keyVerifies(fake({ asymmetricKeyType: 'ec' }), 'ES256')).toBe(false);
    expect(describeKeyType(fake({ type: 'private', asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve: 'prime256v1' } }))).toBe('a private EC P-256 key');
    expect(describeKeyType(fake({ type: 'private', asymmetricKeyType: 'rsa' }))).toBe('a private RSA key');
    expect(describeKeyType(fake({ type: 'secret' }))).toBe('a secret (symmetric) key');
    expect(describeKeyType(fake({ type: 'public', algorithm: { name: 'RSASSA-PKCS1-v1_5' }, extractable: false, usages: ['verify'] }))).toBe('a Web Crypto CryptoKey (RSASSA-PKCS1-v1_5)');
    // A key of the right type that the verifier refuses all the same: a private key, a short RSA key.
    expect(keyVerifies(fake({ type: 'private', asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve: 'prime256v1' } }), 'ES256')).toBe(false);
    expect(keyVerifies(fake({ type: 'public', asymmetricKeyType: 'rsa', asymmetricKeyDetails: { modulusLength: 2047 } }), 'RS256')).toBe(false);
    expect(keyVerifies(fake({ type: 'public', asymmetricKeyType: 'rsa', asymmetricKeyDetails: { modulusLength: 2048 } }), 'RS256')).toBe(true);
  });

  it('says why, also for a key object without asymmetricKeyDetails', () => {
    expect(algorithmsForKey(fake({ type: 'public', asymmetricKeyType: 'ec' }))).toBe('EC curve unknown is not one KMS signs with (P-256, P-384, P-521, secp256k1)');
    expect(algorithmsForKey(fake({ type: 'public', asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve: 'sect283k1' } }))).toBe(
      'EC curve sect283k1 is not one KMS signs with (P-256, P-384, P-521, secp256k1)',
    );
    expect(algorithmsForKey(fake({ type: 'public', asymmetricKeyType: 'rsa' }))).toBe('RSA key of 0 bits is shorter than 2048');
    expect(algorithmsForKey(fake({ type: 'public', asymmetricKeyType: 'rsa-pss' }))).toBe('RSA key of 0 bits is shorter than 2048');
    expect(algorithmsForKey(fake({ type: 'public', asymmetricKeyType: 'x25519' }))).toBe('key type x25519 cannot verify a KMS signature');
    expect(algorithmsForKey(fake({ type: 'public' }))).toBe('key type unknown cannot verify a KMS signature');
    expect(algorithmsForKey(fake({ type: 'private', asymmetricKeyType: 'ec' }))).toBe('expected a public key, got a private key');
    // Names inherited from Object.prototype are no curve and no key type.
    expect(algorithmsForKey(fake({ type: 'public', asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve: 'toString' } }))).toBe(
      'EC curve toString is not one KMS signs with (P-256, P-384, P-521, secp256k1)',
    );
    expect(algorithmsForKey(fake({ type: 'public', asymmetricKeyType: 'constructor' }))).toBe('key type constructor cannot verify a KMS signature');
  });
});

describe('the signing input is the token as latin1', () => {
  // A payload segment with a character outside base64url: its signature (made over the latin1
  // bytes, as the verifier reads the token) verifies, and the payload is then refused as malformed.
  it.each(['sync', 'threadpool'] as const)('refuses such a token as malformed, not as a bad signature (%s)', async (mode) => {
    const input = `${encode({ alg: 'ES256', typ: 'JWT', kid: KID })}.${encode(claims())}\u00e9`;
    const { sign } = await import('node:crypto');
    const signature = sign('sha256', Buffer.from(input, 'latin1'), { key: es256.privateKey, dsaEncoding: 'ieee-p1363' });
    const error = await rejection(createVerifier({ ...base, signatureVerification: mode }).verify(`${input}.${b64(signature)}`));
    expect(error).toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
  });
});
