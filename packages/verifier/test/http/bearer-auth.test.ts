import { describe, expect, it } from 'vitest';
import { createVerifier, KeySourceUnavailableError, VerifierConfigError, type KeyResolver, type Verifier } from '../../src/index.js';
import { AdapterConfigError, createBearerAuth, HttpAuthError, RevocationCheckUnavailableError, type BearerAuthOptions } from '../../src/http/index.js';
import { AUDIENCE, claims, ISSUER, keyPairFor, KID, NOW, OTHER_KID, rejection, signToken } from '../support/tokens.js';

const PKG = 'kms-jwt-test';
const pair = keyPairFor('ES256');
const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const verifierOptions = { keys: [{ kid: KID, key: pem }], issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 };
const verifier = createVerifier(verifierOptions);
const valid = signToken('ES256', pair.privateKey, claims({ scope: 'orders:read' }));
const expired = signToken('ES256', pair.privateKey, claims({ exp: NOW - 60 }));
const request = (token: string) => ({ headersDistinct: { authorization: [`Bearer ${token}`] } });

function auth(extra: Partial<BearerAuthOptions<string>> = {}) {
  return createBearerAuth<string>({ verifier, ...extra }, PKG);
}

async function failure(promise: Promise<unknown>): Promise<HttpAuthError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(HttpAuthError);
  return error as HttpAuthError;
}

