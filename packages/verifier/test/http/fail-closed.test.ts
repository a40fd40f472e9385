import { describe, expect, it } from 'vitest';
import { createVerifier, JwtExpiredError, type Verifier } from '../../src/index.js';
import { createBearerAuth, extractBearerToken, HttpAuthError, parseAuthorization } from '../../src/http/index.js';
import { AUDIENCE, claims, ISSUER, keyPairFor, KID, NOW, rejection, signToken } from '../support/tokens.js';

/**
 * HTTP checks whose weakening would let a request through that is refused now (StrykerJS mutants
 * no other test noticed; see MUTATION.md).
 */

const pair = keyPairFor('ES256');
const options = { keys: [{ kid: KID, key: pair.publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 };
const valid = signToken('ES256', pair.privateKey, claims());
const expired = signToken('ES256', pair.privateKey, claims({ exp: NOW - 60 }));
const forged = signToken('ES256', keyPairFor('ES256').privateKey, claims());
const header = (token: string) => ({ headersDistinct: { authorization: [`Bearer ${token}`] } });

async function failure(promise: Promise<unknown>): Promise<HttpAuthError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(HttpAuthError);
  return error as HttpAuthError;
}

describe('the Bearer parser', () => {
  it.each(['XBearer abc', 'xbearer abc', 'NotBearer abc', 'Bearerx abc'])('reads %j as another scheme, not as Bearer credentials', (value) => {
    expect(parseAuthorization(value)).toEqual({ kind: 'other-scheme', scheme: value.split(' ')[0] });
  });

  it.each(['Bearer abc def', 'Bearer abc,', 'Bearer abc ', 'Bearer  ', 'Bearer', 'Bearer\tabc', 'Bearer abc=d'])('reads %j as a malformed Bearer header', (value) => {
    expect(parseAuthorization(value)).toMatchObject({ kind: 'malformed' });
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER   a-b.c_d~e+f/g==', 'a-b.c_d~e+f/g=='],
  ])('reads %j as the token %j', (value, token) => {
    expect(parseAuthorization(value)).toEqual({ kind: 'bearer', token });
  });

  it('reads a value without a scheme as malformed', () => {
    expect(parseAuthorization(' abc')).toEqual({ kind: 'malformed', description: 'the Authorization header has no authentication scheme' });
  });
});

describe('Authorization lines from rawHeaders', () => {
  it('takes only lines named Authorization (any case), not another header of the same length or a longer name', () => {
    expect(extractBearerToken({ rawHeaders: ['X-Api-Version', 'Bearer abc'] })).toEqual({ kind: 'none' });
    expect(extractBearerToken({ rawHeaders: ['X-Authorization', 'Bearer abc'] })).toEqual({ kind: 'none' });
    expect(extractBearerToken({ rawHeaders: ['Authorizatio', 'Bearer abc'] })).toEqual({ kind: 'none' });
    expect(extractBearerToken({ rawHeaders: ['Host', 'x', 'AUTHORIZATION', 'Bearer abc'] })).toEqual({ kind: 'token', token: 'abc' });
    expect(extractBearerToken({ rawHeaders: ['aUtHoRiZaTiOn', 'Bearer abc'] })).toEqual({ kind: 'token', token: 'abc' });
    expect(extractBearerToken({ rawHeaders: ['AUTHORIZATION', 'Bearer abc', 'aUtHoRiZaTiOn', 'Bearer abc'] })).toMatchObject({ kind: 'invalid' });
    expect(extractBearerToken({ rawHeaders: ['authorization', 'Bearer abc', 'Authorization', 'Bearer def'] })).toMatchObject({ kind: 'invalid' });
  });

  it('reads the value after each name, never a name as a value', () => {
    expect(extractBearerToken({ rawHeaders: ['Authorization', 'Bearer abc', 'Authorization'] })).toEqual({ kind: 'token', token: 'abc' });
    expect(extractBearerToken({ rawHeaders: ['Authorization'] })).toEqual({ kind: 'none' });
    expect(extractBearerToken({ rawHeaders: ['X', 'Authorization', 'Authorization', 'Bearer abc'] })).toEqual({ kind: 'token', token: 'abc' });
  });

  it('prefers rawHeaders to headersDistinct and headers', () => {
    expect(extractBearerToken({ rawHeaders: [], headersDistinct: { authorization: ['Bearer abc'] }, headers: { authorization: 'Bearer abc' } })).toEqual({ kind: 'none' });
  });
});

describe('where the token was sent', () => {
  it('refuses two Authorization values given as an array of headers, as two headers', () => {
    expect(extractBearerToken({ headers: { authorization: ['Bearer abc', 'Bearer def'] } })).toEqual({ kind: 'invalid', description: 'the request has more than one Authorization header' });
    expect(extractBearerToken({ headers: { authorization: ['Bearer abc'] } })).toEqual({ kind: 'token', token: 'abc' });
    expect(extractBearerToken({ headers: { authorization: 'Bearer abc' } })).toEqual({ kind: 'token', token: 'abc' });
    expect(extractBearerToken({ headers: {} })).toEqual({ kind: 'none' });
  });

  it('sees an access_token query parameter in a target that starts with "?"', () => {
    expect(extractBearerToken({ url: '?access_token=abc' })).toEqual({ kind: 'invalid', description: 'send the access token in the Authorization header (Bearer), not in the access_token query parameter' });
    expect(extractBearerToken({ url: '/orders?x=1' })).toEqual({ kind: 'none' });
  });

  it('takes a null body as no body', () => {
    expect(extractBearerToken({ body: null, headers: { authorization: 'Bearer abc' } })).toEqual({ kind: 'token', token: 'abc' });
    expect(extractBearerToken({ body: { access_token: 'abc' } })).toEqual({ kind: 'invalid', description: 'send the access token in the Authorization header (Bearer), not in the access_token body parameter' });
    expect(extractBearerToken({ body: Buffer.from('access_token') })).toEqual({ kind: 'none' });
  });

  it('names every place a token was sent in, and only those', () => {
    expect(extractBearerToken({ cookie: 'abc', url: '/?access_token=abc' })).toEqual({
      kind: 'invalid',
      description: 'the access token was sent in more than one place (the cookie, the access_token query parameter); send it once',
    });
    expect(extractBearerToken({ headers: { authorization: 'Bearer abc' }, cookie: 'abc', body: { access_token: 'abc' } })).toEqual({
      kind: 'invalid',
      description: 'the access token was sent in more than one place (the Authorization header, the cookie, the access_token body parameter); send it once',
    });
    expect(extractBearerToken({ cookie: 'abc' })).toEqual({ kind: 'token', token: 'abc' });
    expect(extractBearerToken({ cookie: '' })).toEqual({ kind: 'none' });
  });
});

describe('a verification that rejects asynchronously (threadpool, or a verifier of your own)', () => {
  const threadpool = createVerifier({ ...options, signatureVerification: 'threadpool' });
  const own: Verifier = { verify: (token) => threadpool.verify(token) };

  it.each([
    ['a threadpool verifier', threadpool],
    ['a verifier of your own', own],
  ])('answers a forged or expired token 401 invalid_token through %s, never as a request without credentials', async (_name, verifier) => {
    for (const credentialsRequired of [true, false]) {
      const auth = createBearerAuth<undefined>({ verifier, credentialsRequired }, 'kms-jwt-test');
      expect((await auth.authenticate(undefined, header(valid)))?.payload.sub).toBe('user-1');
      const forgedError = await failure(auth.authenticate(undefined, header(forged)));
      expect(forgedError).toMatchObject({ status: 401, code: 'ERR_JWS_SIGNATURE_INVALID', body: { error: 'invalid_token' } });
      const expiredError = await failure(auth.authenticate(undefined, header(expired)));
      expect(expiredError).toMatchObject({ status: 401, code: 'ERR_JWT_EXPIRED' });
      expect(expiredError.cause).toBeInstanceOf(JwtExpiredError);
    }
  });

  it('answers authenticateNow with a promise that rejects, not with a promise of no token', async () => {
    const auth = createBearerAuth<undefined>({ verifier: threadpool, credentialsRequired: false }, 'kms-jwt-test');
    const outcome = auth.authenticateNow(undefined, header(forged));
    expect(outcome).toBeInstanceOf(Promise);
    await failure(outcome as Promise<unknown>);
  });
});
