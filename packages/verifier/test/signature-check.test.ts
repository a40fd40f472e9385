import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createMessageVerifier,
  createVerifier,
  JWS_ALGORITHMS,
  SignatureCheckUnavailableError,
  SignatureInvalidError,
  type JwsAlgorithm,
  type KeyResolver,
  type TrustedKey,
  type VerifierOptions,
} from '../src/index.js';
import { createBearerAuth, HttpAuthError } from '../src/http/index.js';
import type { TrustedPublicKey } from '../src/public-key.js';
import { verifySignatureAsync, verifySignatureSync } from '#runtime';
import { AUDIENCE, claims, encode, expectRejection, ISSUER, keyPairFor, KID, NOW, rejection, signInput, signToken, type KeyPair } from './support/tokens.js';

/**
 * A signature check that throws (node:crypto handed something it cannot verify with) is the
 * environment's fault: the verifier answers neither "valid" nor "invalid token" (401) but
 * ERR_SIGNATURE_CHECK_UNAVAILABLE (500), and the HTTP layer passes that on instead of a 401.
 */

const nowMs = () => NOW * 1000;
const es256 = keyPairFor('ES256');
const ed25519 = keyPairFor('EdDSA');
const valid = signToken('ES256', es256.privateKey, claims());
const forged = signToken('ES256', keyPairFor('ES256').privateKey, claims());

/** A resolver whose key for KID is `publicKey`, said to verify ES256: what a buggy custom resolver returns. */
function resolverOf(publicKey: unknown): KeyResolver {
  const key: TrustedKey = { id: KID, algorithms: ['ES256'], publicKey: publicKey as TrustedPublicKey };
  return { resolve: (kid) => (kid === KID ? key : undefined) };
}

const NON_KEYS: readonly (readonly [string, unknown])[] = [
  ['a string instead of a key object', 'not a key'],
  ['a plain object instead of a key object', {}],
  ['an Ed25519 key said to verify ES256', ed25519.publicKey],
];

function options(publicKey: unknown, extra: Partial<VerifierOptions> = {}): VerifierOptions {
  return { keys: resolverOf(publicKey), issuer: ISSUER, audience: AUDIENCE, nowMs, ...extra };
}

