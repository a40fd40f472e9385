import { describe, expect, it } from 'vitest';
import { createVerifier, KeySourceUnavailableError, type KeyResolver } from '../../src/index.js';
import { AdapterConfigError, createBearerAuth, HttpAuthError, type BearerAuthOptions, type RawTokenSink } from '../../src/http/index.js';
import { toHttpAuthError } from '../../src/http/challenge.js';
import { AUDIENCE, claims, ISSUER, keyPairFor, KID, NOW, rejection, signToken } from '../support/tokens.js';

// createBearerAuth's option checks and answers at their edges (http/bearer-auth.ts, http/challenge.ts):
// what each bad option is told, the raw token handed to the sink, the family of each answer, and
// the challenge and description texts RFC 6750 allows.

const PKG = 'kms-jwt-test';
const pair = keyPairFor('ES256');
const verifierOptions = { keys: [{ kid: KID, key: pair.publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 };
const verifier = createVerifier(verifierOptions);
const valid = signToken('ES256', pair.privateKey, claims());
const request = (authorization: string) => ({ headersDistinct: { authorization: [authorization] } });

function configError(options: unknown): string {
  try {
    createBearerAuth(options as BearerAuthOptions<string>, PKG);
  } catch (error) {
    expect(error).toBeInstanceOf(AdapterConfigError);
    return (error as Error).message;
  }
  throw new Error('createBearerAuth accepted the options');
}

describe('createBearerAuth: options', () => {
  it('refuses null options, and a null verifier, naming what is needed', () => {
    expect(configError(null)).toBe(`${PKG}: needs an options object with a verifier`);
    expect(configError({ verifier: null })).toBe(`${PKG}: verifier is required: a verifier from createVerifier, or its options`);
  });

  it('refuses a realm that is not a string, even one whose text would pass', () => {
    expect(configError({ verifier, realm: 5 })).toBe(`${PKG}: realm must be a non-empty string of printable ASCII`);
  });

  it('takes retryAfterSeconds 0 and sends it in Retry-After', async () => {
    const down: KeyResolver = {
      resolve: () => {
        throw new KeySourceUnavailableError('the key source is down');
      },
    };
    const auth = createBearerAuth<string>({ verifier: createVerifier({ ...verifierOptions, keys: down }), retryAfterSeconds: 0 }, PKG);
    const error = await rejection(auth.authenticate('ctx', request(`Bearer ${valid}`)));
    expect(error).toBeInstanceOf(HttpAuthError);
    expect(error).toMatchObject({ status: 503, headers: { 'Retry-After': '0' } });
  });
});

describe('createBearerAuth: answers', () => {
  it('hands the raw token to the sink', async () => {
    const sink: RawTokenSink = { rawToken: undefined };
    await createBearerAuth<string>({ verifier }, PKG).authenticate('ctx', request(`Bearer ${valid}`), sink);
    expect(sink.rawToken).toBe(valid);
  });

  it('answers an Authorization header it cannot read 400 invalid_request, of the request family', async () => {
    const error = await rejection(createBearerAuth<string>({ verifier }, PKG).authenticate('ctx', request('Bearer a b')));
    expect(error).toMatchObject({ status: 400, code: 'ERR_REQUEST_INVALID', family: 'request' });
  });

  it('answers a token the application rejects 401 invalid_token, of the token family', () => {
    expect(createBearerAuth<string>({ verifier }, PKG).reject('the account is suspended')).toMatchObject({ status: 401, code: 'ERR_TOKEN_REJECTED', family: 'token' });
  });
});

describe('the challenge', () => {
  it('writes a backslash in a description as a slash, and a double quote as a single one', () => {
    const error = createBearerAuth<string>({ verifier }, PKG).reject('bad \\ "value"');
    expect(error.body.error_description).toBe("bad / 'value'");
    expect(error.headers['WWW-Authenticate']).toBe(`Bearer realm="api", error="invalid_token", error_description="bad / 'value'"`);
  });

  it('leaves the scope parameter out when no scope is required', () => {
    const settings = { realm: 'api', retryAfterSeconds: 5, debug: false };
    const forbidden = { status: 403, error: 'insufficient_scope', code: 'ERR_SCOPE_INSUFFICIENT', family: 'authorization', description: 'more is needed' } as const;
    expect(toHttpAuthError({ ...forbidden, requiredScopes: [] }, settings).headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="more is needed"',
    );
    expect(toHttpAuthError({ ...forbidden, requiredScopes: ['orders:read', 'orders:write'] }, settings).headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="more is needed", scope="orders:read orders:write"',
    );
  });
});
