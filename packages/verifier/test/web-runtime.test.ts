import { Buffer } from 'node:buffer';
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../src/algorithms.js';
import { describeJwk, describePem, describeSpki, isOnCurve, isSecp256k1Key } from '../src/key-description.js';
import * as web from '../src/runtime/web.js';
import { decodeBase64, decodeBase64urlLoose } from '../src/runtime/web-bytes.js';
import { keyPairFor, signInput } from './support/tokens.js';

/**
 * The Web Crypto build's runtime module (what workerd and browsers run), tested on Node.js, which
 * has Web Crypto too: its bytes must equal Buffer's, its keys node:crypto's, and its signature
 * checks node:crypto's verdicts. test/runtimes runs it in workerd itself.
 */

/** A description with its byte members as hex, whatever array type holds them. */
function comparable(description: unknown): unknown {
  if (typeof description !== 'object' || description === null) return description;
  return Object.fromEntries(Object.entries(description).map(([name, value]) => [name, value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value]));
}

const pem = (alg: JwsAlgorithm) => keyPairFor(alg).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('web runtime: bytes, equal to Buffer', () => {
  it('decodes and encodes base64url as Buffer does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString('base64url');
        expect(web.toBase64url(bytes)).toBe(encoded);
        expect(Buffer.compare(web.base64urlBytes(encoded), Buffer.from(bytes))).toBe(0);
      }),
    );
  });

  it('decodes standard base64 with or without padding, and refuses other characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(Buffer.compare(decodeBase64(Buffer.from(bytes).toString('base64')) ?? Buffer.alloc(1), Buffer.from(bytes))).toBe(0);
      }),
    );
    expect(decodeBase64('ab-_')).toBeUndefined();
    expect(decodeBase64urlLoose('ab+/')).toBeUndefined();
    expect(decodeBase64urlLoose('abcde')).toBeUndefined();
    expect(decodeBase64('YQ=')).toBeUndefined();
  });

  it('decodes text as Buffer toString("utf8") does: invalid sequences become U+FFFD and a byte order mark stays', () => {
    for (const bytes of [[0xef, 0xbb, 0xbf, 0x7b, 0x7d], [0xc3, 0x28, 0x41], [0xf0, 0x9f, 0x98, 0x80], [0xed, 0xa0, 0x80], [0xff]]) {
      const segment = Buffer.from(bytes).toString('base64url');
      expect(web.base64urlText(segment)).toBe(Buffer.from(bytes).toString('utf8'));
    }
  });

  it('writes latin1 and counts UTF-8 as Buffer does, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(web.utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
        expect(Buffer.compare(web.utf8Bytes(text), Buffer.from(text, 'utf8'))).toBe(0);
        expect(Buffer.compare(web.latin1Bytes(text), Buffer.from(text, 'latin1'))).toBe(0);
      }),
    );
    const write = web.reusedLatin1Writer(64);
    const first = write('abc.def', 3);
    expect(Buffer.from(first).toString('latin1')).toBe('abc');
    write('xyz.uvw', 3);
    expect(Buffer.from(first).toString('latin1')).toBe('abc');
  });

  it('allocates plain Uint8Arrays, never Buffers', () => {
    expect(Buffer.isBuffer(web.allocBytes(4))).toBe(false);
    expect(Buffer.isBuffer(web.base64urlBytes('AAAA'))).toBe(false);
    expect(Buffer.isBuffer(web.utf8Bytes('a'))).toBe(false);
  });
});