describe('createBearerAuth: authenticate', () => {
  it('resolves with the verified token of a valid Bearer header', async () => {
    const token = await auth().authenticate('ctx', request(valid));
    expect(token?.payload.sub).toBe('user-1');
    expect(token?.key).toBe(KID);
  });

  it('accepts verifier options instead of a verifier', async () => {
    const token = await createBearerAuth({ verifier: verifierOptions }, PKG).authenticate(undefined, request(valid));
    expect(token?.payload.scope).toBe('orders:read');
  });

  it('answers a request without credentials 401 with a bare Bearer challenge', async () => {
    const error = await failure(auth().authenticate('ctx', { headersDistinct: {} }));
    expect(error).toMatchObject({ status: 401, code: 'ERR_CREDENTIALS_MISSING', family: 'request', headers: { 'WWW-Authenticate': 'Bearer realm="api"' } });
    expect(error.body).toEqual({ error: 'unauthorized', error_description: 'an access token is required' });
  });

  it('lets a request without credentials through when credentialsRequired is false', async () => {
    await expect(auth({ credentialsRequired: false }).authenticate('ctx', { headersDistinct: {} })).resolves.toBeUndefined();
  });

  it('still refuses an invalid token when credentialsRequired is false', async () => {
    const error = await failure(auth({ credentialsRequired: false }).authenticate('ctx', request(expired)));
    expect(error.code).toBe('ERR_JWT_EXPIRED');
  });

  it('answers an expired token 401 invalid_token naming the claim, with the verifier error as cause', async () => {
    const error = await failure(auth().authenticate('ctx', request(expired)));
    expect(error).toMatchObject({ status: 401, statusCode: 401, code: 'ERR_JWT_EXPIRED', family: 'claims', claim: 'exp', expose: true });
    expect(error.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="api", error="invalid_token", error_description="the access token expired (exp)"' });
    expect(error.body).toEqual({ error: 'invalid_token', error_description: 'the access token expired (exp)' });
    expect(error.message).toBe('the access token expired (exp)');
    expect(error.name).toBe('HttpAuthError');
    expect((error.cause as Error).name).toBe('JwtExpiredError');
  });

  it('answers a token over the lifetime cap, and a high-S signature under rejectHighS, 401 invalid_token with their own codes', async () => {
    const longLived = signToken('ES256', pair.privateKey, claims({ exp: 253_402_300_799 }));
    const tooLong = await failure(auth().authenticate('ctx', request(longLived)));
    expect(tooLong).toMatchObject({ status: 401, code: 'ERR_JWT_LIFETIME_TOO_LONG', family: 'claims', claim: 'exp' });
    expect(tooLong.body).toEqual({ error: 'invalid_token', error_description: 'the access token lifetime is too long (exp)' });

    // The high-S form of a valid token: (r, n − s) when node:crypto made a low-S signature.
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const rs = Buffer.from(valid.slice(valid.lastIndexOf('.') + 1), 'base64url');
    const s = BigInt(`0x${rs.toString('hex', 32)}`);
    const highS = s > n / 2n ? rs : Buffer.concat([rs.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
    const malleated = `${valid.slice(0, valid.lastIndexOf('.'))}.${highS.toString('base64url')}`;
    const strict = createBearerAuth<string>({ verifier: { ...verifierOptions, rejectHighS: true } }, PKG);
    const refused = await failure(strict.authenticate('ctx', request(malleated)));
    expect(refused).toMatchObject({ status: 401, code: 'ERR_JWS_SIGNATURE_HIGH_S', family: 'token' });
    expect(refused.body).toEqual({ error: 'invalid_token', error_description: 'the access token signature is not in canonical form' });
    await expect(auth().authenticate('ctx', request(malleated))).resolves.toMatchObject({ key: KID });
  });

  it('answers a token of an untrusted key 401 without naming any key', async () => {
    const other = signToken('ES256', pair.privateKey, claims(), { alg: 'ES256', typ: 'JWT', kid: OTHER_KID });
    const error = await failure(auth().authenticate('ctx', request(other)));
    expect(error.code).toBe('ERR_KID_UNTRUSTED');
    expect(error.body.error_description).toBe('the access token was not signed by a trusted key');
    expect(JSON.stringify(error.headers)).not.toContain(OTHER_KID);
  });

  it('answers 503 with Retry-After and no challenge when the key source is unavailable', async () => {
    const down: KeyResolver = {
      resolve() {
        throw new KeySourceUnavailableError('KMS is down');
      },
    };
    const error = await failure(
      createBearerAuth({ verifier: { keys: down, issuer: ISSUER, audience: AUDIENCE }, retryAfterSeconds: 30 }, PKG).authenticate(undefined, request(valid)),
    );
    expect(error).toMatchObject({ status: 503, code: 'ERR_KEY_SOURCE_UNAVAILABLE', family: 'infrastructure' });
    expect(error.headers).toEqual({ 'Retry-After': '30' });
    expect(error.body.error).toBe('temporarily_unavailable');
  });

  it('answers a malformed header 400 invalid_request', async () => {
    const error = await failure(auth().authenticate('ctx', { headersDistinct: { authorization: [`Bearer ${valid} x`] } }));
    expect(error).toMatchObject({ status: 400, code: 'ERR_REQUEST_INVALID', body: { error: 'invalid_request' } });
    expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer realm="api", error="invalid_request", error_description="[^"]+"$/);
  });

  it('answers a token sent in two places 400 invalid_request', async () => {
    const error = await failure(auth().authenticate('ctx', { ...request(valid), url: `/x?access_token=${valid}` }));
    expect(error).toMatchObject({ status: 400, code: 'ERR_REQUEST_INVALID' });
  });

  it('uses getToken instead of the header, with the context it is given', async () => {
    const seen: string[] = [];
    const token = await auth({ getToken: (ctx) => (seen.push(ctx), valid) }).authenticate('the-context', { headersDistinct: {} });
    expect(seen).toEqual(['the-context']);
    expect(token?.key).toBe(KID);
  });

  it.each([[''], [null], [undefined]])('treats a getToken answer of %j as no credentials', async (answer) => {
    const error = await failure(auth({ getToken: async () => answer }).authenticate('ctx', request(valid)));
    expect(error.code).toBe('ERR_CREDENTIALS_MISSING');
  });

  it('answers a revoked token 401 ERR_TOKEN_REVOKED, passing isRevoked the verified token', async () => {
    const seen: string[] = [];
    const error = await failure(auth({ isRevoked: async (ctx, token) => (seen.push(`${ctx}:${String(token.payload.sub)}`), true) }).authenticate('ctx', request(valid)));
    expect(error).toMatchObject({ status: 401, code: 'ERR_TOKEN_REVOKED', body: { error: 'invalid_token', error_description: 'the access token was revoked' } });
    expect(seen).toEqual(['ctx:user-1']);
  });

  it('passes a token isRevoked answers false for', async () => {
    await expect(auth({ isRevoked: () => false }).authenticate('ctx', request(valid))).resolves.toMatchObject({ key: KID });
  });

  it('lets an error thrown by isRevoked or getToken propagate unchanged (infrastructure, not the client)', async () => {
    const boom = new Error('revocation store down');
    await expect(auth({ isRevoked: () => Promise.reject(boom) }).authenticate('ctx', request(valid))).rejects.toBe(boom);
    await expect(auth({ getToken: () => { throw boom; } }).authenticate('ctx', request(valid))).rejects.toBe(boom);
  });

  it('answers 503 with Retry-After, never 401, when isRevoked throws or rejects with RevocationCheckUnavailableError', async () => {
    const down = new RevocationCheckUnavailableError('the revocation list is stale');
    for (const isRevoked of [() => { throw down; }, () => Promise.reject(down)]) {
      const error = await failure(auth({ isRevoked }).authenticate('ctx', request(valid)));
      expect(error).toMatchObject({ status: 503, code: 'ERR_REVOCATION_CHECK_UNAVAILABLE', family: 'infrastructure', headers: { 'Retry-After': '5' }, body: { error: 'temporarily_unavailable' } });
      expect(error.headers['WWW-Authenticate']).toBeUndefined();
      expect(error.cause).toBe(down);
    }
  });

  it('lets a verifier configuration error propagate (a server bug, not a 401)', async () => {
    const broken: Verifier = { verify: () => Promise.reject(new VerifierConfigError('bad override')) };
    await expect(createBearerAuth({ verifier: broken }, PKG).authenticate(undefined, request(valid))).rejects.toBeInstanceOf(VerifierConfigError);
  });

  it("tells the verifier's detailed message with debug, sanitized for the header", async () => {
    const error = await failure(auth({ debug: true }).authenticate('ctx', request(expired)));
    expect(error.body.error_description).toMatch(/^the token expired at \d+/);
    expect(error.headers['WWW-Authenticate']).toContain(`error_description="${error.body.error_description}"`);
  });

  it('escapes quotes and backslashes in the realm', async () => {
    const error = await failure(auth({ realm: 'my "quoted" \\ realm' }).authenticate('ctx', { headersDistinct: {} }));
    expect(error.headers['WWW-Authenticate']).toBe('Bearer realm="my \\"quoted\\" \\\\ realm"');
  });

  it('never echoes the token in the error, its headers or its body', async () => {
    for (const token of [expired, `${valid.slice(0, -4)}AAAA`, valid.replace('.', '..')]) {
      const error = await failure(auth({ debug: true }).authenticate('ctx', request(token)));
      const signature = token.slice(token.lastIndexOf('.') + 1);
      for (const text of [error.message, JSON.stringify(error.headers), JSON.stringify(error.body)]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(signature);
      }
    }
  });
});

describe('createBearerAuth: authenticateNow', () => {
  it('answers a token the verifier has cached synchronously, and a first sighting with a promise', async () => {
    const fresh = signToken('ES256', pair.privateKey, claims({ jti: 'now-1' }));
    const bearer = createBearerAuth<string>({ verifier: createVerifier({ ...verifierOptions, signatureVerification: 'threadpool' }) }, PKG);
    const first = bearer.authenticateNow('ctx', request(fresh));
    expect(first).toBeInstanceOf(Promise);
    await first;
    await bearer.authenticate('ctx', request(fresh)); // the second sighting: admitted to the cache
    const cached = bearer.authenticateNow('ctx', request(fresh));
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).toMatchObject({ key: KID, payload: { jti: 'now-1' } });
  });

  it('answers the malformed and misplaced forms of a cached token as it answers them for a new one', async () => {
    const fresh = signToken('ES256', pair.privateKey, claims({ jti: 'syntax-after-cache' }));
    const forms = (token: string) => [`Bearer  ${token}`, `bearer ${token}`, `Bearer ${token} ${token}`, `Bearer ${token}!`, `Basic ${token}`, `Bearer ${token}=`];
    const answer = (value: string, extra: object = {}) =>
      auth({ credentialsRequired: false }).authenticate('ctx', { headersDistinct: { authorization: [value] }, ...extra }).then((token) => (token === undefined ? 'none' : 'verified'), (error: HttpAuthError) => `${error.status} ${error.code}`);
    const before = [...(await Promise.all(forms(fresh).map((value) => answer(value)))), await answer(`Bearer ${fresh}`, { cookie: fresh })];
    // Verified twice, the token is cached: the verifier now vouches for it.
    await auth().authenticate('ctx', request(fresh));
    await auth().authenticate('ctx', request(fresh));
    expect(await answer(`Bearer ${fresh}`)).toBe('verified');
    const after = [...(await Promise.all(forms(fresh).map((value) => answer(value)))), await answer(`Bearer ${fresh}`, { cookie: fresh })];
    expect(after).toEqual(before);
    expect(before).toEqual(['verified', 'verified', '400 ERR_REQUEST_INVALID', '400 ERR_REQUEST_INVALID', 'none', '401 ERR_TOKEN_MALFORMED', '400 ERR_REQUEST_INVALID']);
  });

  it('throws a failure known at once (missing, malformed, untrusted) instead of returning a rejected promise', () => {
    const bearer = auth();
    expect(() => bearer.authenticateNow('ctx', { headersDistinct: {} })).toThrow(expect.objectContaining({ code: 'ERR_CREDENTIALS_MISSING' }));
    expect(() => bearer.authenticateNow('ctx', { headersDistinct: { authorization: ['Bearer a b'] } })).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => bearer.authenticateNow('ctx', request(expired))).toThrow(expect.objectContaining({ code: 'ERR_JWT_EXPIRED' }));
  });

  it('checks revocation synchronously when isRevoked answers synchronously, and waits for a promise', async () => {
    expect(() => auth({ isRevoked: () => true }).authenticateNow('ctx', request(valid))).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_REVOKED' }));
    const pending = auth({ isRevoked: async () => true }).authenticateNow('ctx', request(valid));
    expect(pending).toBeInstanceOf(Promise);
    expect(await failure(pending as Promise<unknown>)).toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
  });

  it("returns a native promise for a custom verifier's thenable", async () => {
    const thenable = { verify: (token: string) => ({ then: (resolve: (value: unknown) => void) => resolve(verifier.verify(token)) }) } as unknown as Verifier;
    const outcome = createBearerAuth<string>({ verifier: thenable }, PKG).authenticateNow('ctx', request(valid));
    expect(outcome).toBeInstanceOf(Promise);
    await expect(outcome).resolves.toMatchObject({ key: KID });
  });
});

