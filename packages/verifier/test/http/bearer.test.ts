import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractBearerToken, parseAuthorization } from '../../src/http/index.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';

describe('parseAuthorization (RFC 6750 §2.1)', () => {
  it.each([
    ['Bearer', `Bearer ${TOKEN}`],
    ['lower-case scheme', `bearer ${TOKEN}`],
    ['upper-case scheme', `BEARER ${TOKEN}`],
    ['several spaces', `Bearer   ${TOKEN}`],
  ])('accepts the Bearer scheme in any case (%s)', (_name, value) => {
    expect(parseAuthorization(value)).toEqual({ kind: 'bearer', token: TOKEN });
  });

  it('accepts every token68 character and trailing = padding', () => {
    const token = 'AZaz09-._~+/abc==';
    expect(parseAuthorization(`Bearer ${token}`)).toEqual({ kind: 'bearer', token });
  });

  it.each([
    ['no token', 'Bearer'],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['a comma-separated second credential', `Bearer ${TOKEN}, Basic dXNlcjpwYXNz`],
    ['a tab instead of a space', `Bearer\t${TOKEN}`],
    ['a character outside token68', 'Bearer abc!def'],
    ['padding inside the token', 'Bearer ab=cd'],
    ['a quoted token', `Bearer "${TOKEN}"`],
    ['no scheme at all', `:${TOKEN}`],
    ['an empty header', ''],
  ])('answers malformed for %s', (_name, value) => {
    const parsed = parseAuthorization(value);
    expect(parsed.kind).toBe('malformed');
  });

  it.each([
    ['Basic', 'Basic dXNlcjpwYXNz', 'Basic'],
    ['DPoP', `DPoP ${TOKEN}`, 'DPoP'],
    ['a scheme that only starts like Bearer', `Bearerx ${TOKEN}`, 'Bearerx'],
  ])('recognises another scheme (%s) as not Bearer credentials', (_name, value, scheme) => {
    expect(parseAuthorization(value)).toEqual({ kind: 'other-scheme', scheme });
  });

  it('never puts the token into a malformed description', () => {
    const parsed = parseAuthorization(`Bearer ${TOKEN} extra`);
    expect(parsed.kind).toBe('malformed');
    expect(JSON.stringify(parsed)).not.toContain(TOKEN);
  });
});

describe('parseAuthorization with a known token', () => {
  // `known` vouches for TOKEN only, as a verifier vouches for a token it verified (a well-formed compact JWS).
  const known = (candidate: string): string | undefined => (candidate === TOKEN ? TOKEN : undefined);

  it('takes a known token after Bearer and one space without parsing it again', () => {
    let asked = 0;
    expect(parseAuthorization(`bEaReR ${TOKEN}`, (candidate) => (asked++, known(candidate)))).toEqual({ kind: 'bearer', token: TOKEN });
    expect(asked).toBe(1);
  });

  it('never asks about a value that is not Bearer and one space', () => {
    const asked: string[] = [];
    for (const value of [`Basic ${TOKEN}`, `Bearer  ${TOKEN}`, `Bearer\t${TOKEN}`, `Bearerx ${TOKEN}`, 'Bearer', '']) parseAuthorization(value, (candidate) => (asked.push(candidate), candidate));
    expect(asked).toEqual([` ${TOKEN}`]);
  });

  it('answers every header value as the parser alone does, whatever surrounds a known token', () => {
    const prefix = fc.constantFrom('Bearer ', 'bearer ', 'BEARER ', 'Bearer  ', 'Bearer\t', 'Basic ', 'Bearerx ', 'Bear ', '', ' ', 'Bearer ,');
    const middle = fc.oneof(fc.constant(TOKEN), fc.constant(`${TOKEN}=`), fc.constant(TOKEN.slice(1)), fc.string({ maxLength: 12 }));
    const suffix = fc.constantFrom('', ' ', ' extra', `, Basic dXNlcjpwYXNz`, '=', '!', `${TOKEN}`, ` ${TOKEN}`);
    fc.assert(
      fc.property(prefix, middle, suffix, (before, token, after) => {
        const value = `${before}${token}${after}`;
        expect(parseAuthorization(value, known)).toEqual(parseAuthorization(value));
        const request = { headersDistinct: { authorization: [value] }, cookie: after === '' ? undefined : 'c' };
        expect(extractBearerToken(request, known)).toEqual(extractBearerToken(request));
      }),
      { numRuns: 500 },
    );
  });

  it('still refuses a known token in two Authorization headers, or in the header and the cookie, query or body', () => {
    const twice = { headersDistinct: { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] } };
    expect(extractBearerToken(twice, known).kind).toBe('invalid');
    for (const elsewhere of [{ cookie: TOKEN }, { url: `/?access_token=${TOKEN}` }, { body: { access_token: TOKEN } }]) {
      expect(extractBearerToken({ headersDistinct: { authorization: [`Bearer ${TOKEN}`] }, ...elsewhere }, known).kind).toBe('invalid');
    }
  });
});

