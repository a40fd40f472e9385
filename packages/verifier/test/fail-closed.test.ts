import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { algorithmsForKey, createStaticKeyResolver, createVerifier, derToJose, JwtClaimInvalidError, JwtMalformedError, SignatureInvalidError, VerifierConfigError, type VerifierOptions } from '../src/index.js';
import { decodeBase64url, decodeBase64urlText } from '../src/base64url.js';
import { AUDIENCE, b64, claims, encode, expectRejection, ISSUER, keyPairFor, KID, NOW, signInput, signRaw, signToken } from './support/tokens.js';

/**
 * Checks whose weakening would make the verifier accept what it refuses: each test here was written
 * against a mutant (StrykerJS, MUTATION.md) that changed a refusal into an acceptance and that no
 * other test noticed.
 */

const nowMs = () => NOW * 1000;
const es256 = keyPairFor('ES256');
const es384 = keyPairFor('ES384');
const es512 = keyPairFor('ES512');

function verifierFor(publicKey: KeyObject, extra: Partial<VerifierOptions> = {}) {
  return createVerifier({ keys: [{ kid: KID, key: publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs, ...extra });
}

describe('base64url: one encoding per byte string', () => {
  it('refuses a segment whose length leaves one character over (length % 4 === 1), which decoders silently drop', () => {
    expect(decodeBase64url('QUJD')).toEqual(Buffer.from('ABC'));
    expect(decodeBase64url('QUJDA')).toBeUndefined();
    expect(decodeBase64url('A')).toBeUndefined();
    expect(decodeBase64urlText('QUJDRA')).toBe('ABCD');
    expect(decodeBase64urlText('QUJDRAA')).toBe('ABCD\u0000');
    expect(decodeBase64urlText('QUJDRAAAA')).toBeUndefined();
    expect(decodeBase64urlText('QUJDR')).toBeUndefined();
  });

  it('refuses an encoding whose unused trailing bits are not zero (2 and 4 unused bits)', () => {
    // "QQ" is 0x41 with 4 zero bits left over; "QR" sets one of them.
    expect(decodeBase64url('QQ')).toEqual(Buffer.of(0x41));
    for (const bad of ['QR', 'QS', 'QT', 'QU', 'QV', 'QW', 'QX', 'QY', 'QZ', 'Qa', 'Qb', 'Qc', 'Qd', 'Qe', 'Qf']) expect(decodeBase64url(bad), bad).toBeUndefined();
    // "QUI" is 0x41 0x42 with 2 zero bits left over; "QUJ", "QUK", "QUL" set them.
    expect(decodeBase64url('QUI')).toEqual(Buffer.of(0x41, 0x42));
    for (const bad of ['QUJ', 'QUK', 'QUL']) expect(decodeBase64url(bad), bad).toBeUndefined();
    // Every character of the alphabet as the last of a 4-character group is canonical.
    expect(decodeBase64url('AAA_')).toEqual(Buffer.of(0x00, 0x00, 0x3f));
    expect(decodeBase64url('AAA-')).toEqual(Buffer.of(0x00, 0x00, 0x3e));
  });

  it('refuses padding, whitespace and the standard alphabet, and accepts the empty segment', () => {
    for (const bad of ['QQ==', 'QQ=', 'Q Q', 'QQ\n', 'a+b/', 'QU!D', '\u00e9AAA']) expect(decodeBase64url(bad), bad).toBeUndefined();
    expect(decodeBase64url('')).toEqual(Buffer.alloc(0));
  });

  it('refuses an ES384 token with one character added to its signature (128 characters become 129)', async () => {
    const token = signToken('ES384', es384.privateKey, claims(), { alg: 'ES384', typ: 'JWT', kid: KID });
    const verifier = verifierFor(es384.publicKey);
    expect((await verifier.verify(token)).key).toBe(KID);
    for (const extra of ['A', 'Q', '_']) await expectRejection(verifier.verify(`${token}${extra}`), JwtMalformedError, 'ERR_TOKEN_MALFORMED');
  });

  it('refuses an ES512 token with one character added to its signature (176 characters become 177)', async () => {
    const token = signToken('ES512', es512.privateKey, claims(), { alg: 'ES512', typ: 'JWT', kid: KID });
    const verifier = verifierFor(es512.publicKey);
    expect((await verifier.verify(token)).key).toBe(KID);
    await expectRejection(verifier.verify(`${token}A`), JwtMalformedError, 'ERR_TOKEN_MALFORMED');
  });
});

describe('time claims: NumericDate only', () => {
  // 1e999 and -1e999 are valid JSON numbers that JSON.parse turns into ±Infinity.
  const rows: readonly (readonly [string, string, Partial<VerifierOptions>])[] = [
    ['exp', `{"iss":"${ISSUER}","aud":"${AUDIENCE}","iat":${NOW - 10},"exp":1e999}`, { maxTokenLifetimeSeconds: null }],
    ['nbf', `{"iss":"${ISSUER}","aud":"${AUDIENCE}","iat":${NOW - 10},"exp":${NOW + 60},"nbf":-1e999}`, {}],
    ['iat', `{"iss":"${ISSUER}","aud":"${AUDIENCE}","iat":-1e999,"exp":${NOW + 60}}`, { maxTokenLifetimeSeconds: null }],
    ['iat', `{"iss":"${ISSUER}","aud":"${AUDIENCE}","iat":-1e999,"exp":${NOW + 60}}`, { maxTokenLifetimeSeconds: null, maxTokenAgeSeconds: 600 }],
    ['exp', `{"iss":"${ISSUER}","aud":"${AUDIENCE}","iat":${NOW - 10},"exp":"${NOW + 60}"}`, {}],
    ['nbf', `{"iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${NOW + 60},"nbf":null}`, {}],
  ];

  it.each(rows)('refuses a non-finite or non-number %s (%s) with ERR_JWT_CLAIM_INVALID naming it', async (claim, payload, extra) => {
    const token = signRaw('ES256', es256.privateKey, JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: KID }), payload);
    const error = await expectRejection(verifierFor(es256.publicKey, extra).verify(token), JwtClaimInvalidError, 'ERR_JWT_CLAIM_INVALID');
    expect(error.claim).toBe(claim);
    expect(error.message).toBe(`claim ${claim} must be a NumericDate (seconds since the epoch)`);
  });
});