describe('key descriptions (the Web Crypto build parses keys without node:crypto)', () => {
  it.each(JWS_ALGORITHMS.filter((alg) => !alg.startsWith('RS') && !alg.startsWith('PS')).concat(['RS256']))('describes a %s key from its PEM, its DER and its JWK alike', (alg) => {
    const { publicKey } = keyPairFor(alg);
    const fromPem = comparable(describePem(publicKey.export({ type: 'spki', format: 'pem' }).toString()));
    const fromDer = comparable(describeSpki(publicKey.export({ type: 'spki', format: 'der' })));
    const fromJwk = comparable(describeJwk(publicKey.export({ format: 'jwk' })));
    expect(typeof fromPem).toBe('object');
    expect(fromDer).toEqual(fromPem);
    expect(fromJwk).toEqual(fromPem);
  });

  it('reads a PKCS#1 RSA PUBLIC KEY PEM as node:crypto does', () => {
    const { publicKey } = keyPairFor('RS256');
    expect(comparable(describePem(publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()))).toEqual(comparable(describePem(publicKey.export({ type: 'spki', format: 'pem' }).toString())));
  });

  it('checks that an EC point is on its curve, as node:crypto does at import', () => {
    for (const [alg, curve] of [['ES256', 'P-256'], ['ES384', 'P-384'], ['ES512', 'P-521'], ['ES256K', 'secp256k1']] as const) {
      for (let round = 0; round < 5; round += 1) {
        const jwk = keyPairFor(alg).publicKey.export({ format: 'jwk' });
        const x = Buffer.from(jwk.x ?? '', 'base64url');
        const y = Buffer.from(jwk.y ?? '', 'base64url');
        expect(isOnCurve(curve, x, y)).toBe(true);
        const moved = Buffer.from(y);
        moved[moved.length - 1] = (moved[moved.length - 1] ?? 0) ^ 1;
        expect(isOnCurve(curve, x, moved)).toBe(false);
        const off = { ...jwk, y: moved.toString('base64url') };
        expect(() => createPublicKey({ key: off, format: 'jwk' })).toThrow();
        expect(describeJwk(off)).toMatch(/not on/);
      }
    }
  });

  it('says why it cannot use a key, never echoing it', () => {
    const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ed448 = generateKeyPairSync('ed448').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(describePem(dsa)).toBe('key type DSA cannot verify a KMS signature');
    expect(describePem(ed448)).toBe('key type Ed448 cannot verify a KMS signature');
    expect(describeJwk(x25519)).toBe('OKP curve X25519 cannot verify a KMS signature');
    expect(describePem(pss)).toMatch(/^RSA-PSS SubjectPublicKeyInfo keys/);
    expect(describePem('not a pem')).toMatch(/not a PEM/);
    expect(describePem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toMatch(/CERTIFICATE PEM is not a public key/);
    expect(describeJwk({ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' })).toMatch(/x and y, each 32 bytes/);
  });

  it('tells secp256k1 keys apart: PEM, JWK, and key objects', () => {
    const { publicKey } = keyPairFor('ES256K');
    expect(isSecp256k1Key(publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBe(true);
    expect(isSecp256k1Key(publicKey.export({ format: 'jwk' }))).toBe(true);
    expect(isSecp256k1Key(publicKey)).toBe(true);
    expect(isSecp256k1Key(pem('ES256'))).toBe(false);
    expect(isSecp256k1Key(keyPairFor('ES256').publicKey)).toBe(false);
  });
});

describe('web runtime: keys', () => {
  it.each(JWS_ALGORITHMS.filter((alg) => alg !== 'ES256K'))('parses a %s key from PEM and JWK into a key object with the members a KeyObject has', (alg) => {
    const { publicKey } = keyPairFor(alg);
    for (const parsed of [web.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()), web.publicKeyFromJwk(publicKey.export({ format: 'jwk' }))]) {
      expect(parsed.type).toBe('public');
      expect(parsed.asymmetricKeyType).toBe(publicKey.asymmetricKeyType);
      const details = publicKey.asymmetricKeyDetails ?? {};
      expect(parsed.asymmetricKeyDetails).toEqual(details.namedCurve !== undefined ? { namedCurve: details.namedCurve } : details.modulusLength !== undefined ? { modulusLength: details.modulusLength } : {});
      expect(parsed.export({ format: 'jwk' })).toEqual(publicKey.export({ format: 'jwk' }));
      expect(Object.isFrozen(parsed)).toBe(true);
    }
  });

  it('refuses secp256k1: Web Crypto has no such curve', () => {
    expect(web.verifiesSecp256k1()).toBe(false);
    expect(() => web.publicKeyFromPem(pem('ES256K'))).toThrow(/secp256k1/);
    expect(() => web.publicKeyFromJwk(keyPairFor('ES256K').publicKey.export({ format: 'jwk' }))).toThrow(/secp256k1/);
  });

  it('takes node:crypto KeyObjects (workerd with nodejs_compat makes them) as they are, and nothing without export()', () => {
    const { publicKey } = keyPairFor('ES256');
    expect(web.asKeyObject(publicKey)).toBe(publicKey);
    const parsed = web.publicKeyFromPem(pem('ES256'));
    expect(web.asKeyObject(parsed)).toBe(parsed);
    expect(web.asKeyObject(publicKey.export({ format: 'jwk' }))).toBeUndefined();
    expect(web.asKeyObject('pem')).toBeUndefined();
  });
});

describe('web runtime: signatures through Web Crypto', () => {
  const input = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ';
  const data = new TextEncoder().encode(input);

  it.each(JWS_ALGORITHMS.filter((alg) => alg !== 'ES256K'))('%s: verifies what node:crypto signed, and nothing else', async (alg) => {
    const { privateKey, publicKey } = keyPairFor(alg);
    const signature = new Uint8Array(signInput(alg, privateKey, input));
    const keys = [web.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()), web.publicKeyFromJwk(publicKey.export({ format: 'jwk' })), publicKey];
    for (const key of keys) {
      // The first call imports the key (a promise), the next ones reuse it.
      expect(await web.verifySignatureSync(alg, key, data, signature)).toBe(true);
      expect(await web.verifySignatureAsync(alg, key, data, signature)).toBe(true);
      const tampered = new Uint8Array(signature);
      tampered[3] = (tampered[3] ?? 0) ^ 1;
      expect(await web.verifySignatureSync(alg, key, data, tampered)).toBe(false);
      expect(await web.verifySignatureSync(alg, key, new TextEncoder().encode(`${input}x`), signature)).toBe(false);
      // Cut short at its end (cutting its first byte leaves an RSA signature valid when that byte is 0: the verifier checks the length before the runtime).
      expect(await web.verifySignatureSync(alg, key, data, signature.subarray(0, signature.length - 1))).toBe(false);
    }
  });

  it('checks RSA-PSS with the salt as long as the hash, refusing another salt length', async () => {
    const { privateKey, publicKey } = keyPairFor('PS256');
    const { sign, constants } = await import('node:crypto');
    const key = web.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const maxSalt = sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN });
    expect(await web.verifySignatureSync('PS256', key, data, maxSalt)).toBe(false);
    // And a PKCS#1 v1.5 signature is not a PS256 one (workerd's node:crypto confuses them; Web Crypto does not).
    expect(await web.verifySignatureSync('PS256', key, data, signInput('RS256', privateKey, input))).toBe(false);
  });

  it('keeps the signing input it was given while the key is imported, though the caller reuses its buffer', async () => {
    const { privateKey, publicKey } = keyPairFor('ES256');
    const key = web.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const reused = new Uint8Array(data);
    const pending = web.verifySignatureSync('ES256', key, reused, new Uint8Array(signInput('ES256', privateKey, input)));
    reused.fill(0);
    expect(await pending).toBe(true);
  });

  it('rejects with a NotSupportedError for ES256K, which Web Crypto cannot verify', async () => {
    const { publicKey } = keyPairFor('ES256K');
    await expect(web.verifySignatureSync('ES256K', publicKey, data, new Uint8Array(64))).rejects.toMatchObject({ name: 'NotSupportedError' });
  });

  it('rejects (and tries again next time) when Web Crypto refuses the key', async () => {
    let exports = 0;
    const broken = { type: 'public', export: (): JsonWebKey => ((exports += 1), { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }) } as unknown as Parameters<typeof web.verifySignatureSync>[1];
    await expect(web.verifySignatureSync('ES256', broken, data, new Uint8Array(64))).rejects.toBeInstanceOf(Error);
    await expect(web.verifySignatureSync('ES256', broken, data, new Uint8Array(64))).rejects.toBeInstanceOf(Error);
    expect(exports).toBe(2);
  });
});
