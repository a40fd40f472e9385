import { createHmac, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AlgNotAllowedError,
  createStaticKeyResolver,
  createVerifier,
  JwsHeaderUnsupportedError,
  JwtClaimInvalidError,
  JwtExpiredError,
  JwtIssuedInFutureError,
  JwtLifetimeTooLongError,
  JwtMalformedError,
  JwtNotYetValidError,
  JwtTooLargeError,
  JwtTooOldError,
  KidMissingError,
  KidUntrustedError,
  SignatureHighSError,
  SignatureInvalidError,
  type KeyResolver,
  type KmsJwtErrorCode,
  type VerifierOptions,
} from '../src/index.js';
import { AUDIENCE, b64, claims, encode, expectRejection, ISSUER, keyPairFor, KID, NOW, OTHER_KID, signInput, signRaw, signToken, type ErrorClass } from './support/tokens.js';

/**
 * The attack catalogue (issue 3, "Must show" 2): every way a token can try to get past the
 * verifier, each asserting the error class and its stable code.
 */

const RSA_KID = 'arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-4000-8000-000000000001';
const RS_ONLY_KID = 'arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-4000-8000-000000000002';
const PS_ONLY_KID = 'arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-4000-8000-000000000003';

/** Order of the P-256 group. */
const P256_N = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

const ec = keyPairFor('ES256');
const rsa = keyPairFor('RS256');
const attacker = keyPairFor('ES256');

const header = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ alg: 'ES256', typ: 'JWT', kid: KID, ...extra });
const es256 = (payload: unknown = claims(), head: unknown = header()): string => signToken('ES256', ec.privateKey, payload, head);
/** Signs exactly the two given segments, so the signature is valid whatever they hold. */
const signSegments = (headerSegment: string, payloadSegment: string): string =>
  `${headerSegment}.${payloadSegment}.${b64(signInput('ES256', ec.privateKey, `${headerSegment}.${payloadSegment}`))}`;
const withSignature = (token: string, signature: Buffer): string => `${token.slice(0, token.lastIndexOf('.'))}.${b64(signature)}`;
const rawSignature = (token: string): Buffer => Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
const hmac = (alg: 'HS256' | 'HS384' | 'HS512', secret: string | Buffer, kid: string): string => {
  const input = `${encode({ alg, typ: 'JWT', kid })}.${encode(claims())}`;
  return `${input}.${b64(createHmac(`sha${alg.slice(2)}`, secret).update(input).digest())}`;
};

/** Standard base64 (with `+`, `/` and `=`) of a JSON text chosen so that all three appear. */
function wrongAlphabet(json: (filler: string) => string): string {
  for (let spaces = 0; spaces < 3; spaces++) {
    const encoded = Buffer.from(json(`${' '.repeat(spaces)}>>>???`)).toString('base64');
    if (encoded.includes('+') && encoded.includes('/')) return encoded;
  }
  throw new Error('no alignment gives both + and /');
}

/** The same bytes with nonzero unused trailing bits in the last character. */
function nonCanonical(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  if (segment.length % 4 === 0) throw new Error('segment has no unused trailing bits');
  const last = alphabet.indexOf(segment.charAt(segment.length - 1));
  const mutated = `${segment.slice(0, -1)}${alphabet.charAt(last | 1)}`;
  expect(Buffer.from(mutated, 'base64url').equals(Buffer.from(segment, 'base64url'))).toBe(true);
  return mutated;
}

/** An encoded JSON value whose length leaves unused trailing bits (length % 4 is 2 or 3). */
function segmentWithTrailingBits(make: (pad: string) => unknown): string {
  for (let pad = 0; pad < 4; pad++) {
    const segment = encode(make('x'.repeat(pad)));
    if (segment.length % 4 !== 0) return segment;
  }
  throw new Error('unreachable');
}

