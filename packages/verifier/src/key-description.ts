import type { JsonWebKey } from 'node:crypto';
import { decodeBase64, decodeBase64urlLoose, toBase64url } from './runtime/web-bytes.js';

/**
 * A public key's type and public numbers, read from an SPKI (PEM or DER), a PKCS#1 RSA PEM or a
 * JWK without any crypto library: what the Web Crypto build parses keys with, and how any build
 * tells a secp256k1 key (which some runtimes cannot verify) from a broken one.
 */
export type KeyDescription =
  | { readonly kind: 'ec'; readonly curve: EcCurve; readonly x: Uint8Array; readonly y: Uint8Array }
  | { readonly kind: 'rsa'; readonly n: Uint8Array; readonly e: Uint8Array }
  | { readonly kind: 'ed25519'; readonly x: Uint8Array };

export type EcCurve = 'P-256' | 'P-384' | 'P-521' | 'secp256k1';

interface CurveParameters {
  /** Bytes of a coordinate. */
  readonly size: number;
  /** OpenSSL's name, as node:crypto reports it in `asymmetricKeyDetails.namedCurve`. */
  readonly openSslName: string;
  /** The OID of the named curve, DER content bytes as hex. */
  readonly oid: string;
  /** The field prime p and the coefficients of y² = x³ + ax + b. */
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
}

