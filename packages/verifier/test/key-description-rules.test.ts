import { Buffer } from 'node:buffer';
import type { JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bitLength, describeJwk, describePem, describeSpki, EC_CURVES, isOnCurve, isSecp256k1Key, jwkOf, type EcCurve } from '../src/key-description.js';
import { keyPairFor } from './support/tokens.js';

// How the Web Crypto build reads a public key without a crypto library (src/key-description.ts):
// DER is taken only whole and well formed, a point only on its curve with coordinates below the
// field prime, and every refusal says why.

/** Bytes one after the other in a plain Uint8Array (what the parser reads out of it is then a Uint8Array too, as it answers). */
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
/** A DER element: tag, length (short form below 128, else long form) and content. */
function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = cat(...content);
  const length = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return cat(Uint8Array.from([tag, ...length]), body);
}
const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex');
const SEQUENCE = 0x30;
const OID = 0x06;
const BIT_STRING = 0x03;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const EC_PUBLIC_KEY = bytes('2a8648ce3d0201');
const RSA_ENCRYPTION = bytes('2a864886f70d010101');
const ED25519 = bytes('2b6570');
const NULL = bytes('0500');

const ecJwk = keyPairFor('ES256').publicKey.export({ format: 'jwk' });
const point = cat(bytes('04'), Buffer.from(ecJwk.x ?? '', 'base64url'), Buffer.from(ecJwk.y ?? '', 'base64url'));
const P256 = bytes(EC_CURVES['P-256'].oid);
/** A P-256 SubjectPublicKeyInfo from its parts, each replaceable. */
function ecSpki(parts: { algorithm?: Uint8Array; key?: Uint8Array; after?: Uint8Array } = {}): Uint8Array {
  const algorithm = parts.algorithm ?? tlv(SEQUENCE, tlv(OID, EC_PUBLIC_KEY), tlv(OID, P256));
  const key = parts.key ?? tlv(BIT_STRING, bytes('00'), point);
  return cat(tlv(SEQUENCE, algorithm, key), parts.after ?? new Uint8Array(0));
}
const SPKI_REFUSED = 'the key is not a DER SubjectPublicKeyInfo (an SPKI "PUBLIC KEY")';

const rsaJwk = keyPairFor('RS256').publicKey.export({ format: 'jwk' });
const modulus = cat(bytes('00'), Buffer.from(rsaJwk.n ?? '', 'base64url'));
const EXPONENT = bytes('010001');
/** A PKCS#1 RSA PUBLIC KEY PEM around `der`. */
const rsaPem = (der: Uint8Array): string => `-----BEGIN RSA PUBLIC KEY-----\n${Buffer.from(der).toString('base64')}\n-----END RSA PUBLIC KEY-----\n`;
const RSA_REFUSED = 'the RSA public key is not a DER RSAPublicKey';
const described = { kind: 'rsa', n: new Uint8Array(modulus.subarray(1)), e: new Uint8Array(EXPONENT) };

/** √value mod p, every prime here being 3 mod 4 (a number without a root gets one whose square differs). */
function sqrtMod(value: bigint, p: bigint): bigint {
  let result = 1n;
  for (let base = value % p, rest = (p + 1n) / 4n; rest > 0n; rest >>= 1n, base = (base * base) % p) if (rest & 1n) result = (result * base) % p;
  return result;
}
/** (x, y) on `curve` with the smallest x above 0 that has a point. */
function pointWithSmallX(curve: EcCurve): { x: bigint; y: bigint } {
  const { p, a, b } = EC_CURVES[curve];
  for (let x = 1n; ; x += 1n) {
    const rhs = (x * x * x + a * x + b) % p;
    const y = sqrtMod(rhs, p);
    if ((y * y) % p === rhs) return { x, y };
  }
}
const fixed = (value: bigint, size: number): Buffer => Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex');

