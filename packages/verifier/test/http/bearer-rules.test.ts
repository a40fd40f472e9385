import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index.js';
import { createBearerAuth, extractBearerToken, HttpAuthError, parseAuthorization, type KnownTokens } from '../../src/http/index.js';
import { AUDIENCE, claims, ISSUER, keyPairFor, KID, NOW, rejection, signToken } from '../support/tokens.js';

// The known-token fast path of the Bearer parser (http/bearer.ts): `known` vouches for a token the
// verifier verified lately, and only a value that is `Bearer` (any case), one space and that token
// may take it. Another scheme of the same length carrying a known token is still another scheme.

/** A well-formed token68 that ends like the scheme, which a token may do. */
const ENDS_LIKE_BEARER = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnBearer';
const ENDS_LIKE_LOWER = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbearer';
const SHORT = 'x';

/** A `known` that vouches for the given tokens only, and the candidates it was asked about. */
function vouching(...tokens: string[]): { readonly known: KnownTokens; readonly asked: string[] } {
  const asked: string[] = [];
  return { asked, known: (candidate) => (asked.push(candidate), tokens.includes(candidate) ? candidate : undefined) };
}

describe('a known token after a scheme that is not Bearer', () => {
  it.each([
    ['Digest', `Digest ${ENDS_LIKE_BEARER}`],
    ['a six-letter scheme', `Xearer ${ENDS_LIKE_BEARER}`],
    ['a six-letter scheme, token ending in lower-case bearer', `Basic1 ${ENDS_LIKE_LOWER}`],
  ])('is another scheme (%s), not Bearer credentials', (_name, value) => {
    const { known } = vouching(ENDS_LIKE_BEARER, ENDS_LIKE_LOWER);
    const scheme = value.split(' ')[0];
    expect(parseAuthorization(value, known)).toEqual({ kind: 'other-scheme', scheme });
    expect(extractBearerToken({ headersDistinct: { authorization: [value] } }, known)).toEqual({ kind: 'none' });
  });
});

describe('what known is asked about', () => {
  it('is never asked about an empty candidate, and is asked about a one-character one', () => {
    const { known, asked } = vouching(SHORT);
    expect(parseAuthorization('Bearer ', known)).toMatchObject({ kind: 'malformed' });
    expect(asked).toEqual([]);
    expect(parseAuthorization(`Bearer ${SHORT}`, known)).toEqual({ kind: 'bearer', token: SHORT });
    expect(asked).toEqual([SHORT]);
  });

  it('is asked by extractBearerToken about the token of a Bearer header, once', () => {
    const { known, asked } = vouching(ENDS_LIKE_BEARER);
    expect(extractBearerToken({ headersDistinct: { authorization: [`Bearer ${ENDS_LIKE_BEARER}`] } }, known)).toEqual({ kind: 'token', token: ENDS_LIKE_BEARER });
    expect(asked).toEqual([ENDS_LIKE_BEARER]);
  });
});

describe('a token the verifier has cached, sent under another scheme', () => {
  const pair = keyPairFor('ES256');
  const verifier = createVerifier({ keys: [{ kid: KID, key: pair.publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 });
  const token = signToken('ES256', pair.privateKey, claims());
  const auth = createBearerAuth<undefined>({ verifier }, 'kms-jwt-test');
  const request = (authorization: string) => ({ headersDistinct: { authorization: [authorization] } });

  it('is refused as a request without credentials (401), however often the token was verified', async () => {
    // Verified again and again, the token is in the verifier's cache (and its hot slots) before it comes under another scheme.
    for (let round = 0; round < 4; round += 1) expect((await auth.authenticate(undefined, request(`Bearer ${token}`)))?.payload.sub).toBe('user-1');
    for (const scheme of ['Digest', 'Xearer', 'xearer']) {
      const error = await rejection(auth.authenticate(undefined, request(`${scheme} ${token}`)));
      expect(error).toBeInstanceOf(HttpAuthError);
      expect(error).toMatchObject({ status: 401, code: 'ERR_CREDENTIALS_MISSING' });
    }
    expect((await auth.authenticate(undefined, request(`bEaReR ${token}`)))?.payload.sub).toBe('user-1');
  });
});