describe('extractBearerToken', () => {
  const header = (value: string) => ({ headersDistinct: { authorization: [value] } });

  it('finds the token of a Bearer Authorization header', () => {
    expect(extractBearerToken({ ...header(`Bearer ${TOKEN}`), url: '/orders?page=2' })).toEqual({ kind: 'token', token: TOKEN });
  });

  it('falls back to headers when headersDistinct is not given', () => {
    expect(extractBearerToken({ headers: { authorization: `Bearer ${TOKEN}` } })).toEqual({ kind: 'token', token: TOKEN });
  });

  it('answers none when nothing carries a token', () => {
    expect(extractBearerToken({ headersDistinct: {}, url: '/orders' })).toEqual({ kind: 'none' });
  });

  it('answers none for another scheme (a request without Bearer credentials)', () => {
    expect(extractBearerToken(header('Basic dXNlcjpwYXNz'))).toEqual({ kind: 'none' });
  });

  it('refuses two Authorization headers', () => {
    const found = extractBearerToken({ headersDistinct: { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] } });
    expect(found).toEqual({ kind: 'invalid', description: 'the request has more than one Authorization header' });
  });

  it("reads Node's raw header list first, names in any case, without building headersDistinct", () => {
    const raw = ['Host', 'api.example', 'AUTHORIZATION', `Bearer ${TOKEN}`, 'Accept', '*/*'];
    const untouchable = {
      rawHeaders: raw,
      get headersDistinct(): never {
        throw new Error('headersDistinct must not be read when rawHeaders is given');
      },
    };
    expect(extractBearerToken(untouchable)).toEqual({ kind: 'token', token: TOKEN });
    expect(extractBearerToken({ rawHeaders: ['Host', 'api.example'] })).toEqual({ kind: 'none' });
    // A header named like it but longer or shorter is not it.
    expect(extractBearerToken({ rawHeaders: ['Authorizations', `Bearer ${TOKEN}`, 'X-Authorization', `Bearer ${TOKEN}`] })).toEqual({ kind: 'none' });
  });

  it('refuses two Authorization lines of the raw header list, whatever their case', () => {
    const found = extractBearerToken({ rawHeaders: ['authorization', `Bearer ${TOKEN}`, 'Host', 'h', 'Authorization', 'Basic dXNlcjpwYXNz'] });
    expect(found).toEqual({ kind: 'invalid', description: 'the request has more than one Authorization header' });
  });

  it('refuses a malformed Bearer header', () => {
    expect(extractBearerToken(header('Bearer a b')).kind).toBe('invalid');
  });

  it.each([
    ['the query', { url: `/orders?access_token=${TOKEN}` }, 'the Authorization header, the access_token query parameter'],
    ['a percent-encoded query name', { url: `/orders?access%5Ftoken=${TOKEN}` }, 'the Authorization header, the access_token query parameter'],
    ['the body', { body: { access_token: TOKEN } }, 'the Authorization header, the access_token body parameter'],
    ['a cookie', { cookie: TOKEN }, 'the Authorization header, the cookie'],
  ])('refuses a token sent both in the header and in %s', (_name, extra, places) => {
    const found = extractBearerToken({ ...header(`Bearer ${TOKEN}`), ...extra });
    expect(found).toEqual({ kind: 'invalid', description: `the access token was sent in more than one place (${places}); send it once` });
  });

  it.each([
    ['the query', { url: `/orders?access_token=${TOKEN}` }],
    ['the body', { body: { access_token: TOKEN } }],
  ])('refuses a token sent only in %s (tokens in URLs and forms end up in logs)', (_name, request) => {
    const found = extractBearerToken(request);
    expect(found.kind).toBe('invalid');
    expect(JSON.stringify(found)).not.toContain(TOKEN);
  });

  it('takes the token from the cookie when no header carries one', () => {
    expect(extractBearerToken({ headersDistinct: {}, cookie: TOKEN })).toEqual({ kind: 'token', token: TOKEN });
  });

  it('ignores an empty cookie, a body without access_token and a raw Buffer body', () => {
    expect(extractBearerToken({ ...header(`Bearer ${TOKEN}`), cookie: '', body: { name: 'x' } })).toEqual({ kind: 'token', token: TOKEN });
    expect(extractBearerToken({ ...header(`Bearer ${TOKEN}`), body: Buffer.from('access_token=x') })).toEqual({ kind: 'token', token: TOKEN });
  });
});
