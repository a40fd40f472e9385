import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import * as web from '../src/runtime/web.js';
import { decodeBase64, decodeBase64urlLoose } from '../src/runtime/web-bytes.js';
import { verifyWithWebCrypto } from '../src/runtime/web-crypto-verify.js';
import { keyPairFor, signInput } from './support/tokens.js';

// The Web Crypto build's runtime module at its edges: base64 characters outside the alphabet
// (above 127 too) refused, UTF-8 lengths at every encoding boundary, what passes for a key object,
// and the answers of its Web Crypto checks.

const bytesOf = (value: Uint8Array | undefined) => (value === undefined ? undefined : [...value]);

describe('web runtime bytes at their edges', () => {
  it.each([
    ['a character above 127 in a full quantum', 'AAA\u0100'],
    ['U+0080, just past ASCII', 'AAA\u0080'],
    ['a character outside the alphabet in the last two', 'A*'],
    ['a character outside the alphabet in the last three', 'AA*'],
    ['one above 127 in the last two', 'A\u00c0'],
  ])('refuses base64url with %s', (_name, text) => {
    expect(decodeBase64urlLoose(text)).toBeUndefined();
    expect(web.base64urlBytes(text)).toEqual(new Uint8Array(0));
  });

  it('decodes the zero bits of a last quantum of two or three characters', () => {
    expect(bytesOf(decodeBase64urlLoose('AA'))).toEqual([0]);
    expect(bytesOf(decodeBase64urlLoose('AAA'))).toEqual([0, 0]);
    expect(bytesOf(decodeBase64urlLoose('AAAAAA'))).toEqual([0, 0, 0, 0]);
  });

  it('decodes standard base64 without its padding, whatever its length', () => {
    expect(bytesOf(decodeBase64('YQ'))).toEqual([0x61]);
    expect(bytesOf(decodeBase64('YWI'))).toEqual([0x61, 0x62]);
    expect(bytesOf(decodeBase64('YQ=='))).toEqual([0x61]);
  });

  it.each([
    ['U+007F', '\u007f'],
    ['U+0080', '\u0080'],
    ['U+07FF', '\u07ff'],
    ['U+0800', '\u0800'],
    ['a pair', '\ud83d\ude00'],
    ['a high surrogate before a two-byte character', '\ud800\u00e9'],
    ['a three-byte character before a low surrogate', '\u3072\udc00'],
    ['two low surrogates', '\udc00\udc00'],
    ['a high surrogate at the end', 'a\udbff'],
    ['a high surrogate before another', '\ud800\ud800\udc00'],
    ['U+DBFF and U+DC00, the edges of a pair', '\udbff\udc00'],
  ])('counts the UTF-8 bytes of %s as Buffer does', (_name, text) => {
    expect(web.utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
    expect(web.utf8Length(`${text}x${text}`)).toBe(Buffer.byteLength(`${text}x${text}`, 'utf8'));
  });
});

describe('web runtime keys and checks', () => {
  it.each([
    ['null', null],
    ['a number', 7],
    ['an object without type or export', {}],
    ['an object without export()', { type: 'public' }],
    ['an object without a type', { export: () => ({}) }],
    ['an object whose type is not a string', { type: 1, export: () => ({}) }],
    ['an object whose export is not a function', { type: 'public', export: 'jwk' }],
    ['a function with a type and export()', Object.assign(() => undefined, { type: 'public', export: () => ({}) })],
  ])('takes %s for no key object', (_name, value) => {
    expect(web.asKeyObject(value)).toBeUndefined();
  });

  it('exports a key of this build as a JWK only, saying how to ask for it', () => {
    const key = web.publicKeyFromPem(keyPairFor('ES256').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const message = 'a Web Crypto build key exports as a JWK only: export({ format: "jwk" })';
    const exportAs = key.export as (options: unknown) => unknown;
    expect(() => exportAs.call(key, { format: 'pem' })).toThrow(new TypeError(message));
    expect(() => exportAs.call(key, undefined)).toThrow(new TypeError(message));
  });

  it('rejects an algorithm Web Crypto lacks, naming it', async () => {
    await expect(verifyWithWebCrypto('ES256K', keyPairFor('ES256K').publicKey, new Uint8Array(1), new Uint8Array(64))).rejects.toMatchObject({
      name: 'NotSupportedError',
      message: 'Web Crypto cannot verify ES256K',
    });
  });

  it('rejects with the error of a key whose export throws, rather than answering', async () => {
    const failure = new Error('export failed');
    const broken = { type: 'public', export: () => { throw failure; } } as unknown as Parameters<typeof verifyWithWebCrypto>[1];
    await expect(verifyWithWebCrypto('ES256', broken, new Uint8Array(1), new Uint8Array(64))).rejects.toBe(failure);
  });

  it('answers false, not an error, for a signature Web Crypto cannot even read', async () => {
    const { privateKey, publicKey } = keyPairFor('ES256');
    const data = new TextEncoder().encode('a.b');
    expect(await verifyWithWebCrypto('ES256', publicKey, data, new Uint8Array(signInput('ES256', privateKey, 'a.b')))).toBe(true);
    expect(await verifyWithWebCrypto('ES256', publicKey, data, 'not bytes' as unknown as Uint8Array)).toBe(false);
  });
});