describe('a signature check that throws', () => {
  describe.each(['sync', 'threadpool'] as const)('signatureVerification %s', (mode) => {
    it.each(NON_KEYS)('answers ERR_SIGNATURE_CHECK_UNAVAILABLE (500) for a resolver returning %s, whether the signature is good or forged', async (_name, publicKey) => {
      const verifier = createVerifier(options(publicKey, { signatureVerification: mode }));
      for (const token of [valid, forged]) {
        const error = await expectRejection(verifier.verify(token), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE', token);
        expect(error).toMatchObject({ status: 500, family: 'config', name: 'SignatureCheckUnavailableError' });
        // Refused by the key policy before node:crypto is called: no crypto error to carry as the cause.
        expect(error.message).toMatch(/^kms-jwt-verifier: the trusted key .* could not be used to verify ES256: its publicKey is (not a key object|an Ed25519 key)/);
      }
    });

    it('still answers ERR_JWS_SIGNATURE_INVALID for a forged token when the key is usable', async () => {
      const verifier = createVerifier(options(es256.publicKey, { signatureVerification: mode }));
      await expectRejection(verifier.verify(forged), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
      expect((await verifier.verify(valid)).payload.sub).toBe('user-1');
    });
  });

  it.each(['sync', 'threadpool'] as const)('answers it for a key of the right type that the crypto still cannot use, with the crypto error as the cause (%s)', async (mode) => {
    const lookalike = { type: 'public', asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve: 'prime256v1' } };
    const verifier = createVerifier(options(lookalike, { signatureVerification: mode }));
    const error = await expectRejection(verifier.verify(valid), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE', valid);
    expect(error.message).toMatch(/^kms-jwt-verifier: the trusted key .* could not be used to verify ES256 on this runtime \(its crypto threw instead of answering\)/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('never caches a token whose check threw: every call answers the same 500', async () => {
    const verifier = createVerifier(options('not a key'));
    for (let call = 0; call < 3; call += 1) await expectRejection(verifier.verify(valid), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
  });

  it.each([false, true])('answers ERR_SIGNATURE_CHECK_UNAVAILABLE from the message verifier too (threadpool %s)', async (threadpool) => {
    const verifier = createMessageVerifier({ keys: resolverOf({}), maxMessageAgeSeconds: 300, nowMs, ...(threadpool ? { signatureVerification: 'threadpool' as const } : {}) });
    const headerSegment = encode({ alg: 'ES256', kid: KID, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW - 5, jti: 'message-1' });
    const input = `${headerSegment}.${encode({ order: 'o-1' })}`;
    const message = `${input}.${signInput('ES256', es256.privateKey, input).toString('base64url')}`;
    await expectRejection(verifier.verify(message), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
  });

  it('is passed on by the HTTP layer as the 500 it is, not answered 401', async () => {
    const auth = createBearerAuth<undefined>({ verifier: createVerifier(options('not a key')) }, 'kms-jwt-test');
    const error = await rejection(auth.authenticate(undefined, { headersDistinct: { authorization: [`Bearer ${valid}`] } }));
    expect(error).not.toBeInstanceOf(HttpAuthError);
    expect(error).toBeInstanceOf(SignatureCheckUnavailableError);
    expect((error as SignatureCheckUnavailableError).status).toBe(500);
  });

  it('is passed on for a threadpool verifier as well', async () => {
    const auth = createBearerAuth<undefined>({ verifier: createVerifier(options({}, { signatureVerification: 'threadpool' })) }, 'kms-jwt-test');
    const error = await rejection(auth.authenticate(undefined, { headersDistinct: { authorization: [`Bearer ${valid}`] } }));
    expect(error).toBeInstanceOf(SignatureCheckUnavailableError);
  });
});

describe('the node runtime signature check', () => {
  const data = Buffer.from('header.payload');
  const signature = signInput('ES256', es256.privateKey, 'header.payload');

  it('answers true and false for a usable key, synchronously and on the threadpool', async () => {
    expect(verifySignatureSync('ES256', es256.publicKey, data, signature)).toBe(true);
    expect(verifySignatureSync('ES256', es256.publicKey, Buffer.from('header.other'), signature)).toBe(false);
    expect(await verifySignatureAsync('ES256', es256.publicKey, data, signature)).toBe(true);
    expect(await verifySignatureAsync('ES256', es256.publicKey, Buffer.from('header.other'), signature)).toBe(false);
  });

  it('throws, and rejects on the threadpool, for a key it cannot verify with, instead of answering false', async () => {
    for (const [, publicKey] of NON_KEYS) {
      expect(() => verifySignatureSync('ES256', publicKey as TrustedPublicKey, data, signature)).toThrow();
      await expect(verifySignatureAsync('ES256', publicKey as TrustedPublicKey, data, signature)).rejects.toBeInstanceOf(Error);
    }
  });
});

describe("a resolver's key that cannot verify the token's algorithm", () => {
  /**
   * A custom resolver that hands out a key its `algorithms` say it verifies, but whose type cannot
   * (an EC key for RS256, an RSA key for ES256, P-256 for ES256K, ...), or no key at all, is
   * misconfigured: every algorithm answers the same 500 ERR_SIGNATURE_CHECK_UNAVAILABLE, never a
   * 401 that blames the token, and never a token accepted under an algorithm its key cannot do.
   */
  const pairs = new Map(JWS_ALGORITHMS.map((alg) => [alg, keyPairFor(alg)] as const));
  const pair = (alg: JwsAlgorithm): KeyPair => pairs.get(alg)!;
  const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
  const WRONG_KEYS: Readonly<Record<JwsAlgorithm, readonly (readonly [string, KeyObject])[]>> = {
    ES256: [['an RSA key', pair('RS256').publicKey], ['a P-384 key', pair('ES384').publicKey], ['a secp256k1 key', pair('ES256K').publicKey], ['an Ed25519 key', pair('EdDSA').publicKey]],
    ES384: [['an RSA key', pair('RS256').publicKey], ['a P-256 key', pair('ES256').publicKey]],
    ES512: [['an RSA key', pair('RS256').publicKey], ['a P-384 key', pair('ES384').publicKey]],
    ES256K: [['a P-256 key', pair('ES256').publicKey], ['an RSA key', pair('RS256').publicKey]],
    RS256: [['a P-256 key', pair('ES256').publicKey], ['an Ed25519 key', pair('EdDSA').publicKey], ['an RSA-PSS key', rsaPss.publicKey]],
    RS384: [['a P-384 key', pair('ES384').publicKey]],
    RS512: [['a P-521 key', pair('ES512').publicKey]],
    PS256: [['a P-256 key', pair('ES256').publicKey], ['an Ed25519 key', pair('EdDSA').publicKey]],
    PS384: [['a P-384 key', pair('ES384').publicKey]],
    PS512: [['a P-521 key', pair('ES512').publicKey]],
    EdDSA: [['a P-256 key', pair('ES256').publicKey], ['an RSA key', pair('RS256').publicKey]],
  };
  const NOT_KEYS: readonly (readonly [string, unknown])[] = [
    ['a string', 'not a key'],
    ['a plain object', {}],
    ['null', null],
  ];
  const rows = JWS_ALGORITHMS.flatMap((alg) => [...WRONG_KEYS[alg], ...NOT_KEYS].map(([name, publicKey]) => [alg, name, publicKey] as const));

  /** A resolver whose key for KID is `publicKey`, said to verify `alg`. */
  function misconfigured(alg: JwsAlgorithm, publicKey: unknown): KeyResolver {
    const key: TrustedKey = { id: KID, algorithms: [alg], publicKey: publicKey as TrustedPublicKey };
    return { resolve: (kid) => (kid === KID ? key : undefined) };
  }

  describe.each(['sync', 'threadpool'] as const)('signatureVerification %s', (mode) => {
    it.each(rows)('answers ERR_SIGNATURE_CHECK_UNAVAILABLE (500) for a %s token whose resolver returns %s', async (alg, _name, publicKey) => {
      const verifier = createVerifier({ keys: misconfigured(alg, publicKey), issuer: ISSUER, audience: AUDIENCE, nowMs, signatureVerification: mode });
      // Signed by the algorithm's own key (a token the resolver should have let through) and by the wrong key itself where it can sign.
      const tokens = [signToken(alg, pair(alg).privateKey, claims())];
      for (const token of tokens) {
        const error = await expectRejection(verifier.verify(token), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE', token);
        expect(error).toMatchObject({ status: 500, family: 'config' });
        expect(error.message).toMatch(new RegExp(`^kms-jwt-verifier: the trusted key ${KID} could not be used to verify ${alg}: `));
        expect(error.message).toMatch(/check what the key resolver returns for it/);
      }
    });
  });

  it('does not accept an ES256K token signed by a P-256 key that the resolver lists for ES256K (same hash, same signature size)', async () => {
    const token = signToken('ES256', pair('ES256').privateKey, claims(), { alg: 'ES256K', typ: 'JWT', kid: KID });
    const verifier = createVerifier({ keys: misconfigured('ES256K', pair('ES256').publicKey), issuer: ISSUER, audience: AUDIENCE, nowMs });
    const error = await expectRejection(verifier.verify(token), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE', token);
    expect(error.message).toMatch(/: its publicKey is an EC P-256 key, and ES256K needs an EC secp256k1 key\. /);
  });

  it('names the kind of key it got and the one it needs, and no key material', async () => {
    const ec = pair('ES256').publicKey;
    const verifier = createVerifier({ keys: misconfigured('RS256', ec), issuer: ISSUER, audience: AUDIENCE, nowMs });
    const error = await expectRejection(verifier.verify(signToken('RS256', pair('RS256').privateKey, claims())), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
    expect(error.message).toBe(
      `kms-jwt-verifier: the trusted key ${KID} could not be used to verify RS256: its publicKey is an EC P-256 key, and RS256 needs an RSA key. The resolver's algorithms for a key must be ones its type can verify: check what the key resolver returns for it`,
    );
    const jwk = ec.export({ format: 'jwk' });
    for (const member of [jwk.x!, jwk.y!]) expect(error.message).not.toContain(member);
    const none = createVerifier({ keys: misconfigured('ES256', 'not a key'), issuer: ISSUER, audience: AUDIENCE, nowMs });
    const missing = await expectRejection(none.verify(signToken('ES256', pair('ES256').privateKey, claims())), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
    expect(missing.message).toMatch(/: its publicKey is not a key object \(a string\), and ES256 needs an EC P-256 key\. /);
  });

  it('answers the same 500 from the message verifier, for RSA and ECDSA alike', async () => {
    for (const [alg, wrong] of [['RS256', pair('ES256').publicKey], ['ES256', pair('RS256').publicKey]] as const) {
      const verifier = createMessageVerifier({ keys: misconfigured(alg, wrong), maxMessageAgeSeconds: 300, nowMs });
      const headerSegment = encode({ alg, kid: KID, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW - 5, jti: 'message-1' });
      const input = `${headerSegment}.${encode({ order: 'o-1' })}`;
      const message = `${input}.${signInput(alg, pair(alg).privateKey, input).toString('base64url')}`;
      await expectRejection(verifier.verify(message), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
    }
  });

  it.each(['RS256', 'PS256', 'ES256', 'EdDSA'] as const)('is passed on by the HTTP layer as a 500 for %s, not answered 401', async (alg) => {
    const wrong = alg === 'ES256' ? pair('RS256').publicKey : pair('ES384').publicKey;
    const auth = createBearerAuth<undefined>({ verifier: createVerifier({ keys: misconfigured(alg, wrong), issuer: ISSUER, audience: AUDIENCE, nowMs }) }, 'kms-jwt-test');
    const token = signToken(alg, pair(alg).privateKey, claims());
    const error = await rejection(auth.authenticate(undefined, { headersDistinct: { authorization: [`Bearer ${token}`] } }));
    expect(error).not.toBeInstanceOf(HttpAuthError);
    expect(error).toBeInstanceOf(SignatureCheckUnavailableError);
    expect((error as SignatureCheckUnavailableError).status).toBe(500);
  });

  it('still verifies every algorithm with a key of its type, and refuses a forged token with ERR_JWS_SIGNATURE_INVALID', async () => {
    for (const alg of JWS_ALGORITHMS) {
      const verifier = createVerifier({ keys: misconfigured(alg, pair(alg).publicKey), issuer: ISSUER, audience: AUDIENCE, nowMs });
      expect((await verifier.verify(signToken(alg, pair(alg).privateKey, claims()))).key).toBe(KID);
      await expectRejection(verifier.verify(signToken(alg, keyPairFor(alg).privateKey, claims())), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    }
    const pss = createVerifier({ keys: misconfigured('PS256', rsaPss.publicKey), issuer: ISSUER, audience: AUDIENCE, nowMs });
    expect((await pss.verify(signToken('PS256', rsaPss.privateKey, claims()))).key).toBe(KID);
  });
});

describe("a resolver's key that the verifier refuses, as it refuses it among static keys", () => {
  /**
   * A resolver's key of the right type that a static key list would refuse at construction: an RSA
   * key shorter than 2048 bits, or a private key (node:crypto verifies with one, so the signature
   * would check). The resolver's misconfiguration: 500 ERR_SIGNATURE_CHECK_UNAVAILABLE, even for a
   * token the key signed, with a message that says what is wrong and no key material.
   */
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const rsaPss1024 = generateKeyPairSync('rsa-pss', { modulusLength: 1024 });
  const es256Private = keyPairFor('ES256').privateKey;
  const FIX = 'A key resolver must return public keys of a type and size KMS signs with, as static keys are checked: check what the key resolver returns for it';
  const rows: readonly (readonly [string, JwsAlgorithm, KeyObject, KeyObject, string])[] = [
    ['a 1024-bit RSA key', 'RS256', rsa1024.publicKey, rsa1024.privateKey, `its publicKey is an RSA key, which the verifier refuses: RSA key of 1024 bits is shorter than 2048. ${FIX}`],
    ['a 1024-bit RSA key', 'PS256', rsa1024.publicKey, rsa1024.privateKey, `its publicKey is an RSA key, which the verifier refuses: RSA key of 1024 bits is shorter than 2048. ${FIX}`],
    ['a 1024-bit RSA-PSS key', 'PS384', rsaPss1024.publicKey, rsaPss1024.privateKey, `its publicKey is an RSA-PSS key, which the verifier refuses: RSA key of 1024 bits is shorter than 2048. ${FIX}`],
    ['a private EC P-256 key', 'ES256', es256Private, es256Private, `its publicKey is a private EC P-256 key, which the verifier refuses: expected a public key, got a private key. ${FIX}`],
    ['a private RSA key', 'RS256', rsa1024.privateKey, rsa1024.privateKey, `its publicKey is a private RSA key, which the verifier refuses: expected a public key, got a private key. ${FIX}`],
  ];

  function resolverOf(alg: JwsAlgorithm, publicKey: KeyObject): KeyResolver {
    const key: TrustedKey = { id: KID, algorithms: [alg], publicKey };
    return { resolve: (kid) => (kid === KID ? key : undefined) };
  }

  describe.each(['sync', 'threadpool'] as const)('signatureVerification %s', (mode) => {
    it.each(rows)('answers ERR_SIGNATURE_CHECK_UNAVAILABLE (500) for %s listed for %s, on a token it signed', async (_name, alg, publicKey, signingKey, reason) => {
      const verifier = createVerifier({ keys: resolverOf(alg, publicKey), issuer: ISSUER, audience: AUDIENCE, nowMs, signatureVerification: mode });
      const token = signToken(alg, signingKey, claims());
      // Twice: the verdict on the key object is remembered, and stays a refusal.
      for (let call = 0; call < 2; call += 1) {
        const error = await expectRejection(verifier.verify(token), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE', token);
        expect(error).toMatchObject({ status: 500, family: 'config' });
        expect(error.message).toBe(`kms-jwt-verifier: the trusted key ${KID} could not be used to verify ${alg}: ${reason}`);
      }
    });
  });

  it.each([false, true])('answers it from the message verifier too (threadpool %s)', async (threadpool) => {
    for (const [, alg, publicKey, signingKey, reason] of rows) {
      const verifier = createMessageVerifier({ keys: resolverOf(alg, publicKey), maxMessageAgeSeconds: 300, nowMs, ...(threadpool ? { signatureVerification: 'threadpool' as const } : {}) });
      const input = `${encode({ alg, kid: KID, typ: 'kms-jwt-message+jws', cty: 'json', iat: NOW - 5, jti: 'message-1' })}.${encode({ order: 'o-1' })}`;
      const error = await expectRejection(verifier.verify(`${input}.${signInput(alg, signingKey, input).toString('base64url')}`), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
      expect(error.message).toBe(`kms-jwt-verifier: the trusted key ${KID} could not be used to verify ${alg}: ${reason}`);
    }
  });

  it('puts no key material in the message', async () => {
    const verifier = createVerifier({ keys: resolverOf('ES256', es256Private), issuer: ISSUER, audience: AUDIENCE, nowMs });
    const error = await expectRejection(verifier.verify(signToken('ES256', es256Private, claims())), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
    const jwk = es256Private.export({ format: 'jwk' });
    for (const member of [jwk.d!, jwk.x!, jwk.y!]) expect(error.message).not.toContain(member);
  });

  it('says what to do with a Web Crypto CryptoKey, which node:crypto would verify ECDSA with but the verifier does not take', async () => {
    const cryptoKey = await crypto.subtle.importKey('spki', es256.publicKey.export({ type: 'spki', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const verifier = createVerifier({ keys: resolverOf('ES256', cryptoKey as unknown as KeyObject), issuer: ISSUER, audience: AUDIENCE, nowMs });
    const error = await expectRejection(verifier.verify(valid), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE', valid);
    expect(error.message).toBe(
      `kms-jwt-verifier: the trusted key ${KID} could not be used to verify ES256: its publicKey is a Web Crypto CryptoKey (ECDSA), which the verifier refuses: a Web Crypto CryptoKey is not a key object the verifier takes: convert it with KeyObject.from(cryptoKey) where node:crypto exists, or export it and give its JWK or PEM to createStaticKeyResolver or kms-pubkey-provider. A key resolver must return public keys of a type and size KMS signs with, as static keys are checked: check what the key resolver returns for it`,
    );
  });

  it('still verifies with the same keys once they are public and long enough', async () => {
    const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const [alg, publicKey, privateKey] of [['RS256', rsa2048.publicKey, rsa2048.privateKey], ['ES256', es256.publicKey, es256.privateKey]] as const) {
      const verifier = createVerifier({ keys: resolverOf(alg, publicKey), issuer: ISSUER, audience: AUDIENCE, nowMs, cache: false });
      for (let call = 0; call < 2; call += 1) expect((await verifier.verify(signToken(alg, privateKey, claims()))).key).toBe(KID);
    }
  });
});
