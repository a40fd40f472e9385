import type { JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifiesSecp256k1 } from '#runtime';
import { VerifierConfigError } from '../src/errors.js';
import { createStaticKeyResolver, keysFromJwks, type JsonWebKeySet, type StaticKey } from '../src/static-keys.js';
import { KID, keyPairFor } from './support/tokens.js';

// Static keys and JWKS (static-keys.ts) on Node.js: what each configuration mistake is told, and
// which keys are taken as they are.

const ec = keyPairFor('ES256');
const rsa = keyPairFor('RS256');

/** The VerifierConfigError `make` throws. */
function configError(make: () => unknown): VerifierConfigError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(VerifierConfigError);
    return error as VerifierConfigError;
  }
  throw new Error('no VerifierConfigError was thrown');
}
const untyped = <T>(value: unknown): T => value as T;

/** An SPKI PEM of a secp256k1 key whose point (the last 64 bytes, X‖Y) is moved off the curve. */
function invalidSecp256k1Pem(): string {
  const der = keyPairFor('ES256K').publicKey.export({ format: 'der', type: 'spki' });
  der.writeUInt8(der.readUInt8(der.length - 1) ^ 1, der.length - 1);
  return `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`;
}

describe('static keys', () => {
  it.each([
    ['a number', 42],
    ['null', null],
    ['true', true],
    ['undefined', undefined],
  ])('refuses %s as a key, saying what a key may be', (_name, key) => {
    const error = configError(() => createStaticKeyResolver([untyped<StaticKey>({ kid: KID, key })]));
    expect(error.message).toMatch(new RegExp(`the key for kid ${KID} must be a PEM string, a JWK object or a key object$`));
  });

  it('says a key that does not parse is not a valid public key, with the parser error as its cause and nothing appended on Node.js', () => {
    const error = configError(() => createStaticKeyResolver([{ kid: KID, key: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' } }]));
    expect(error.message).toMatch(new RegExp(`the key for kid ${KID} is not a valid public key \\(PEM, JWK or key object\\)$`));
    expect(error.cause).toBeInstanceOf(Error);
  });

  it.each([
    ['a JWK whose point is not on the curve', () => ({ kty: 'EC', crv: 'secp256k1', x: 'AAAA', y: 'AAAA' })],
    ['a PEM whose point is not on the curve', () => invalidSecp256k1Pem()],
  ])('says an invalid secp256k1 key (%s) is not a valid public key on Node.js, whose node:crypto verifies secp256k1', (_name, key) => {
    const error = configError(() => createStaticKeyResolver([{ kid: KID, key: key() }]));
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toMatch(new RegExp(`the key for kid ${KID} is not a valid public key \\(PEM, JWK or key object\\)$`));
    expect(error.message).not.toMatch(/has no secp256k1/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('takes a valid secp256k1 key on Node.js, whose runtime module says it verifies secp256k1', () => {
    expect(verifiesSecp256k1()).toBe(true);
    const secp256k1 = keyPairFor('ES256K').publicKey;
    const resolver = createStaticKeyResolver([{ kid: KID, key: secp256k1.export({ format: 'jwk' }) }]);
    expect(resolver.resolve(KID)).toMatchObject({ id: KID, algorithms: ['ES256K'] });
  });

  it('takes a public JWK that carries a "d" member set to undefined', () => {
    const jwk: JsonWebKey = { ...ec.publicKey.export({ format: 'jwk' }), d: undefined };
    expect(createStaticKeyResolver([{ kid: KID, key: jwk }]).resolve(KID)).toMatchObject({ id: KID, algorithms: ['ES256'] });
  });

  it.each([
    ['a number', 42],
    ['an empty string', ''],
    ['missing', undefined],
  ])('refuses a kid that is %s, naming the entry', (_name, kid) => {
    const error = configError(() => createStaticKeyResolver([{ kid: 'first', key: ec.publicKey }, untyped<StaticKey>({ kid, key: rsa.publicKey })]));
    expect(error.message).toMatch(/keys\[1\] needs a non-empty string kid$/);
  });

  it('refuses an entry that is not an object, naming it', () => {
    for (const entry of [undefined, null]) {
      expect(configError(() => createStaticKeyResolver([untyped<StaticKey>(entry)])).message).toMatch(/keys\[0\] needs a non-empty string kid$/);
    }
  });

  it('names a kid listed twice, and an algorithms list that is not a subset of the key\'s', () => {
    expect(configError(() => createStaticKeyResolver([{ kid: KID, key: ec.publicKey }, { kid: KID, key: rsa.publicKey }])).message).toMatch(
      new RegExp(`keys\\[1\\]: kid ${KID} is listed twice$`),
    );
    expect(configError(() => createStaticKeyResolver([{ kid: KID, key: rsa.publicKey, algorithms: ['ES256'] }])).message).toMatch(
      new RegExp(`keys\\[0\\] \\(kid ${KID}\\): algorithms must be a non-empty subset of RS256, RS384, RS512, PS256, PS384, PS512$`),
    );
  });
});

describe('keysFromJwks', () => {
  it.each([
    ['a string', 'keys'],
    ['null', null],
    ['a function carrying a keys array', Object.assign(() => undefined, { keys: [] })],
    ['an object whose keys is not an array', { keys: {} }],
  ])('refuses %s as a JWKS, saying what a JWKS is', (_name, jwks) => {
    expect(configError(() => keysFromJwks(untyped<JsonWebKeySet>(jwks))).message).toMatch(/a JWKS must be an object with a "keys" array$/);
  });

  it('names the key and its alg when a JWK has an alg no KMS key signs with', () => {
    const jwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'HS256' };
    expect(configError(() => keysFromJwks({ keys: [jwk] })).message).toMatch(new RegExp(`JWKS key ${KID} has alg HS256, which no KMS signing key produces$`));
  });
});
