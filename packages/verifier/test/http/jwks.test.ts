import { describe, expect, it } from 'vitest';
import type { JsonWebKeySet } from '../../src/index.js';
import { fnv1a64 } from '../../src/http/fnv1a.js';
import { AdapterConfigError, createJwksResponder, type JwksSource } from '../../src/http/index.js';
import { keyPairFor, KID, OTHER_KID } from '../support/tokens.js';

const PKG = 'kms-jwt-test';
const jwk = (kid: string) => ({ ...keyPairFor('ES256').publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'ES256' });

function source(initial: JsonWebKeySet): JwksSource & { jwks: JsonWebKeySet } {
  return {
    jwks: initial,
    exportJwks() {
      return this.jwks;
    },
  };
}

/** FNV-1a 64 over UTF-8 the plain way, with BigInt: what the 32-bit-halves implementation must equal. */
function referenceFnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

describe('fnv1a64 (the ETag, computed without node:crypto so the route runs on Workers)', () => {
  it('matches the published FNV-1a 64 vectors, prefixed by the UTF-8 length', () => {
    expect(fnv1a64('')).toBe('0-cbf29ce484222325');
    expect(fnv1a64('a')).toBe('1-af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('6-85944171f73967e8');
  });

  it('equals a BigInt FNV-1a 64 for JSON bodies, non-ASCII included', () => {
    const bodies = ['{"keys":[]}', JSON.stringify({ keys: [jwk(KID), jwk(OTHER_KID)] }), 'é€😀'.repeat(50), '\u0000\uffff'];
    for (const body of bodies) expect(fnv1a64(body)).toBe(`${new TextEncoder().encode(body).length.toString(16)}-${referenceFnv1a64(body)}`);
  });
});

describe('createJwksResponder', () => {
  const keys = source({ keys: [jwk(KID)] });
  const respond = createJwksResponder(keys, {}, PKG);

  it("answers 200 with the provider's JWKS, Cache-Control and a strong ETag of the body", () => {
    const answer = respond(undefined);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body ?? '')).toEqual(keys.jwks);
    const etag = `"${fnv1a64(answer.body ?? '')}"`;
    expect(answer.headers).toEqual({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', ETag: etag });
  });

  it.each([
    ['the same ETag', (etag: string) => etag],
    ['the ETag among others', (etag: string) => `"other", ${etag}`],
    ['the weak form of the ETag', (etag: string) => `W/${etag}`],
    ['*', () => '*'],
    ['one of several header lines', (etag: string) => ['"other"', etag]],
  ])('answers 304 without a body when If-None-Match holds %s', (_name, ifNoneMatch) => {
    const { headers } = respond(undefined);
    const answer = respond(ifNoneMatch(headers.ETag));
    expect(answer).toEqual({ status: 304, headers, body: undefined });
  });

  it('answers 200 when If-None-Match holds another ETag', () => {
    expect(respond('"stale"').status).toBe(200);
  });

  it('serves a new body and ETag as soon as the keys change (rotation)', () => {
    const before = respond(undefined);
    keys.jwks = { keys: [...keys.jwks.keys, jwk(OTHER_KID)] };
    const after = respond(before.headers.ETag);
    expect(after.status).toBe(200);
    expect(after.headers.ETag).not.toBe(before.headers.ETag);
    expect(JSON.parse(after.body ?? '').keys).toHaveLength(2);
  });

  it('sets max-age from cacheMaxAgeSeconds', () => {
    expect(createJwksResponder(keys, { cacheMaxAgeSeconds: 0 }, PKG)(undefined).headers['Cache-Control']).toBe('public, max-age=0');
  });

  it.each([
    ['no provider', undefined, {}],
    ['a provider without exportJwks', { resolve: () => undefined }, {}],
    ['a negative cacheMaxAgeSeconds', keys, { cacheMaxAgeSeconds: -1 }],
  ])('throws AdapterConfigError at construction for %s', (_name, provider, options) => {
    expect(() => createJwksResponder(provider as unknown as JwksSource, options, PKG)).toThrow(AdapterConfigError);
  });
});