describe('RSA key sizes', () => {
  const rsaPss1024 = generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey;
  const rsaPss2048 = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey;
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  const rsa2048 = keyPairFor('RS256').publicKey;

  it('refuses an RSA-PSS key shorter than 2048 bits, and takes one of 2048 bits for PS* only', () => {
    expect(algorithmsForKey(rsaPss1024)).toBe('RSA key of 1024 bits is shorter than 2048');
    expect(() => createStaticKeyResolver([{ kid: KID, key: rsaPss1024 }])).toThrow(VerifierConfigError);
    expect(algorithmsForKey(rsaPss2048)).toEqual(['PS256', 'PS384', 'PS512']);
    expect(createStaticKeyResolver([{ kid: KID, key: rsaPss2048 }]).resolve(KID)).toMatchObject({ algorithms: ['PS256', 'PS384', 'PS512'] });
  });

  it('refuses an RSA key shorter than 2048 bits, and takes one of 2048 bits for RS* and PS*', () => {
    expect(algorithmsForKey(rsa1024)).toBe('RSA key of 1024 bits is shorter than 2048');
    expect(() => createStaticKeyResolver([{ kid: KID, key: rsa1024 }])).toThrow(/RSA key of 1024 bits is shorter than 2048/);
    expect(algorithmsForKey(rsa2048)).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
  });
});

/** DER: SEQUENCE { INTEGER r, INTEGER s } with the sequence length written as `lengthBytes`. */
function der(r: Buffer, s: Buffer, lengthBytes: (length: number) => number[]): Buffer {
  const integer = (value: Buffer): Buffer => {
    let v = value;
    while (v.length > 1 && v[0] === 0 && ((v[1] ?? 0) & 0x80) === 0) v = v.subarray(1);
    if (((v[0] ?? 0) & 0x80) !== 0) v = Buffer.concat([Buffer.of(0), v]);
    return Buffer.concat([Buffer.of(0x02, v.length), v]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.of(0x30, ...lengthBytes(body.length)), body]);
}

