import { describe, expect, it } from 'vitest';
import { createVerifier, type JwtPayload, type VerifiedToken } from '../../src/index.js';
import { AdapterConfigError, claimRequirement, createBearerAuth, scopeRequirement, scopesOf, type ClaimRequirements } from '../../src/http/index.js';
import { AUDIENCE, ISSUER, keyPairFor, KID } from '../support/tokens.js';

const PKG = 'kms-jwt-test';
const pem = keyPairFor('ES256').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const auth = createBearerAuth({ verifier: createVerifier({ keys: [{ kid: KID, key: pem }], issuer: ISSUER, audience: AUDIENCE }) }, PKG);
const token = (payload: JwtPayload): VerifiedToken => ({ header: { alg: 'ES256', kid: KID }, payload, key: KID });

describe('scopesOf', () => {
  it.each([
    ['a space-separated scope', { scope: 'orders:read  orders:write' }, ['orders:read', 'orders:write']],
    ['an scp array', { scp: ['orders:read', 7, 'admin'] }, ['orders:read', 'admin']],
    ['a space-separated scp string', { scp: 'orders:read admin' }, ['orders:read', 'admin']],
    ['both, merged', { scope: 'a b', scp: ['b', 'c'] }, ['a', 'b', 'c']],
    ['a scope that is not a string', { scope: ['a'] }, []],
    ['no scope claim', {}, []],
  ])('reads %s', (_name, payload, scopes) => {
    expect([...scopesOf(payload)]).toEqual(scopes);
  });
});

describe('scopeRequirement', () => {
  const requirement = scopeRequirement(['orders:read', 'orders:write'], PKG);

  it('lets a token that grants every required scope through', () => {
    expect(auth.authorize(token({ scope: 'orders:write profile orders:read' }), requirement)).toBeUndefined();
  });

  it('answers a token missing one scope 403 insufficient_scope, listing the required scopes', () => {
    const error = auth.authorize(token({ scp: ['orders:read'] }), requirement);
    expect(error).toMatchObject({ status: 403, code: 'ERR_SCOPE_INSUFFICIENT', family: 'authorization', requiredScopes: ['orders:read', 'orders:write'] });
    expect(error?.headers).toEqual({
      'WWW-Authenticate': 'Bearer realm="api", error="insufficient_scope", error_description="the access token does not grant the scope this resource requires", scope="orders:read orders:write"',
    });
    expect(error?.body).toEqual({ error: 'insufficient_scope', error_description: 'the access token does not grant the scope this resource requires' });
  });

  it('answers a request that was not authenticated 401 with a bare challenge', () => {
    expect(auth.authorize(undefined, requirement)).toMatchObject({ status: 401, code: 'ERR_CREDENTIALS_MISSING', headers: { 'WWW-Authenticate': 'Bearer realm="api"' } });
  });

  it.each([
    ['no scopes', []],
    ['a scope with a space', ['orders read']],
    ['a scope with a quote', ['orders"read']],
    ['a scope that is not a string', [42]],
  ])('throws AdapterConfigError at construction for %s', (_name, scopes) => {
    expect(() => scopeRequirement(scopes as string[], PKG)).toThrow(AdapterConfigError);
  });
});

describe('claimRequirement', () => {
  const requirement = claimRequirement({ tenant: 'acme', roles: 'admin', email_verified: true, level: (value) => typeof value === 'number' && value >= 3 }, PKG);
  const good = { tenant: 'acme', roles: ['reader', 'admin'], email_verified: true, level: 4 };

  it('lets a token whose claims match (equal, contained in an array, or accepted by the predicate) through', () => {
    expect(auth.authorize(token(good), requirement)).toBeUndefined();
  });

  it.each([
    ['tenant', { ...good, tenant: 'other' }],
    ['roles', { ...good, roles: ['reader'] }],
    ['email_verified', { ...good, email_verified: 'true' }],
    ['level', { ...good, level: 2 }],
    ['tenant', { roles: 'admin', email_verified: true, level: 3 }],
  ])('answers a token whose %s claim does not match 403, naming the claim and not its value', (claim, payload) => {
    const error = auth.authorize(token(payload), requirement);
    expect(error).toMatchObject({ status: 403, code: 'ERR_CLAIM_MISMATCH', claim, body: { error: 'insufficient_scope' } });
    expect(error?.body.error_description).toBe(`the access token's ${claim} claim does not grant access to this resource`);
    expect(error?.headers['WWW-Authenticate']).not.toContain('scope="');
  });

  it('passes the predicate the whole payload too', () => {
    const sameTenant = claimRequirement({ tenant: (value, payload) => value === payload['home_tenant'] }, PKG);
    expect(auth.authorize(token({ tenant: 'a', home_tenant: 'a' }), sameTenant)).toBeUndefined();
    expect(auth.authorize(token({ tenant: 'a', home_tenant: 'b' }), sameTenant)?.code).toBe('ERR_CLAIM_MISMATCH');
  });

  it.each([
    ['an empty object', {}],
    ['null', null],
    ['an object expectation', { tenant: { is: 'acme' } }],
  ])('throws AdapterConfigError at construction for %s', (_name, claims) => {
    expect(() => claimRequirement(claims as unknown as ClaimRequirements, PKG)).toThrow(/^kms-jwt-test: requireClaims/);
  });
});