describe('createBearerAuth: reject', () => {
  it('answers a token the application refused 401 invalid_token with its description, sanitized', () => {
    const error = auth().reject('unknown "user" – é');
    expect(error).toMatchObject({ status: 401, code: 'ERR_TOKEN_REJECTED', body: { error: 'invalid_token', error_description: "unknown 'user' ? ?" } });
  });
});

describe('createBearerAuth: configuration', () => {
  it.each([
    ['no options', undefined, /kms-jwt-test: needs an options object/],
    ['no verifier', {}, /kms-jwt-test: verifier is required/],
    ['an empty realm', { verifier, realm: '' }, /realm must be/],
    ['a realm with a line break', { verifier, realm: 'a\r\nb' }, /realm must be/],
    ['a negative retryAfterSeconds', { verifier, retryAfterSeconds: -1 }, /retryAfterSeconds/],
    ['a fractional retryAfterSeconds', { verifier, retryAfterSeconds: 1.5 }, /retryAfterSeconds/],
    ['a getToken that is not a function', { verifier, getToken: 'header' }, /getToken must be a function/],
    ['an isRevoked that is not a function', { verifier, isRevoked: true }, /isRevoked must be a function/],
  ])('throws AdapterConfigError (ERR_CONFIG_INVALID) at construction for %s', (_name, options, message) => {
    let thrown: unknown;
    try {
      createBearerAuth(options as unknown as BearerAuthOptions<unknown>, PKG);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AdapterConfigError);
    expect((thrown as AdapterConfigError).code).toBe('ERR_CONFIG_INVALID');
    expect((thrown as Error).message).toMatch(message);
  });

  it("throws the verifier's own configuration error for bad verifier options", () => {
    expect(() => createBearerAuth({ verifier: { keys: [], issuer: ISSUER } as never }, PKG)).toThrow(VerifierConfigError);
  });
});