export const EC_CURVES: Readonly<Record<EcCurve, CurveParameters>> = {
  'P-256': {
    size: 32,
    openSslName: 'prime256v1',
    oid: '2a8648ce3d030107',
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  'P-384': {
    size: 48,
    openSslName: 'secp384r1',
    oid: '2b81040022',
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  'P-521': {
    size: 66,
    openSslName: 'secp521r1',
    oid: '2b81040023',
    p: (1n << 521n) - 1n,
    a: (1n << 521n) - 4n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
  secp256k1: {
    size: 32,
    openSslName: 'secp256k1',
    oid: '2b8104000a',
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn,
    a: 0n,
    b: 7n,
  },
};

const OID_EC_PUBLIC_KEY = '2a8648ce3d0201';
const OID_RSA_ENCRYPTION = '2a864886f70d010101';
const OID_RSASSA_PSS = '2a864886f70d01010a';
const OID_ED25519 = '2b6570';
const OTHER_KEY_TYPES: Readonly<Record<string, string>> = { '2b6571': 'Ed448', '2b656e': 'X25519', '2b656f': 'X448', '2a8648ce380401': 'DSA' };

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${hex(bytes)}`);
}

/** Whether (x, y) is a point of the curve: both below p and y² = x³ + ax + b (mod p). */
export function isOnCurve(curve: EcCurve, x: Uint8Array, y: Uint8Array): boolean {
  const { p, a, b } = EC_CURVES[curve];
  const X = toBigInt(x);
  const Y = toBigInt(y);
  if (X >= p || Y >= p) return false;
  // Both sides are non-negative (a and b are written as numbers below p), so `%` is already the residue.
  return (Y * Y) % p === (X * X * X + a * X + b) % p;
}

/** One DER element: its tag, its content and where the next one starts. */
interface Element {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly next: number;
}

function element(der: Uint8Array, at: number): Element | undefined {
  const tag = der[at];
  let length = der[at + 1];
  if (tag === undefined || length === undefined) return undefined;
  let start = at + 2;
  if (length >= 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) return undefined;
    length = 0;
    for (let index = 0; index < count; index += 1) {
      const byte = der[start + index];
      if (byte === undefined) return undefined;
      length = length * 256 + byte;
    }
    start += count;
  }
  const next = start + length;
  if (next > der.length) return undefined;
  return { tag, content: der.subarray(start, next), next };
}

/** The elements of a SEQUENCE's content, or `undefined` when they do not fill it exactly. */
function children(content: Uint8Array): Element[] | undefined {
  const out: Element[] = [];
  for (let at = 0; at < content.length; ) {
    const child = element(content, at);
    if (!child) return undefined;
    out.push(child);
    at = child.next;
  }
  return out;
}

/** A DER INTEGER's content as an unsigned big-endian number without leading zeros. */
function unsigned(integer: Element | undefined): Uint8Array | undefined {
  if (integer?.tag !== 0x02 || integer.content.length === 0 || ((integer.content[0] as number) & 0x80) !== 0) return undefined;
  let start = 0;
  while (start < integer.content.length - 1 && integer.content[start] === 0) start += 1;
  return integer.content.subarray(start);
}

/** RSAPublicKey (PKCS#1): SEQUENCE { modulus INTEGER, publicExponent INTEGER }. */
function rsaPublicKey(der: Uint8Array): KeyDescription | string {
  const outer = element(der, 0);
  const parts = outer?.tag === 0x30 && outer.next === der.length ? children(outer.content) : undefined;
  const n = unsigned(parts?.[0]);
  const e = unsigned(parts?.[1]);
  if (parts?.length !== 2 || !n || !e) return 'the RSA public key is not a DER RSAPublicKey';
  return { kind: 'rsa', n, e };
}

/** Describes a DER SubjectPublicKeyInfo; a string says why it cannot. */
export function describeSpki(der: Uint8Array): KeyDescription | string {
  const outer = element(der, 0);
  const parts = outer?.tag === 0x30 && outer.next === der.length ? children(outer.content) : undefined;
  const [algorithm, key] = parts ?? [];
  const algorithmParts = algorithm?.tag === 0x30 ? children(algorithm.content) : undefined;
  const oid = algorithmParts?.[0];
  if (parts?.length !== 2 || oid?.tag !== 0x06 || key?.tag !== 0x03 || key.content[0] !== 0) return 'the key is not a DER SubjectPublicKeyInfo (an SPKI "PUBLIC KEY")';
  const bits = key.content.subarray(1);
  switch (hex(oid.content)) {
    case OID_EC_PUBLIC_KEY: {
      const named = algorithmParts?.[1];
      const curve = (Object.keys(EC_CURVES) as EcCurve[]).find((name) => named?.tag === 0x06 && EC_CURVES[name].oid === hex(named.content));
      if (curve === undefined) return 'the EC key is not on a curve KMS signs with (P-256, P-384, P-521, secp256k1)';
      const size = EC_CURVES[curve].size;
      if (bits[0] !== 0x04 || bits.length !== 1 + 2 * size) return 'the EC public point must be uncompressed (04 ‖ X ‖ Y), as KMS returns it';
      const x = bits.subarray(1, 1 + size);
      const y = bits.subarray(1 + size);
      return isOnCurve(curve, x, y) ? { kind: 'ec', curve, x, y } : `the EC public point is not on ${curve}`;
    }
    case OID_RSA_ENCRYPTION:
      return rsaPublicKey(bits);
    case OID_RSASSA_PSS:
      return 'RSA-PSS SubjectPublicKeyInfo keys (id-RSASSA-PSS) are not supported here: give the key as an rsaEncryption SPKI, as KMS returns it, or as a JWK';
    case OID_ED25519:
      return bits.length === 32 ? { kind: 'ed25519', x: bits } : 'the Ed25519 public key must be 32 bytes';
    default:
      return `key type ${OTHER_KEY_TYPES[hex(oid.content)] ?? 'unknown'} cannot verify a KMS signature`;
  }
}

/** Describes a PEM: an SPKI `PUBLIC KEY` or a PKCS#1 `RSA PUBLIC KEY`. */
export function describePem(pem: string): KeyDescription | string {
  const match = /^\s*-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\s]*?)-----END \1-----\s*$/.exec(pem);
  if (!match) return 'the key is not a PEM (-----BEGIN PUBLIC KEY----- ...)';
  const der = decodeBase64((match[2] as string).replace(/\s/g, ''));
  if (!der) return 'the PEM body is not base64';
  if (match[1] === 'PUBLIC KEY') return describeSpki(der);
  if (match[1] === 'RSA PUBLIC KEY') return rsaPublicKey(der);
  return `a ${match[1] as string} PEM is not a public key: give the SPKI "PUBLIC KEY" PEM`;
}

function jwkMember(jwk: JsonWebKey, name: string, size?: number): Uint8Array | undefined {
  const member = (jwk as Record<string, unknown>)[name];
  const bytes = typeof member === 'string' && member.length > 0 ? decodeBase64urlLoose(member) : undefined;
  return bytes && (size === undefined || bytes.length === size) ? bytes : undefined;
}

/** Describes a public JWK (EC, RSA, or OKP Ed25519). */
export function describeJwk(jwk: JsonWebKey): KeyDescription | string {
  switch (jwk.kty) {
    case 'EC': {
      const curve = jwk.crv;
      if (curve !== 'P-256' && curve !== 'P-384' && curve !== 'P-521' && curve !== 'secp256k1') return `EC curve ${String(curve)} is not one KMS signs with (P-256, P-384, P-521, secp256k1)`;
      const size = EC_CURVES[curve].size;
      const x = jwkMember(jwk, 'x', size);
      const y = jwkMember(jwk, 'y', size);
      if (!x || !y) return `the ${curve} JWK needs x and y, each ${size} bytes in base64url`;
      return isOnCurve(curve, x, y) ? { kind: 'ec', curve, x, y } : `the JWK's point is not on ${curve}`;
    }
    case 'RSA': {
      const n = jwkMember(jwk, 'n');
      const e = jwkMember(jwk, 'e');
      if (!n || !e) return 'the RSA JWK needs n and e in base64url';
      let start = 0;
      while (start < n.length - 1 && n[start] === 0) start += 1;
      return { kind: 'rsa', n: n.subarray(start), e };
    }
    case 'OKP': {
      if (jwk.crv !== 'Ed25519') return `OKP curve ${String(jwk.crv)} cannot verify a KMS signature`;
      const x = jwkMember(jwk, 'x', 32);
      return x ? { kind: 'ed25519', x } : 'the Ed25519 JWK needs x, 32 bytes in base64url';
    }
    default:
      return `JWK key type ${String(jwk.kty)} cannot verify a KMS signature`;
  }
}

