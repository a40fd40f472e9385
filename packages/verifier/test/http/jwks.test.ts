import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JsonWebKeySet } from '../../src/index.js';
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

describe('createJwksResponder', () => {
  const keys = source({ keys: [jwk(KID)] });
  const respond = createJwksResponder(keys, {}, PKG);

  it("answers 200 with the provider's JWKS, Cache-Control and a strong ETag of the body", () => {
    const answer = respond(undefined);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body ?? '')).toEqual(keys.jwks);
    const etag = `"${createHash('sha256').update(answer.body ?? '').digest('base64url')}"`;
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
