import { describe, expect, it } from 'vitest';
import { authTokenOf } from '../../src/http/auth-token.js';
import { AdapterConfigError, createJwksResponder, HttpAuthError, RevocationCheckUnavailableError, type JwksSource } from '../../src/http/index.js';
import { classifyKmsEndpoint, isLoopbackHost } from '../../src/kms-endpoint/index.js';
import type { VerifiedToken } from '../../src/index.js';
import { KID } from '../support/tokens.js';

// The HTTP layer's small parts called directly: its error classes carry no cause they were not given
// and their own names, authTokenOf, the JWKS route's configuration errors, and loopback told only
// from a whole loopback host.

const PKG = 'kms-jwt-test';
const response = { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="api"' }, body: { error: 'invalid_token', error_description: 'the token expired' } } as const;

describe('the HTTP error classes', () => {
  it('carry no cause they were not given', () => {
    const error = new HttpAuthError({ ...response, code: 'ERR_JWT_EXPIRED', family: 'claims' });
    expect(error.message).toBe('the token expired');
    expect(error.name).toBe('HttpAuthError');
    expect('cause' in error).toBe(false);
  });

  it('carry the cause, claim and required scopes they were given', () => {
    const cause = new Error('why');
    const error = new HttpAuthError({ ...response, status: 403, code: 'ERR_SCOPE_INSUFFICIENT', family: 'authorization', cause, claim: 'tenant', requiredScopes: ['a'] });
    expect(error).toMatchObject({ status: 403, statusCode: 403, cause, claim: 'tenant', requiredScopes: ['a'], expose: true });
  });

  it('name themselves', () => {
    expect(new AdapterConfigError(PKG, 'realm must be a string')).toMatchObject({ name: 'AdapterConfigError', message: 'kms-jwt-test: realm must be a string', code: 'ERR_CONFIG_INVALID' });
    const cause = new Error('redis is down');
    expect(new RevocationCheckUnavailableError('the revocation list is stale', { cause })).toMatchObject({
      name: 'RevocationCheckUnavailableError',
      message: 'the revocation list is stale',
      code: 'ERR_REVOCATION_CHECK_UNAVAILABLE',
      family: 'infrastructure',
      status: 503,
      cause,
    });
  });
});

describe('authTokenOf', () => {
  const verified: VerifiedToken = { header: { alg: 'ES256', kid: KID }, payload: { sub: 'user-1' }, key: KID };

  it('joins a verified token and the raw token the request sent, frozen', () => {
    const token = authTokenOf(verified, { rawToken: 'a.b.c' });
    expect(token).toEqual({ header: verified.header, payload: verified.payload, key: KID, token: 'a.b.c' });
    expect(Object.isFrozen(token)).toBe(true);
  });

  it('answers undefined without a verified token or without a raw one', () => {
    expect(authTokenOf(undefined, { rawToken: 'a.b.c' })).toBeUndefined();
    expect(authTokenOf(verified, { rawToken: undefined })).toBeUndefined();
    expect(authTokenOf(verified, undefined)).toBeUndefined();
  });
});

describe('the JWKS route configuration', () => {
  it('says what it needs', () => {
    expect(() => createJwksResponder({} as JwksSource, {}, PKG)).toThrow('kms-jwt-test: jwksHandler needs a key provider with exportJwks() (kms-pubkey-provider)');
    expect(() => createJwksResponder({ exportJwks: () => ({ keys: [] }) }, { cacheMaxAgeSeconds: 1.5 }, PKG)).toThrow('kms-jwt-test: cacheMaxAgeSeconds must be an integer >= 0');
  });
});

describe('loopback hosts', () => {
  it.each(['a127.0.0.1', '127.0.0.1.attacker.example', '127.0.0.1x', '1127.0.0.1'])('takes %s for no loopback host', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('refuses plain HTTP to a host named like a loopback address, and any other protocol to loopback', () => {
    expect(classifyKmsEndpoint('http://127.0.0.1.attacker.example')).toBe('insecure');
    expect(classifyKmsEndpoint('ftp://127.0.0.1')).toBe('insecure');
    expect(classifyKmsEndpoint('ws://localhost:4599')).toBe('insecure');
  });
});
