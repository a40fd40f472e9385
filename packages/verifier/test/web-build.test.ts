import { Buffer } from 'node:buffer';
import { describe, expect, it, vi } from 'vitest';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../src/algorithms.js';
import {
  AlgNotAllowedError,
  AlgUnsupportedByRuntimeError,
  createMessageVerifier,
  createStaticKeyResolver,
  createVerifier,
  derToJose,
  JwtExpiredError,
  KidUntrustedError,
  SignatureCheckUnavailableError,
  SignatureInvalidError,
  toLowS,
  VerifierConfigError,
  type KeyResolver,
  type TrustedKey,
} from '../src/index.js';
import { createBearerAuth, HttpAuthError } from '../src/http/index.js';
import { VERIFY_NOW, type VerifyNow } from '../src/verify-now.js';
import { AUDIENCE, b64, claims, encode, expectRejection, ISSUER, keyPairFor, KID, NOW, OTHER_KID, signInput, signToken } from './support/tokens.js';

/**
 * The whole verifier over the Web Crypto build's runtime module (what the `workerd` and `browser`
 * conditions load), on Node.js: `#runtime` is mocked to runtime/web.ts for this file only, so every
 * key is parsed without node:crypto and every signature goes through crypto.subtle.
 */
vi.mock('#runtime', async () => await import('../src/runtime/web.js'));