describe('a SubjectPublicKeyInfo, read whole and well formed', () => {
  it('reads the SPKI these tests build as node:crypto exports it', () => {
    const exported = keyPairFor('ES256').publicKey.export({ type: 'spki', format: 'der' });
    expect(describeSpki(exported)).toMatchObject({ kind: 'ec', curve: 'P-256' });
    expect(describeSpki(ecSpki())).toEqual({ kind: 'ec', curve: 'P-256', x: new Uint8Array(point.subarray(1, 33)), y: new Uint8Array(point.subarray(33)) });
  });

  it.each([
    ['a byte after it', ecSpki({ after: bytes('00') })],
    ['a third element in it', cat(tlv(SEQUENCE, tlv(SEQUENCE, tlv(OID, EC_PUBLIC_KEY), tlv(OID, P256)), tlv(BIT_STRING, bytes('00'), point), NULL))],
    ['an algorithm identifier that is a SET, not a SEQUENCE', ecSpki({ algorithm: tlv(0x31, tlv(OID, EC_PUBLIC_KEY), tlv(OID, P256)) })],
    ['its algorithm OID under another tag', ecSpki({ algorithm: tlv(SEQUENCE, tlv(OCTET_STRING, EC_PUBLIC_KEY), tlv(OID, P256)) })],
    ['its key in an OCTET STRING, not a BIT STRING', ecSpki({ key: tlv(OCTET_STRING, bytes('00'), point) })],
    ['a key BIT STRING with unused bits', ecSpki({ key: tlv(BIT_STRING, bytes('01'), point) })],
    ['an algorithm identifier ending in a lone tag byte', ecSpki({ algorithm: tlv(SEQUENCE, tlv(OID, EC_PUBLIC_KEY), tlv(OID, P256), bytes('05')) })],
    ['an algorithm identifier ending in a cut long-form length', ecSpki({ algorithm: tlv(SEQUENCE, tlv(OID, EC_PUBLIC_KEY), tlv(OID, P256), bytes('0582')) })],
    ['a key BIT STRING claiming one byte more than it holds', cat(bytes('3059'), tlv(SEQUENCE, tlv(OID, EC_PUBLIC_KEY), tlv(OID, P256)), bytes('034300'), point)],
    ['an indefinite length (0x80)', cat(bytes('3080'), ecSpki().subarray(2))],
    ['a length written in four bytes', cat(bytes('308400000059'), ecSpki().subarray(2))],
    // Read as an empty OID, the algorithm would be a key type unknown: an indefinite length is no length at all.
    ['an algorithm OID of indefinite length (0x80)', ecSpki({ algorithm: tlv(SEQUENCE, bytes('0680'), tlv(OID, P256)) })],
    ['nothing', Buffer.alloc(0)],
  ])('refuses an SPKI with %s', (_name, der) => {
    expect(describeSpki(der)).toBe(SPKI_REFUSED);
  });

  it('refuses an EC key whose curve OID is under another tag, or names no curve KMS signs with', () => {
    const message = 'the EC key is not on a curve KMS signs with (P-256, P-384, P-521, secp256k1)';
    expect(describeSpki(ecSpki({ algorithm: tlv(SEQUENCE, tlv(OID, EC_PUBLIC_KEY), tlv(OCTET_STRING, P256)) }))).toBe(message);
    expect(describeSpki(ecSpki({ algorithm: tlv(SEQUENCE, tlv(OID, EC_PUBLIC_KEY)) }))).toBe(message);
    expect(describeSpki(ecSpki({ algorithm: tlv(SEQUENCE, tlv(OID, EC_PUBLIC_KEY), tlv(OID, bytes('2b81040021'))) }))).toBe(message);
  });

  it.each([
    ['compressed', cat(bytes('02'), point.subarray(1, 33))],
    ['hybrid (06 ‖ X ‖ Y, as long as an uncompressed one)', cat(bytes('06'), point.subarray(1))],
    ['one byte longer', cat(point, bytes('00'))],
    ['one byte shorter', point.subarray(0, -1)],
  ])('refuses an EC point that is %s', (_name, bits) => {
    expect(describeSpki(ecSpki({ key: tlv(BIT_STRING, bytes('00'), bits) }))).toBe('the EC public point must be uncompressed (04 ‖ X ‖ Y), as KMS returns it');
  });

  it('refuses an Ed25519 key of 31 or 33 bytes', () => {
    const ed = Buffer.from(keyPairFor('EdDSA').publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    const spki = (key: Uint8Array) => tlv(SEQUENCE, tlv(SEQUENCE, tlv(OID, ED25519)), tlv(BIT_STRING, bytes('00'), key));
    expect(describeSpki(spki(ed))).toEqual({ kind: 'ed25519', x: new Uint8Array(ed) });
    expect(describeSpki(spki(ed.subarray(1)))).toBe('the Ed25519 public key must be 32 bytes');
    expect(describeSpki(spki(cat(ed, bytes('00'))))).toBe('the Ed25519 public key must be 32 bytes');
  });

  it('names a key type it does not know as unknown', () => {
    expect(describeSpki(tlv(SEQUENCE, tlv(SEQUENCE, tlv(OID, bytes('2a0304'))), tlv(BIT_STRING, bytes('00'), bytes('01'))))).toBe('key type unknown cannot verify a KMS signature');
  });
});

describe('an RSA public key (PKCS#1 RSAPublicKey)', () => {
  const rsaKey = (...parts: Uint8Array[]) => describePem(rsaPem(tlv(SEQUENCE, ...parts)));

  it('reads the modulus and exponent, leading zero bytes of the modulus left out', () => {
    expect(rsaKey(tlv(INTEGER, modulus), tlv(INTEGER, EXPONENT))).toEqual(described);
    expect(rsaKey(tlv(INTEGER, bytes('0000'), modulus), tlv(INTEGER, EXPONENT))).toEqual(described);
    expect(describeSpki(tlv(SEQUENCE, tlv(SEQUENCE, tlv(OID, RSA_ENCRYPTION), NULL), tlv(BIT_STRING, bytes('00'), tlv(SEQUENCE, tlv(INTEGER, modulus), tlv(INTEGER, EXPONENT)))))).toEqual(described);
  });

  it.each([
    ['a byte after it', cat(tlv(SEQUENCE, tlv(INTEGER, modulus), tlv(INTEGER, EXPONENT)), bytes('00'))],
    ['a third INTEGER', tlv(SEQUENCE, tlv(INTEGER, modulus), tlv(INTEGER, EXPONENT), tlv(INTEGER, EXPONENT))],
    ['a modulus only', tlv(SEQUENCE, tlv(INTEGER, modulus))],
    ['nothing in it', tlv(SEQUENCE)],
    ['its modulus in an OCTET STRING', tlv(SEQUENCE, tlv(OCTET_STRING, modulus), tlv(INTEGER, EXPONENT))],
    ['a negative modulus (its top bit set)', tlv(SEQUENCE, tlv(INTEGER, modulus.subarray(1)), tlv(INTEGER, EXPONENT))],
    ['an empty exponent', tlv(SEQUENCE, tlv(INTEGER, modulus), tlv(INTEGER))],
    ['a SET instead of a SEQUENCE', tlv(0x31, tlv(INTEGER, modulus), tlv(INTEGER, EXPONENT))],
    // 128 bytes of content after an indefinite length (0x80), which a reader of 0x80 as a short length would take.
    ['an indefinite length', cat(bytes('3080'), tlv(INTEGER, bytes('7f'), Buffer.alloc(120, 1)), tlv(INTEGER, EXPONENT))],
  ])('refuses an RSAPublicKey with %s', (_name, der) => {
    expect(describePem(rsaPem(der))).toBe(RSA_REFUSED);
  });
});

describe('PEM text', () => {
  const body = keyPairFor('ES256').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const lines = (text: string) => text.match(/.{1,64}/g)?.join('\n') ?? '';

  it('reads a PEM with CRLF line ends and with blank space around it', () => {
    expect(describePem(`-----BEGIN PUBLIC KEY-----\r\n${lines(body).replaceAll('\n', '\r\n')}\r\n-----END PUBLIC KEY-----\r\n`)).toMatchObject({ kind: 'ec' });
    expect(describePem(`\n  -----BEGIN PUBLIC KEY-----\n${lines(body)}\n-----END PUBLIC KEY-----\n\n  `)).toMatchObject({ kind: 'ec' });
  });

  it.each([
    ['an END line naming another label', `-----BEGIN PUBLIC KEY-----\n${body}\n-----END RSA PUBLIC KEY-----`],
    ['no line break after the BEGIN line', `-----BEGIN PUBLIC KEY-----${body}\n-----END PUBLIC KEY-----`],
    ['a character base64 lacks in its body', `-----BEGIN PUBLIC KEY-----\n*${body}\n-----END PUBLIC KEY-----`],
    ['text before it', `key: -----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`],
    ['text after it', `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\nmore`],
    ['a lowercase label', `-----BEGIN public key-----\n${body}\n-----END public key-----`],
  ])('refuses a PEM with %s', (_name, pem) => {
    expect(describePem(pem)).toBe('the key is not a PEM (-----BEGIN PUBLIC KEY----- ...)');
  });

  it('refuses a PEM body that is not base64, and says so', () => {
    expect(describePem('-----BEGIN PUBLIC KEY-----\nAAAAA=\n-----END PUBLIC KEY-----')).toBe('the PEM body is not base64');
  });
});

describe('a public JWK', () => {
  it.each<[string, JsonWebKey, string]>([
    ['an RSA key with an empty exponent', { ...rsaJwk, e: '' }, 'the RSA JWK needs n and e in base64url'],
    ['an RSA key without a modulus', { kty: 'RSA', e: rsaJwk.e ?? '' }, 'the RSA JWK needs n and e in base64url'],
    ['an RSA modulus that is not a string', { kty: 'RSA', e: rsaJwk.e ?? '', n: 5 as unknown as string }, 'the RSA JWK needs n and e in base64url'],
    ['an EC key of another curve', { ...ecJwk, crv: 'P-192' }, 'EC curve P-192 is not one KMS signs with (P-256, P-384, P-521, secp256k1)'],
    ['an EC key without y', { kty: 'EC', crv: 'P-384', x: ecJwk.x ?? '' }, 'the P-384 JWK needs x and y, each 48 bytes in base64url'],
    ['a P-256 key with x and no y', { kty: 'EC', crv: 'P-256', x: ecJwk.x ?? '' }, 'the P-256 JWK needs x and y, each 32 bytes in base64url'],
    ['an OKP key without a curve', { kty: 'OKP', x: ecJwk.x ?? '' }, 'OKP curve undefined cannot verify a KMS signature'],
    ['an Ed25519 key of 31 bytes', { kty: 'OKP', crv: 'Ed25519', x: Buffer.alloc(31, 1).toString('base64url') }, 'the Ed25519 JWK needs x, 32 bytes in base64url'],
    ['a symmetric key', { kty: 'oct', k: 'AAAA' }, 'JWK key type oct cannot verify a KMS signature'],
  ])('refuses %s, saying what it needs', (_name, jwk, message) => {
    expect(describeJwk(jwk)).toBe(message);
  });

  it('reads an RSA integer of zero as one zero byte, in a JWK and in DER', () => {
    expect(describeJwk({ kty: 'RSA', n: 'AA', e: 'AQAB' })).toEqual({ kind: 'rsa', n: new Uint8Array([0]), e: new Uint8Array([1, 0, 1]) });
    expect(describePem(rsaPem(tlv(SEQUENCE, tlv(INTEGER, modulus), tlv(INTEGER, bytes('00')))))).toEqual({ ...described, e: new Uint8Array([0]) });
  });

  it('reads an RSA modulus written with leading zero bytes as the number it is', () => {
    const padded = Buffer.from(cat(bytes('0000'), modulus)).toString('base64url');
    expect(describeJwk({ ...rsaJwk, n: padded })).toEqual(described);
    expect(describeJwk(rsaJwk)).toEqual(described);
  });

  it('writes a described key back as the JWK it came from', () => {
    for (const alg of ['ES256', 'ES512', 'RS256', 'EdDSA'] as const) {
      const jwk = keyPairFor(alg).publicKey.export({ format: 'jwk' });
      const description = describeJwk(jwk);
      if (typeof description === 'string') throw new Error(description);
      expect(jwkOf(description)).toEqual(jwk);
    }
  });
});

describe('an EC point on its curve', () => {
  it.each<EcCurve>(['P-256', 'secp256k1'])('refuses a %s x coordinate written as itself plus the field prime', (curve) => {
    const { p, size } = EC_CURVES[curve];
    const { x, y } = pointWithSmallX(curve);
    const jwk = { kty: 'EC', crv: curve, x: fixed(x, size).toString('base64url'), y: fixed(y, size).toString('base64url') };
    expect(describeJwk(jwk)).toMatchObject({ kind: 'ec', curve });
    expect(describeJwk({ ...jwk, x: fixed(x + p, size).toString('base64url') })).toBe(`the JWK's point is not on ${curve}`);
  });

  it.each<EcCurve>(['P-256', 'P-384', 'P-521'])('refuses a %s x coordinate of zero written as the field prime', (curve) => {
    const { p, b, size } = EC_CURVES[curve];
    // (0, √b) is on these three curves; the curves have no point with y = 0 (their order is prime), so none with y written as p.
    const y = sqrtMod(b, p);
    const jwk = { kty: 'EC', crv: curve, x: fixed(0n, size).toString('base64url'), y: fixed(y, size).toString('base64url') };
    expect(describeJwk(jwk)).toMatchObject({ kind: 'ec', curve });
    expect(describeJwk({ ...jwk, x: fixed(p, size).toString('base64url') })).toBe(`the JWK's point is not on ${curve}`);
  });

  it('says an SPKI point off its curve is not on it', () => {
    const off = new Uint8Array(point);
    off[64] = (off[64] ?? 0) ^ 1;
    expect(describeSpki(ecSpki({ key: tlv(BIT_STRING, bytes('00'), off) }))).toBe('the EC public point is not on P-256');
  });

  it('refuses a y coordinate written as itself plus the field prime', () => {
    const { p, size } = EC_CURVES['P-384'];
    const { x, y } = pointWithSmallX('P-384');
    expect(isOnCurve('P-384', fixed(x, size), fixed(y, size))).toBe(true);
    expect(isOnCurve('P-384', fixed(x, size), fixed(y + p, size + 1))).toBe(false);
  });

  it('takes empty coordinates as zero, which is on no curve here', () => {
    for (const curve of ['P-256', 'P-384', 'P-521', 'secp256k1'] as const) expect(isOnCurve(curve, new Uint8Array(0), new Uint8Array(0))).toBe(false);
  });
});

describe('key sizes and secp256k1', () => {
  it.each([
    ['no bytes', [], 0],
    ['a zero byte', [0], 0],
    ['one', [1], 1],
    ['0x80', [0x80], 8],
    ['0x01 0x00', [1, 0], 9],
    ['0xff 0xff 0xff', [0xff, 0xff, 0xff], 24],
  ])('counts the bits of %s', (_name, value, bits) => {
    expect(bitLength(new Uint8Array(value))).toBe(bits);
  });

  it('tells no secp256k1 key in null, undefined, a number, a P-256 JWK or a text that is no PEM', () => {
    expect(isSecp256k1Key(null)).toBe(false);
    expect(isSecp256k1Key(undefined)).toBe(false);
    expect(isSecp256k1Key(256)).toBe(false);
    expect(isSecp256k1Key(ecJwk)).toBe(false);
    expect(isSecp256k1Key('secp256k1')).toBe(false);
  });
});