describe('DER signatures (acceptDerSignatures): distinguished encoding only', () => {
  const shortForm = (length: number) => (length < 0x80 ? [length] : [0x81, length]);

  it('refuses a long-form length below 128 (30 81 44 … instead of 30 44 …)', () => {
    const r = Buffer.alloc(32, 0x11);
    const s = Buffer.alloc(32, 0x22);
    expect(derToJose(der(r, s, shortForm), 32)).toEqual(Buffer.concat([r, s]));
    expect(derToJose(der(r, s, (length) => [0x81, length]), 32)).toBeUndefined();
    expect(derToJose(der(r, s, (length) => [0x82, 0x00, length]), 32)).toBeUndefined();
  });

  it('refuses a long form of more than one length byte where one suffices (30 82 00 8a … for P-521)', () => {
    const r = Buffer.alloc(66, 0x01);
    const s = Buffer.alloc(66, 0x01);
    const canonical = der(r, s, shortForm);
    expect(canonical[1]).toBe(0x81);
    expect(derToJose(canonical, 66)).toEqual(Buffer.concat([r, s]));
    expect(derToJose(der(r, s, (length) => [0x82, 0x00, length]), 66)).toBeUndefined();
    expect(derToJose(der(r, s, (length) => [0x82, length]), 66)).toBeUndefined();
    expect(derToJose(der(r, s, (length) => [0x80 | 0x7f, length]), 66)).toBeUndefined();
  });

  it('refuses the indefinite length 0x80, and reads 0x81 0x80 as 128 (P-521: two 62-byte integers)', () => {
    const r = Buffer.alloc(62, 0x01);
    const s = Buffer.alloc(62, 0x02);
    const expected = Buffer.concat([Buffer.alloc(4), r, Buffer.alloc(4), s]);
    expect(derToJose(der(r, s, (length) => [0x81, length]), 66)).toEqual(expected);
    expect(derToJose(der(r, s, () => [0x80]), 66)).toBeUndefined();
  });

  it('refuses a token whose DER signature has a non-minimal length, and verifies its minimal form', async () => {
    const input = `${encode({ alg: 'ES256', typ: 'JWT', kid: KID })}.${encode(claims())}`;
    const jose = signInput('ES256', es256.privateKey, input);
    const [r, s] = [jose.subarray(0, 32), jose.subarray(32)];
    const verifier = verifierFor(es256.publicKey, { acceptDerSignatures: true });
    expect((await verifier.verify(`${input}.${b64(der(r, s, shortForm))}`)).key).toBe(KID);
    await expectRejection(verifier.verify(`${input}.${b64(der(r, s, (length) => [0x81, length]))}`), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
  });
});

describe('the header cache', () => {
  const header = { alg: 'ES256', typ: 'JWT', kid: KID };
  const token = signToken('ES256', es256.privateKey, claims(), header);
  const others = (from: number, count: number): string[] =>
    Array.from({ length: count }, (_, index) => `${encode({ ...header, n: from + index })}.${encode(claims())}.${b64(Buffer.alloc(64, 1))}`);

  it('keeps at most 256 header segments: the 257th distinct one empties it, so a remembered header is parsed again', async () => {
    const verifier = verifierFor(es256.publicKey, { cache: false });
    const first = await verifier.verify(token);
    for (const other of others(0, 255)) await expectRejection(verifier.verify(other), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    // 256 segments remembered: the first is still one of them.
    expect((await verifier.verify(token)).header).toBe(first.header);
    for (const other of others(255, 1)) await expectRejection(verifier.verify(other), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID');
    const again = await verifier.verify(token);
    expect(again.header).not.toBe(first.header);
    expect(again.header).toEqual(first.header);
  });
});

describe('cache: false', () => {
  const token = signToken('ES256', es256.privateKey, claims());

  it('never serves a remembered result, however often a token comes back', async () => {
    const verifier = verifierFor(es256.publicKey, { cache: false });
    const results = [];
    for (let call = 0; call < 4; call += 1) results.push(await verifier.verify(token));
    for (let call = 1; call < 4; call += 1) expect(results[call]).not.toBe(results[call - 1]);
  });

  it('while the default cache serves a token from its third sighting on (admitted on the second)', async () => {
    const verifier = verifierFor(es256.publicKey);
    const [one, two, three, four] = [await verifier.verify(token), await verifier.verify(token), await verifier.verify(token), await verifier.verify(token)];
    expect(two).not.toBe(one);
    expect(three).toBe(two);
    expect(four).toBe(two);
  });
});

describe('a malformed token is refused before any key is asked for', () => {
  it.each([
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['an empty signature', `${encode({ alg: 'ES256', kid: KID })}.${encode(claims())}.`],
  ])('%s', async (_name, token) => {
    let asked = 0;
    const verifier = createVerifier({
      keys: {
        resolve: () => {
          asked += 1;
          return undefined;
        },
      },
      issuer: ISSUER,
      audience: AUDIENCE,
      nowMs,
    });
    await expectRejection(verifier.verify(token), JwtMalformedError, 'ERR_TOKEN_MALFORMED');
    expect(asked).toBe(0);
  });
});