const nowMs = () => NOW * 1000;
const pemOf = (alg: JwsAlgorithm, pair = keyPairFor(alg)) => pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('the Web Crypto build: createVerifier', () => {
  it('runs on the Web Crypto runtime module (the mock is in place)', async () => {
    const runtime = await import('#runtime');
    expect(runtime.RUNTIME).toBe('web');
  });

  it.each(JWS_ALGORITHMS.filter((alg) => alg !== 'ES256K'))('%s: verifies a token from a PEM or a JWK key, and refuses tampered, expired, untrusted and other-alg tokens', async (alg) => {
    const pair = keyPairFor(alg);
    for (const key of [pemOf(alg, pair), pair.publicKey.export({ format: 'jwk' })]) {
      const verifier = createVerifier({ keys: [{ kid: KID, key }], issuer: ISSUER, audience: AUDIENCE, nowMs, cache: false });
      const token = signToken(alg, pair.privateKey, claims());
      const verified = await verifier.verify(token);
      expect(verified.key).toBe(KID);
      expect(verified.header.alg).toBe(alg);
      expect(verified.payload.sub).toBe('user-1');

      const [header, , signature] = token.split('.');
      await expectRejection(verifier.verify(`${header}.${encode(claims({ sub: 'admin' }))}.${signature}`), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
      await expectRejection(verifier.verify(signToken(alg, pair.privateKey, claims({ iat: NOW - 900, exp: NOW - 600 }))), JwtExpiredError, 'ERR_JWT_EXPIRED');
      await expectRejection(verifier.verify(signToken(alg, pair.privateKey, claims(), { alg, typ: 'JWT', kid: OTHER_KID })), KidUntrustedError, 'ERR_KID_UNTRUSTED');
      const other: JwsAlgorithm = alg === 'ES256' ? 'ES384' : 'ES256';
      await expectRejection(verifier.verify(signToken(other, keyPairFor(other).privateKey, claims(), { alg: other, typ: 'JWT', kid: KID })), AlgNotAllowedError, 'ERR_ALG_NOT_ALLOWED');
    }
  });

  it('refuses an ES256K key at construction with ERR_ALG_UNSUPPORTED_BY_RUNTIME: Web Crypto has no secp256k1', () => {
    const pair = keyPairFor('ES256K');
    for (const key of [pemOf('ES256K', pair), pair.publicKey.export({ format: 'jwk' })]) {
      const error = (() => {
        try {
          createVerifier({ keys: [{ kid: KID, key }], issuer: ISSUER, audience: AUDIENCE });
        } catch (thrown) {
          return thrown;
        }
        throw new Error('createVerifier accepted a secp256k1 key');
      })();
      expect(error).toBeInstanceOf(AlgUnsupportedByRuntimeError);
      expect(error).toMatchObject({ code: 'ERR_ALG_UNSUPPORTED_BY_RUNTIME', family: 'config', status: 500 });
      expect((error as Error).message).toMatch(/^kms-jwt-verifier: the key for kid .* is a secp256k1 key \(ES256K\), which cannot be verified here: Web Crypto has no secp256k1/);
    }
  });

  it('answers a cached token synchronously, while an uncached one needs Web Crypto (a promise)', async () => {
    const pair = keyPairFor('ES256');
    const verifier = createVerifier({ keys: [{ kid: KID, key: pemOf('ES256', pair) }], issuer: ISSUER, audience: AUDIENCE, nowMs });
    const verifyNow = (verifier as unknown as Record<typeof VERIFY_NOW, VerifyNow>)[VERIFY_NOW].bind(verifier);
    const token = signToken('ES256', pair.privateKey, claims());
    const first = verifyNow(token);
    expect(first).toBeInstanceOf(Promise);
    await first;
    // The second verification admits it to the cache; the third is a hit, answered at once.
    const second = verifyNow(token);
    expect(second).toBeInstanceOf(Promise);
    const admitted = await second;
    const hit = verifyNow(token);
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toBe(admitted);
  });

  it("verifies with 'threadpool' too (Web Crypto either way)", async () => {
    const pair = keyPairFor('PS384');
    const verifier = createVerifier({ keys: [{ kid: KID, key: pemOf('PS384', pair) }], issuer: ISSUER, audience: AUDIENCE, nowMs, signatureVerification: 'threadpool' });
    expect((await verifier.verify(signToken('PS384', pair.privateKey, claims()))).key).toBe(KID);
  });

  it('takes a node:crypto KeyObject (as workerd with nodejs_compat makes them) and verifies through its JWK', async () => {
    const pair = keyPairFor('EdDSA');
    const verifier = createVerifier({ keys: [{ kid: KID, key: pair.publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs });
    expect((await verifier.verify(signToken('EdDSA', pair.privateKey, claims()))).key).toBe(KID);
  });

  it('refuses what the Node.js build refuses, at construction: private keys, symmetric keys, short RSA keys, points off the curve', () => {
    const config = (key: unknown) => () => createVerifier({ keys: [{ kid: KID, key: key as string }], issuer: ISSUER, audience: AUDIENCE });
    const privatePem = keyPairFor('ES256').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(config(privatePem)).toThrow(VerifierConfigError);
    expect(config({ ...keyPairFor('ES256').privateKey.export({ format: 'jwk' }) })).toThrow(/holds a private key/);
    expect(config({ kty: 'oct', k: 'AAAA' })).toThrow(/symmetric/);
    const jwk = keyPairFor('ES256').publicKey.export({ format: 'jwk' });
    const y = Buffer.from(jwk.y ?? '', 'base64url');
    y[0] = (y[0] ?? 0) ^ 1;
    expect(config({ ...jwk, y: y.toString('base64url') })).toThrow(/kms-jwt-verifier: the key for kid .* is not a valid public key .*: the JWK's point is not on P-256/);
    expect(config('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toThrow(VerifierConfigError);
  });

  it('refuses an RSA key shorter than 2048 bits, as on Node.js', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => createStaticKeyResolver([{ kid: KID, key: short }])).toThrow(/RSA key of 1024 bits is shorter than 2048/);
  });

  it.each(['sync', 'threadpool'] as const)("refuses a resolver's RSA key shorter than 2048 bits and a resolver's private key (node:crypto KeyObjects, as nodejs_compat makes) with ERR_SIGNATURE_CHECK_UNAVAILABLE (%s)", async (mode) => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const es256 = keyPairFor('ES256');
    const cases = [
      ['RS256', rsa1024.publicKey, rsa1024.privateKey, 'an RSA key, which the verifier refuses: RSA key of 1024 bits is shorter than 2048'],
      ['ES256', es256.privateKey, es256.privateKey, 'a private EC P-256 key, which the verifier refuses: expected a public key, got a private key'],
    ] as const;
    for (const [alg, publicKey, signingKey, reason] of cases) {
      const key: TrustedKey = { id: KID, algorithms: [alg], publicKey };
      const verifier = createVerifier({ keys: { resolve: (kid) => (kid === KID ? key : undefined) }, issuer: ISSUER, audience: AUDIENCE, nowMs, signatureVerification: mode });
      const token = signToken(alg, signingKey, claims());
      const error = await expectRejection(verifier.verify(token), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE', token);
      expect(error.message).toMatch(new RegExp(`^kms-jwt-verifier: the trusted key ${KID} could not be used to verify ${alg}: its publicKey is ${reason}\\. `));
    }
  });

  it('turns a key Web Crypto refuses into ERR_SIGNATURE_CHECK_UNAVAILABLE (500), and an algorithm it lacks into ERR_ALG_UNSUPPORTED_BY_RUNTIME', async () => {
    const pair = keyPairFor('ES256');
    const good = createStaticKeyResolver([{ kid: KID, key: pemOf('ES256', pair) }]).resolve(KID) as TrustedKey;
    const broken: TrustedKey = { id: KID, algorithms: ['ES256'], publicKey: { ...good.publicKey, type: 'public', asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve: 'prime256v1' }, export: () => ({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }) } };
    const resolver = (key: TrustedKey): KeyResolver => ({ resolve: (kid) => (kid === KID ? key : undefined) });
    const token = signToken('ES256', pair.privateKey, claims());
    await expectRejection(createVerifier({ keys: resolver(broken), issuer: ISSUER, audience: AUDIENCE, nowMs }).verify(token), SignatureCheckUnavailableError, 'ERR_SIGNATURE_CHECK_UNAVAILABLE');
    // A resolver's secp256k1 key (a node:crypto KeyObject, as workerd's nodejs_compat makes): Web Crypto cannot verify ES256K.
    const k1 = keyPairFor('ES256K');
    const claimsK1: TrustedKey = { id: KID, algorithms: ['ES256K'], publicKey: k1.publicKey };
    // A P-256 key the resolver lists for ES256K is the resolver's mistake on any runtime: refused before Web Crypto is asked.
    const mislisted: TrustedKey = { id: KID, algorithms: ['ES256K'], publicKey: good.publicKey };
    await expectRejection(
      createVerifier({ keys: resolver(mislisted), issuer: ISSUER, audience: AUDIENCE, nowMs }).verify(signToken('ES256K', k1.privateKey, claims())),
      SignatureCheckUnavailableError,
      'ERR_SIGNATURE_CHECK_UNAVAILABLE',
    );
    const error = await expectRejection(
      createVerifier({ keys: resolver(claimsK1), issuer: ISSUER, audience: AUDIENCE, nowMs }).verify(signToken('ES256K', k1.privateKey, claims())),
      AlgUnsupportedByRuntimeError,
      'ERR_ALG_UNSUPPORTED_BY_RUNTIME',
    );
    expect(error.status).toBe(500);
  });
});

describe('the Web Crypto build: messages, signature helpers and the HTTP layer', () => {
  it('verifies signed messages and returns their bytes as a plain Uint8Array', async () => {
    const pair = keyPairFor('ES256');
    const header = encode({ alg: 'ES256', typ: 'kms-jwt-message+jws', kid: KID, cty: 'text/plain', iat: NOW, jti: 'm-1' });
    const payload = Buffer.from('héllo, workers');
    const input = `${header}.${b64(payload)}`;
    const signature = b64(signInput('ES256', pair.privateKey, input));
    const messages = createMessageVerifier({ keys: [{ kid: KID, key: pemOf('ES256', pair) }], maxMessageAgeSeconds: 300, nowMs });
    for (const message of [`${input}.${signature}`, { jws: `${header}..${signature}`, payload: new Uint8Array(payload) }, { jws: `${header}..${signature}`, payload: 'héllo, workers' }]) {
      const verified = await messages.verifyBytes(message);
      expect(Buffer.isBuffer(verified.payload)).toBe(false);
      expect(new TextDecoder().decode(verified.payload)).toBe('héllo, workers');
    }
    await expectRejection(messages.verifyBytes({ jws: `${header}..${signature}`, payload: 'hello, workers' }), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
  });

  it('converts DER and normalises to low-S on plain Uint8Arrays', () => {
    const der = Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]);
    const jose = derToJose(der, 32);
    expect(jose).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(jose)).toBe(false);
    expect(jose?.[31]).toBe(1);
    expect(jose?.[63]).toBe(2);
    const high = new Uint8Array(64).fill(0xff, 32);
    high[32] = 0xf0;
    const low = toLowS('ES256', high);
    expect(Buffer.isBuffer(low)).toBe(false);
    expect(low).not.toBe(high);
    expect(toLowS('ES256', low)).toBe(low);
  });

  it('authenticates a Bearer request and answers 401 with a challenge for a tampered token', async () => {
    const pair = keyPairFor('RS256');
    const auth = createBearerAuth<object>({ verifier: { keys: [{ kid: KID, key: pemOf('RS256', pair) }], issuer: ISSUER, audience: AUDIENCE, nowMs }, realm: 'edge' }, 'kms-jwt-test');
    const token = signToken('RS256', pair.privateKey, claims());
    expect((await auth.authenticate({}, { headers: { authorization: `Bearer ${token}` } }))?.key).toBe(KID);
    const error = await auth.authenticate({}, { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(HttpAuthError);
    expect(error).toMatchObject({ status: 401, code: 'ERR_JWS_SIGNATURE_INVALID' });
    expect((error as HttpAuthError).headers['WWW-Authenticate']).toMatch(/^Bearer realm="edge", error="invalid_token"/);
  });
});
