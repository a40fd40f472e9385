import { describe, expect, it } from 'vitest';
import { claimRequirement, scopeRequirement } from '../../src/http/index.js';

// Requirements on a verified token's claims (src/http/authorization.ts), called directly: only an
// explicit yes from a predicate lets a request through, and a configuration mistake says what to fix.

const PKG = 'kms-jwt-test';

describe('claim and scope requirements', () => {
  it.each([
    ['1', 1],
    ['a non-empty string', 'yes'],
    ['an object', {}],
  ])('refuses a token whose predicate answers %s rather than true', (_name, answer) => {
    const requirement = claimRequirement({ tenant: () => answer as unknown as boolean }, PKG);
    expect(requirement({ tenant: 'acme' })).toMatchObject({ status: 403, code: 'ERR_CLAIM_MISMATCH', claim: 'tenant' });
    expect(claimRequirement({ tenant: () => true }, PKG)({ tenant: 'acme' })).toBeUndefined();
  });

  it.each([
    ['a string instead of a list', 'orders:read'],
    ['an empty list', []],
    ['a scope with a backslash', ['orders\\read']],
    ['an empty scope', ['']],
    ['a good scope beside a bad one', ['orders:read', 'orders read']],
  ])('refuses %s of scopes, saying what a scope may hold', (_name, scopes) => {
    expect(() => scopeRequirement(scopes as unknown as string[], PKG)).toThrow(
      'kms-jwt-test: requireScopes needs one or more scopes, each a string of printable ASCII without spaces, quotes or backslashes',
    );
  });

  it('names the claim whose expectation is of no kind it takes', () => {
    expect(() => claimRequirement({ tenant: 'acme', level: null as unknown as number }, PKG)).toThrow(
      'kms-jwt-test: requireClaims: the expectation for claim level must be a string, number, boolean or predicate function',
    );
  });

  it('lets a token through only when it grants every required scope, the list copied at construction', () => {
    const scopes = ['orders:read', 'orders:write'];
    const requirement = scopeRequirement(scopes, PKG);
    scopes.pop();
    expect(requirement({ scope: 'orders:read' })).toMatchObject({ status: 403, code: 'ERR_SCOPE_INSUFFICIENT', requiredScopes: ['orders:read', 'orders:write'] });
    expect(requirement({ scope: 'orders:write orders:read' })).toBeUndefined();
  });

  it('refuses claims given as text, and takes numbers, booleans and strings as expectations', () => {
    expect(() => claimRequirement('tenant' as unknown as Record<string, string>, PKG)).toThrow('kms-jwt-test: requireClaims needs an object of one or more claim names and their expected values');
    const requirement = claimRequirement({ level: 3, admin: true, tenant: 'acme' }, PKG);
    expect(requirement({ level: 3, admin: true, tenant: 'acme' })).toBeUndefined();
    expect(requirement({ level: 3, admin: 'true', tenant: 'acme' })).toEqual({
      status: 403,
      error: 'insufficient_scope',
      code: 'ERR_CLAIM_MISMATCH',
      family: 'authorization',
      description: "the access token's admin claim does not grant access to this resource",
      claim: 'admin',
    });
  });
});
