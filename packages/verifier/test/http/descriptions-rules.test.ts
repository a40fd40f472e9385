import { describe, expect, it } from 'vitest';
import { KmsJwtError, type KmsJwtErrorCode, type KmsJwtErrorFamily } from '../../src/errors.js';
import { createBearerAuth, HttpAuthError, RevocationCheckUnavailableError } from '../../src/http/index.js';
import type { VerifiedToken, Verifier } from '../../src/index.js';
import { verifierFailure } from '../../src/http/challenge.js';

// What a client is told for each failure when `debug` is off: a fixed text per error code, the same
// in the JSON body and in the WWW-Authenticate challenge. These texts are part of the API (clients
// and dashboards match on them), and they must never carry the verifier's own message, which can
// name keys, issuers and expected values.

/** An error of any code, with a message that must never reach the client. */
class AnyError extends KmsJwtError {
  constructor(
    readonly code: KmsJwtErrorCode,
    readonly status: 401 | 503 | 500,
    readonly family: KmsJwtErrorFamily = 'token',
  ) {
    super('the verifier expected arn:aws:kms:eu-west-1:111122223333:key/secret-detail');
  }
}

const TOKEN_TEXTS: readonly (readonly [KmsJwtErrorCode, string])[] = [
  ['ERR_TOKEN_MALFORMED', 'the access token is malformed'],
  ['ERR_TOKEN_TOO_LARGE', 'the access token is too large'],
  ['ERR_JWS_HEADER_UNSUPPORTED', 'the access token header is not accepted'],
  ['ERR_ALG_NOT_ALLOWED', 'the access token algorithm is not accepted'],
  ['ERR_JWS_SIGNATURE_INVALID', 'the access token signature is invalid'],
  ['ERR_JWS_SIGNATURE_HIGH_S', 'the access token signature is not in canonical form'],
  ['ERR_KID_MISSING', 'the access token names no signing key'],
  ['ERR_KID_UNTRUSTED', 'the access token was not signed by a trusted key'],
  ['ERR_JWT_EXPIRED', 'the access token expired'],
  ['ERR_JWT_NOT_YET_VALID', 'the access token is not valid yet'],
  ['ERR_JWT_ISSUED_IN_FUTURE', 'the access token was issued in the future'],
  ['ERR_JWT_TOO_OLD', 'the access token is too old'],
  ['ERR_JWT_LIFETIME_TOO_LONG', 'the access token lifetime is too long'],
  ['ERR_JWT_CLAIM_MISSING', 'the access token lacks a required claim'],
  ['ERR_JWT_CLAIM_INVALID', 'the access token has an invalid claim'],
  ['ERR_TOKEN_IS_MESSAGE', 'the access token is a signed message, not an access token'],
  ['ERR_MESSAGE_TYPE_INVALID', 'the signed message is not of the message type'],
  ['ERR_MESSAGE_REPLAYED', 'the signed message was seen before'],
];

const UNAVAILABLE_TEXTS: readonly (readonly [KmsJwtErrorCode, string])[] = [
  ['ERR_KEY_SOURCE_UNAVAILABLE', 'the keys that verify access tokens are unavailable; retry later'],
  ['ERR_REPLAY_CHECK_UNAVAILABLE', 'the replay check is unavailable; retry later'],
  ['ERR_JWKS_INVALID', 'the keys that verify access tokens are unavailable; retry later'],
];

const SERVER_TEXTS: readonly (readonly [KmsJwtErrorCode, string])[] = [
  ['ERR_CONFIG_INVALID', 'the server cannot verify access tokens'],
  ['ERR_ALG_UNSUPPORTED_BY_RUNTIME', 'the server cannot verify access tokens'],
  ['ERR_SIGNATURE_CHECK_UNAVAILABLE', 'the server cannot verify access tokens'],
];

describe('the description a client is told for each verifier error (debug off)', () => {
  it.each(TOKEN_TEXTS)('%s: %s', (code, text) => {
    const failure = verifierFailure(new AnyError(code, 401), false);
    expect(failure).toMatchObject({ status: 401, error: 'invalid_token', code, description: text });
  });

  it.each(UNAVAILABLE_TEXTS)('%s: %s (503)', (code, text) => {
    const failure = verifierFailure(new AnyError(code, 503, 'infrastructure'), false);
    expect(failure).toMatchObject({ status: 503, error: 'temporarily_unavailable', code, description: text });
  });

  it.each(SERVER_TEXTS)('%s: %s', (code, text) => {
    expect(verifierFailure(new AnyError(code, 500, 'config'), false).description).toBe(text);
  });

  it('has a text for every code, none of which repeats the verifier message', () => {
    const codes = [...TOKEN_TEXTS, ...UNAVAILABLE_TEXTS, ...SERVER_TEXTS].map(([code]) => code);
    expect(new Set(codes).size).toBe(24);
    for (const code of codes) {
      const { description } = verifierFailure(new AnyError(code, 401), false);
      expect(description).toMatch(/^the [a-z ,;]+$/);
      expect(description).not.toContain('arn:');
    }
  });
});

describe('the HTTP layer’s own descriptions', () => {
  const token = { header: { alg: 'ES256', kid: 'k' }, payload: { sub: 's' }, key: { keyArn: 'k' }, token: 'a.b.c' } as unknown as VerifiedToken;
  const verifier = { verify: async () => token } as unknown as Verifier;
  const request = { headers: { authorization: 'Bearer abc.def.ghi' } };

  async function failureOf(isRevoked: () => boolean | Promise<boolean>): Promise<HttpAuthError> {
    const auth = createBearerAuth({ verifier, isRevoked }, 'kms-jwt-test');
    const outcome = await auth.authenticate(request, request).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(HttpAuthError);
    return outcome as HttpAuthError;
  }

  it('tells a revoked token so', async () => {
    const error = await failureOf(() => true);
    expect(error).toMatchObject({ status: 401, code: 'ERR_TOKEN_REVOKED', family: 'token', body: { error: 'invalid_token', error_description: 'the access token was revoked' } });
  });

  it('tells a revocation store that cannot answer to retry later, not what the store said', async () => {
    const error = await failureOf(() => Promise.reject(new RevocationCheckUnavailableError('redis at 10.0.0.7:6379 refused', { cause: new Error('ECONNREFUSED') })));
    expect(error).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable', error_description: 'whether the access token was revoked is unknown; retry later' } });
  });
});