/** Bits of an unsigned big-endian number without leading zeros. */
export function bitLength(bytes: Uint8Array): number {
  const first = bytes[0] ?? 0;
  return first === 0 ? 0 : (bytes.length - 1) * 8 + (32 - Math.clz32(first));
}

/** A described key as a public JWK, its members in base64url. */
export function jwkOf(key: KeyDescription): JsonWebKey {
  switch (key.kind) {
    case 'ec':
      return { kty: 'EC', crv: key.curve, x: toBase64url(key.x), y: toBase64url(key.y) };
    case 'rsa':
      return { kty: 'RSA', n: toBase64url(key.n), e: toBase64url(key.e) };
    case 'ed25519':
      return { kty: 'OKP', crv: 'Ed25519', x: toBase64url(key.x) };
  }
}

/** Whether `key` (a PEM, a JWK, or a key object with a JWK export) is a secp256k1 key. */
export function isSecp256k1Key(key: unknown): boolean {
  if (typeof key === 'string') {
    const described = describePem(key);
    // A refusal (a string) and an RSA or Ed25519 description have no curve.
    return (described as { readonly curve?: unknown }).curve === 'secp256k1';
  }
  if (typeof key !== 'object' || key === null) return false;
  const details = (key as { asymmetricKeyDetails?: { namedCurve?: unknown } }).asymmetricKeyDetails;
  return (key as JsonWebKey).crv === 'secp256k1' || details?.namedCurve === 'secp256k1';
}