/** Standard base64 with `=` padding of a JSON value (a member is padded until padding appears). */
function padded(make: (pad: string) => unknown): string {
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.from(JSON.stringify(make('x'.repeat(pad)))).toString('base64');
    if (encoded.endsWith('=')) return encoded;
  }
  throw new Error('unreachable');
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` from R‖S, with knobs to break DER's rules. */
function der(rs: Buffer, quirks: { longFormLength?: boolean; extraLeadingZero?: boolean; dropSignByte?: boolean; trailingByte?: boolean } = {}): Buffer {
  const integer = (value: Buffer): Buffer => {
    let bytes = value;
    while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] ?? 0) & 0x80) === 0) bytes = bytes.subarray(1);
    if (((bytes[0] ?? 0) & 0x80) !== 0 && !quirks.dropSignByte) bytes = Buffer.concat([Buffer.of(0), bytes]);
    if (quirks.extraLeadingZero) bytes = Buffer.concat([Buffer.of(0), bytes]);
    return Buffer.concat([Buffer.of(0x02, bytes.length), bytes]);
  };
  const body = Buffer.concat([integer(rs.subarray(0, 32)), integer(rs.subarray(32))]);
  const sequence = Buffer.concat([quirks.longFormLength ? Buffer.of(0x30, 0x81, body.length) : Buffer.of(0x30, body.length), body]);
  return quirks.trailingByte ? Buffer.concat([sequence, Buffer.of(0)]) : sequence;
}

/** R‖S of a valid signature with r or s replaced. */
function replaceRs(token: string, part: 'r' | 's', value: Buffer): string {
  const rs = Buffer.from(rawSignature(token));
  value.copy(rs, part === 'r' ? 0 : 32);
  return withSignature(token, rs);
}

/** The same token with its signature's high-S form (r, n − s), whichever form node:crypto made. */
function highS(token: string): string {
  const rs = rawSignature(token);
  const n = BigInt(`0x${P256_N.toString('hex')}`);
  const s = BigInt(`0x${rs.toString('hex', 32)}`);
  return s > n / 2n ? token : replaceRs(token, 's', Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'));
}

/** One token attack; `resolves: false` asserts the key source is never consulted. */
interface Attack {
  readonly name: string;
  readonly token: () => unknown;
  readonly error: ErrorClass;
  readonly code: KmsJwtErrorCode;
  readonly resolves?: false;
  readonly options?: Partial<VerifierOptions>;
}

const NEVER_RESOLVED = { resolves: false } as const;
const malformed = { error: JwtMalformedError, code: 'ERR_TOKEN_MALFORMED' } as const;
const algNotAllowed = { error: AlgNotAllowedError, code: 'ERR_ALG_NOT_ALLOWED' } as const;
const headerUnsupported = { error: JwsHeaderUnsupportedError, code: 'ERR_JWS_HEADER_UNSUPPORTED', ...NEVER_RESOLVED } as const;
const signatureInvalid = { error: SignatureInvalidError, code: 'ERR_JWS_SIGNATURE_INVALID' } as const;
const kidMissing = { error: KidMissingError, code: 'ERR_KID_MISSING', ...NEVER_RESOLVED } as const;
const claimInvalid = { error: JwtClaimInvalidError, code: 'ERR_JWT_CLAIM_INVALID' } as const;

const spkiPem = ec.publicKey.export({ type: 'spki', format: 'pem' });
const spkiDer = ec.publicKey.export({ type: 'spki', format: 'der' });
const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
const rsaDer = rsa.publicKey.export({ type: 'spki', format: 'der' });

const ATTACKS: readonly Attack[] = [
  // alg none, in every casing, with and without a signature segment.
  ...['none', 'None', 'NONE', 'nOnE'].flatMap((alg): Attack[] => [
    { name: `alg ${alg} with an empty signature`, token: () => `${encode(header({ alg }))}.${encode(claims())}.`, ...algNotAllowed, ...NEVER_RESOLVED },
    { name: `alg ${alg} with a signature`, token: () => signToken('ES256', ec.privateKey, claims(), header({ alg })), ...algNotAllowed, ...NEVER_RESOLVED },
  ]),
  { name: 'a header without alg', token: () => es256(claims(), { typ: 'JWT', kid: KID }), ...algNotAllowed, ...NEVER_RESOLVED },
  { name: 'a non-string alg', token: () => es256(claims(), header({ alg: ['ES256'] })), ...algNotAllowed, ...NEVER_RESOLVED },
  { name: 'an alg in the wrong case (es256)', token: () => es256(claims(), header({ alg: 'es256' })), ...algNotAllowed, ...NEVER_RESOLVED },

  // HMAC keyed with the public key (the classic RS/HS confusion), as PEM text and as SPKI bytes.
  ...(['HS256', 'HS384', 'HS512'] as const).flatMap((alg): Attack[] => [
    { name: `${alg} keyed with the trusted EC public key as PEM`, token: () => hmac(alg, spkiPem, KID), ...algNotAllowed, ...NEVER_RESOLVED },
    { name: `${alg} keyed with the trusted EC public key as SPKI bytes`, token: () => hmac(alg, spkiDer, KID), ...algNotAllowed, ...NEVER_RESOLVED },
    { name: `${alg} keyed with the trusted RSA public key as PEM`, token: () => hmac(alg, rsaPem, RSA_KID), ...algNotAllowed, ...NEVER_RESOLVED },
    { name: `${alg} keyed with the trusted RSA public key as SPKI bytes`, token: () => hmac(alg, rsaDer, RSA_KID), ...algNotAllowed, ...NEVER_RESOLVED },
  ]),

  // Algorithm confusion between key types, and between RSA paddings on a restricted key.
  { name: 'an RS256 token whose kid names an EC P-256 key', token: () => signToken('RS256', rsa.privateKey, claims(), { alg: 'RS256', typ: 'JWT', kid: KID }), ...algNotAllowed },
  { name: 'an ES256 token whose kid names an RSA key', token: () => signToken('ES256', ec.privateKey, claims(), header({ kid: RSA_KID })), ...algNotAllowed },
  { name: 'an ES384 token whose kid names a P-256 key', token: () => signToken('ES384', keyPairFor('ES384').privateKey, claims(), header({ alg: 'ES384' })), ...algNotAllowed },
  { name: 'an EdDSA token whose kid names a P-256 key', token: () => signToken('EdDSA', keyPairFor('EdDSA').privateKey, claims(), header({ alg: 'EdDSA' })), ...algNotAllowed },
  { name: 'a PS256 token on an RSA key allowed RS256 only', token: () => signToken('PS256', rsa.privateKey, claims(), { alg: 'PS256', kid: RS_ONLY_KID }), ...algNotAllowed },
  { name: 'an RS256 token on an RSA key allowed PS256 only', token: () => signToken('RS256', rsa.privateKey, claims(), { alg: 'RS256', kid: PS_ONLY_KID }), ...algNotAllowed },
  {
    name: 'an RS256 token when the verifier allows ES256 only',
    token: () => signToken('RS256', rsa.privateKey, claims(), { alg: 'RS256', kid: RSA_KID }),
    ...algNotAllowed,
    options: { algorithms: ['ES256'] },
  },

  // kid: untrusted, missing, empty, not a string.
  { name: 'a kid naming an untrusted key ARN (signed by that key)', token: () => signToken('ES256', attacker.privateKey, claims(), header({ kid: OTHER_KID })), error: KidUntrustedError, code: 'ERR_KID_UNTRUSTED' },
  { name: 'a kid that differs from a trusted ARN only in case', token: () => es256(claims(), header({ kid: KID.toUpperCase() })), error: KidUntrustedError, code: 'ERR_KID_UNTRUSTED' },
  { name: 'a kid that is a trusted ARN with trailing whitespace', token: () => es256(claims(), header({ kid: `${KID} ` })), error: KidUntrustedError, code: 'ERR_KID_UNTRUSTED' },
  { name: 'a header without kid', token: () => es256(claims(), { alg: 'ES256', typ: 'JWT' }), ...kidMissing },
  { name: 'an empty kid', token: () => es256(claims(), header({ kid: '' })), ...kidMissing },
  ...[42, null, true, [KID], { arn: KID }].map((kid): Attack => ({ name: `a kid of ${JSON.stringify(kid)}`, token: () => es256(claims(), header({ kid })), ...kidMissing })),

  // Keys carried by the token itself.
  { name: 'an embedded jwk (the attacker key)', token: () => signToken('ES256', attacker.privateKey, claims(), header({ jwk: attacker.publicKey.export({ format: 'jwk' }) })), ...headerUnsupported },
  { name: 'a jku', token: () => es256(claims(), header({ jku: 'https://attacker.example/jwks.json' })), ...headerUnsupported },
  { name: 'an x5u', token: () => es256(claims(), header({ x5u: 'https://attacker.example/cert.pem' })), ...headerUnsupported },
  { name: 'an x5c', token: () => es256(claims(), header({ x5c: ['MIIB'] })), ...headerUnsupported },
  { name: 'an x5t', token: () => es256(claims(), header({ x5t: 'AAAA' })), ...headerUnsupported },
  { name: 'an x5t#S256', token: () => es256(claims(), header({ 'x5t#S256': 'AAAA' })), ...headerUnsupported },

  // Extensions.
  { name: 'an unknown crit extension', token: () => es256(claims(), header({ crit: ['urn:example:ext'], 'urn:example:ext': true })), ...headerUnsupported },
  { name: 'crit naming a registered claim', token: () => es256(claims(), header({ crit: ['exp'] })), ...headerUnsupported },
  { name: 'an empty crit', token: () => es256(claims(), header({ crit: [] })), ...headerUnsupported },
  { name: 'a crit that is not an array', token: () => es256(claims(), header({ crit: 'b64' })), ...headerUnsupported },
  { name: 'b64 false (unencoded payload) with crit', token: () => es256(claims(), header({ b64: false, crit: ['b64'] })), ...headerUnsupported },
  { name: 'b64 false without crit', token: () => es256(claims(), header({ b64: false })), ...headerUnsupported },

  // Size.
  { name: 'a token longer than maxTokenBytes (default 8 KiB)', token: () => es256(claims({ pad: 'x'.repeat(8200) })), error: JwtTooLargeError, code: 'ERR_TOKEN_TOO_LARGE', ...NEVER_RESOLVED },
  { name: 'a huge string without dots (rejected before any parsing)', token: () => 'a'.repeat(1_000_000), error: JwtTooLargeError, code: 'ERR_TOKEN_TOO_LARGE', ...NEVER_RESOLVED },

  // Base64url: padding, the wrong alphabet, whitespace, non-canonical trailing bits, in every segment.
  { name: 'a header segment with = padding', token: () => signSegments(padded((pad) => header({ pad })), encode(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a header segment in standard base64 (+ and /)', token: () => signSegments(wrongAlphabet((f) => JSON.stringify(header({ f }))), encode(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a header segment with a space inside', token: () => signSegments(`${encode(header()).slice(0, 8)} ${encode(header()).slice(8)}`, encode(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a header segment with a newline inside', token: () => signSegments(`${encode(header()).slice(0, 8)}\n${encode(header()).slice(8)}`, encode(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a header segment with non-canonical trailing bits', token: () => signSegments(nonCanonical(segmentWithTrailingBits((pad) => header({ pad }))), encode(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a header segment of impossible length (4k+1)', token: () => signSegments(`${encode(header())}${'A'.repeat(5 - (encode(header()).length % 4))}`, encode(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a payload segment with = padding (validly signed)', token: () => signSegments(encode(header()), padded((pad) => claims({ pad }))), ...malformed },
  { name: 'a payload segment in standard base64 (validly signed)', token: () => signSegments(encode(header()), wrongAlphabet((f) => JSON.stringify(claims({ f })))), ...malformed },
  { name: 'a payload segment with a tab inside (validly signed)', token: () => signSegments(encode(header()), `${encode(claims()).slice(0, 10)}\t${encode(claims()).slice(10)}`), ...malformed },
  { name: 'a payload segment with non-canonical trailing bits (validly signed)', token: () => signSegments(encode(header()), nonCanonical(segmentWithTrailingBits((pad) => claims({ pad })))), ...malformed },
  { name: 'a signature segment with = padding', token: () => `${es256()}==`, ...malformed },
  { name: 'a signature segment in standard base64', token: () => { const t = es256(); return `${t.slice(0, t.lastIndexOf('.'))}.${rawSignature(t).toString('base64')}`; }, ...malformed },
  { name: 'a signature segment with trailing whitespace', token: () => `${es256()} `, ...malformed },
  { name: 'a signature segment with non-canonical trailing bits', token: () => { const t = es256(); return `${t.slice(0, t.lastIndexOf('.'))}.${nonCanonical(t.slice(t.lastIndexOf('.') + 1))}`; }, ...malformed },

  // Segments.
  { name: 'an empty string', token: () => '', ...malformed, ...NEVER_RESOLVED },
  { name: 'one segment', token: () => encode(header()), ...malformed, ...NEVER_RESOLVED },
  { name: 'two segments', token: () => `${encode(header())}.${encode(claims())}`, ...malformed, ...NEVER_RESOLVED },
  { name: 'four segments', token: () => `${es256()}.${b64('x')}`, ...malformed, ...NEVER_RESOLVED },
  { name: 'five segments (JWE shape)', token: () => `${encode(header())}.a.b.c.d`, ...malformed, ...NEVER_RESOLVED },
  { name: 'three empty segments', token: () => '..', ...malformed, ...NEVER_RESOLVED },
  { name: 'an empty signature segment', token: () => `${encode(header())}.${encode(claims())}.`, ...malformed },
  { name: 'an empty payload segment (validly signed)', token: () => signSegments(encode(header()), ''), ...malformed },

  // Non-object JSON.
  ...['[]', '["ES256"]', '"ES256"', '42', 'null', 'true', '{"alg":"ES256"', 'not json'].map((json): Attack => ({ name: `a header of ${json}`, token: () => signRaw('ES256', ec.privateKey, json, JSON.stringify(claims())), ...malformed, ...NEVER_RESOLVED })),
  ...['[]', '[{"iss":"x"}]', '"claims"', '42', 'null', 'false', '{"exp":1', ''].map((json): Attack => ({ name: `a payload of ${json || 'nothing'} (validly signed)`, token: () => signRaw('ES256', ec.privateKey, JSON.stringify(header()), json), ...malformed })),

  // Duplicate JSON members: two parsers could disagree on which one counts.
  { name: 'a header repeating alg', token: () => signRaw('ES256', ec.privateKey, `{"alg":"ES256","kid":"${KID}","alg":"ES256"}`, JSON.stringify(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a header repeating kid (trusted, then untrusted)', token: () => signRaw('ES256', ec.privateKey, `{"alg":"ES256","kid":"${KID}","kid":"${OTHER_KID}"}`, JSON.stringify(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a header repeating alg under an escaped name (\\u0061lg)', token: () => signRaw('ES256', ec.privateKey, `{"alg":"ES256","kid":"${KID}","\\u0061lg":"none"}`, JSON.stringify(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a header with a duplicate inside a nested object', token: () => signRaw('ES256', ec.privateKey, `{"alg":"ES256","kid":"${KID}","ext":{"a":1,"a":2}}`, JSON.stringify(claims())), ...malformed, ...NEVER_RESOLVED },
  { name: 'a payload repeating sub (validly signed)', token: () => signRaw('ES256', ec.privateKey, JSON.stringify(header()), `${JSON.stringify(claims()).slice(0, -1)},"sub":"admin"}`), ...malformed },
  { name: 'a payload repeating aud under an escaped name (\\u0061ud)', token: () => signRaw('ES256', ec.privateKey, JSON.stringify(header()), `${JSON.stringify(claims()).slice(0, -1)},"\\u0061ud":"other"}`), ...malformed },
  { name: 'a payload repeating exp with whitespace before the colon', token: () => signRaw('ES256', ec.privateKey, JSON.stringify(header()), `${JSON.stringify(claims()).slice(0, -1)},"exp" \n: ${NOW + 999999}}`), ...malformed },
  { name: 'a payload with a duplicate inside an array of objects', token: () => signRaw('ES256', ec.privateKey, JSON.stringify(header()), `${JSON.stringify(claims()).slice(0, -1)},"roles":[{"r":1},{"r":2,"r":3}]}`), ...malformed },

  // ECDSA signature encodings.
  { name: 'a DER signature without acceptDerSignatures', token: () => { const t = es256(); return withSignature(t, der(rawSignature(t))); }, ...signatureInvalid },
  { name: 'a DER signature made by node:crypto without acceptDerSignatures', token: () => { const input = `${encode(header())}.${encode(claims())}`; return `${input}.${b64(sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'der' }))}`; }, ...signatureInvalid },
  { name: 'a DER signature with a long-form length, even with acceptDerSignatures', token: () => { const t = es256(); return withSignature(t, der(rawSignature(t), { longFormLength: true })); }, ...signatureInvalid, options: { acceptDerSignatures: true } },
  { name: 'a DER signature with a needless leading zero, even with acceptDerSignatures', token: () => { const t = es256(); return withSignature(t, der(rawSignature(t), { extraLeadingZero: true })); }, ...signatureInvalid, options: { acceptDerSignatures: true } },
  { name: 'a DER signature with trailing bytes, even with acceptDerSignatures', token: () => { const t = es256(); return withSignature(t, der(rawSignature(t), { trailingByte: true })); }, ...signatureInvalid, options: { acceptDerSignatures: true } },
  { name: 'a DER signature with a negative integer, even with acceptDerSignatures', token: () => { const t = es256(); return withSignature(t, der(Buffer.alloc(64, 0xff), { dropSignByte: true })); }, ...signatureInvalid, options: { acceptDerSignatures: true } },
  ...[1, 32, 63, 65, 96, 128].map((length): Attack => ({ name: `an ES256 R‖S of ${length} bytes`, token: () => { const t = es256(); return withSignature(t, Buffer.concat([rawSignature(t), rawSignature(t), rawSignature(t)]).subarray(0, length)); }, ...signatureInvalid })),
  { name: 'r = 0', token: () => replaceRs(es256(), 'r', Buffer.alloc(32)), ...signatureInvalid },
  { name: 's = 0', token: () => replaceRs(es256(), 's', Buffer.alloc(32)), ...signatureInvalid },
  { name: 'r = s = 0', token: () => withSignature(es256(), Buffer.alloc(64)), ...signatureInvalid },
  { name: 'r = n', token: () => replaceRs(es256(), 'r', P256_N), ...signatureInvalid },
  { name: 's = n', token: () => replaceRs(es256(), 's', P256_N), ...signatureInvalid },
  { name: 'r = n + 1', token: () => replaceRs(es256(), 'r', Buffer.from((BigInt(`0x${P256_N.toString('hex')}`) + 1n).toString(16), 'hex')), ...signatureInvalid },
  { name: 'r = 2^256 - 1', token: () => replaceRs(es256(), 'r', Buffer.alloc(32, 0xff)), ...signatureInvalid },
  { name: 's = 2^256 - 1', token: () => replaceRs(es256(), 's', Buffer.alloc(32, 0xff)), ...signatureInvalid },
  { name: 'a malleated copy (r, n − s) of a valid token, with rejectHighS', token: () => highS(es256()), error: SignatureHighSError, code: 'ERR_JWS_SIGNATURE_HIGH_S', options: { rejectHighS: true } },
  { name: 'a high-S DER signature, with acceptDerSignatures and rejectHighS', token: () => { const t = highS(es256()); return withSignature(t, der(rawSignature(t))); }, error: SignatureHighSError, code: 'ERR_JWS_SIGNATURE_HIGH_S', options: { acceptDerSignatures: true, rejectHighS: true } },
  { name: 's = 2^256 - 1 with rejectHighS (an invalid signature stays invalid)', token: () => replaceRs(es256(), 's', Buffer.alloc(32, 0xff)), ...signatureInvalid, options: { rejectHighS: true } },
  { name: 'a signature made by another P-256 key', token: () => signToken('ES256', attacker.privateKey, claims(), header()), ...signatureInvalid },
  { name: 'a payload swapped in from another validly signed token', token: () => { const a = es256(claims()); const b = es256(claims({ sub: 'admin' })); const [h, , s] = a.split('.'); return `${h}.${b.split('.')[1]}.${s}`; }, ...signatureInvalid },

  // Claims.
  { name: 'an expired token', token: () => es256(claims({ exp: NOW - 1 })), error: JwtExpiredError, code: 'ERR_JWT_EXPIRED' },
  { name: 'a token whose exp is exactly now', token: () => es256(claims({ exp: NOW })), error: JwtExpiredError, code: 'ERR_JWT_EXPIRED' },
  { name: 'a token whose nbf is in the future', token: () => es256(claims({ nbf: NOW + 60 })), error: JwtNotYetValidError, code: 'ERR_JWT_NOT_YET_VALID' },
  { name: 'a token issued in the future beyond the clock tolerance', token: () => es256(claims({ iat: NOW + 31 })), error: JwtIssuedInFutureError, code: 'ERR_JWT_ISSUED_IN_FUTURE', options: { clockToleranceSeconds: 30 } },
  { name: 'a token older than maxTokenAgeSeconds', token: () => es256(claims({ iat: NOW - 3601 })), error: JwtTooOldError, code: 'ERR_JWT_TOO_OLD', options: { maxTokenAgeSeconds: 3600 } },
  { name: 'a token whose exp is in the year 9999 (longer than the default 24 h lifetime)', token: () => es256(claims({ exp: 253_402_300_799 })), error: JwtLifetimeTooLongError, code: 'ERR_JWT_LIFETIME_TOO_LONG' },
  { name: 'a token whose exp is 1e308', token: () => es256(claims({ exp: 1e308 })), error: JwtLifetimeTooLongError, code: 'ERR_JWT_LIFETIME_TOO_LONG' },
  { name: 'a token without iat whose exp is in the year 9999', token: () => es256(claims({ iat: undefined, exp: 253_402_300_799 })), error: JwtLifetimeTooLongError, code: 'ERR_JWT_LIFETIME_TOO_LONG' },
  { name: 'a token from another issuer', token: () => es256(claims({ iss: 'https://attacker.example' })), ...claimInvalid },
  { name: 'a token whose issuer differs only by a trailing slash', token: () => es256(claims({ iss: `${ISSUER}/` })), ...claimInvalid },
  { name: 'a token for another audience', token: () => es256(claims({ aud: 'other-api' })), ...claimInvalid },
  { name: 'a token whose audience array names none of ours', token: () => es256(claims({ aud: ['a', 'b'] })), ...claimInvalid },
  { name: 'a token of another typ', token: () => es256(claims(), header({ typ: 'at+jwt' })), ...claimInvalid, options: { typ: 'JWT' } },
  { name: 'a token without typ when typ is required', token: () => es256(claims(), { alg: 'ES256', kid: KID }), ...claimInvalid, options: { typ: 'JWT' } },
  { name: 'a token for another subject', token: () => es256(claims({ sub: 'user-2' })), ...claimInvalid, options: { subject: 'user-1' } },
  { name: 'a token whose exp is a string', token: () => es256(claims({ exp: String(NOW + 300) })), ...claimInvalid },

  // Not a string at all.
  ...[42, undefined, null, {}, ['a.b.c'], Buffer.from('a.b.c'), Symbol('token')].map((value): Attack => ({ name: `a token of type ${typeof value === 'object' ? (value === null ? 'null' : value.constructor.name) : typeof value}`, token: () => value, ...malformed, ...NEVER_RESOLVED })),
];

function countingResolver(): { resolver: KeyResolver; calls: () => number } {
  const inner = createStaticKeyResolver([
    { kid: KID, key: ec.publicKey },
    { kid: RSA_KID, key: rsa.publicKey },
    { kid: RS_ONLY_KID, key: rsa.publicKey, algorithms: ['RS256'] },
    { kid: PS_ONLY_KID, key: rsa.publicKey, algorithms: ['PS256'] },
  ]);
  let count = 0;
  return {
    resolver: {
      resolve: (kid) => {
        count += 1;
        return inner.resolve(kid);
      },
    },
    calls: () => count,
  };
}

describe('attack catalogue', () => {
  it('starts from a token this verifier accepts', async () => {
    const { resolver } = countingResolver();
    const verifier = createVerifier({ keys: resolver, issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 });
    await expect(verifier.verify(es256())).resolves.toMatchObject({ key: KID, payload: { sub: 'user-1' } });
  });

  for (const mode of ['sync', 'threadpool'] as const) {
    describe(`signatureVerification '${mode}'`, () => {
      for (const attack of ATTACKS) {
        it(`rejects ${attack.name} with ${attack.code}`, async () => {
          const { resolver, calls } = countingResolver();
          const verifier = createVerifier({
            keys: resolver,
            issuer: ISSUER,
            audience: AUDIENCE,
            nowMs: () => NOW * 1000,
            signatureVerification: mode,
            ...attack.options,
          });
          const token = attack.token();
          await expectRejection(verifier.verify(token as string), attack.error, attack.code, token);
          if (attack.resolves === false) expect(calls()).toBe(0);
        });
      }
    });
  }
});
