import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, REALM } from './support/apps.js';
import { listen, send, type RequestHeaders, type Running } from './support/http.js';
import { startKmsWorld, type KmsWorld, type Tokens } from './support/kms.js';

/** One row of the contract: a request, and the exact status, challenge, Retry-After and JSON body every adapter answers. */
interface Row {
  readonly name: string;
  readonly path: string;
  readonly headers: (tokens: Tokens) => RequestHeaders;
  /** Appended to the path (the token of the "two places" row). */
  readonly query?: (tokens: Tokens) => string;
  readonly status: number;
  readonly challenge: string | undefined;
  readonly retryAfter?: string;
  readonly body: unknown;
}

const bearer = (token: string): RequestHeaders => ({ authorization: `Bearer ${token}` });
const invalidToken = (description: string) => ({
  status: 401,
  challenge: `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
  body: { error: 'invalid_token', error_description: description },
});
const invalidRequest = (description: string) => ({
  status: 400,
  challenge: `Bearer realm="${REALM}", error="invalid_request", error_description="${description}"`,
  body: { error: 'invalid_request', error_description: description },
});
const missing = { status: 401, challenge: `Bearer realm="${REALM}"`, body: { error: 'unauthorized', error_description: 'an access token is required' } };

/** Replaces the payload with one that claims more, keeping the header and the signature. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'orders:read orders:write admin' })).toString('base64url');
  return `${header}.${forged}.${signature}`;
}

const malformedBearer = invalidRequest("the Authorization header must be 'Bearer' followed by exactly one token (RFC 6750 token68 characters)");

const ROWS: readonly Row[] = [
  { name: 'valid: a token of the key the alias now names (after rotation)', path: '/orders', headers: (t) => bearer(t.current), status: 200, challenge: undefined, body: { sub: 'user-1' } },
  { name: 'valid: a token of the key the alias left, within the grace window', path: '/orders', headers: (t) => bearer(t.previous), status: 200, challenge: undefined, body: { sub: 'user-1' } },
  { name: 'valid: the Bearer scheme in lower case', path: '/orders', headers: (t) => ({ authorization: `bearer ${t.current}` }), status: 200, challenge: undefined, body: { sub: 'user-1' } },
  { name: 'expired', path: '/orders', headers: (t) => bearer(t.expired), ...invalidToken('the access token expired (exp)') },
  { name: 'tampered payload', path: '/orders', headers: (t) => bearer(tamper(t.current)), ...invalidToken('the access token signature is invalid') },
  { name: 'untrusted kid', path: '/orders', headers: (t) => bearer(t.untrusted), ...invalidToken('the access token was not signed by a trusted key') },
  { name: 'missing credentials', path: '/orders', headers: () => ({}), ...missing },
  { name: 'another scheme (Basic): no Bearer credentials', path: '/orders', headers: () => ({ authorization: 'Basic dXNlcjpwYXNz' }), ...missing },
  { name: 'malformed header: two tokens', path: '/orders', headers: (t) => ({ authorization: `Bearer ${t.current} ${t.current}` }), ...malformedBearer },
  { name: 'malformed header: no token', path: '/orders', headers: () => ({ authorization: 'Bearer' }), ...malformedBearer },
  {
    name: 'two Authorization headers',
    path: '/orders',
    headers: (t) => ({ authorization: [`Bearer ${t.current}`, `Bearer ${t.current}`] }),
    // kms-jwt-hono reads Node's header lines too (@hono/node-server's c.env.incoming), not the Fetch API's joined value.
    ...invalidRequest('the request has more than one Authorization header'),
  },
  {
    name: 'token in two places (header and query)',
    path: '/orders',
    headers: (t) => bearer(t.current),
    query: (t) => `?access_token=${t.current}`,
    ...invalidRequest('the access token was sent in more than one place (the Authorization header, the access_token query parameter); send it once'),
  },
  {
    name: 'insufficient scope',
    path: '/orders/write',
    headers: (t) => bearer(t.current),
    status: 403,
    challenge: `Bearer realm="${REALM}", error="insufficient_scope", error_description="the access token does not grant the scope this resource requires", scope="orders:write"`,
    body: { error: 'insufficient_scope', error_description: 'the access token does not grant the scope this resource requires' },
  },
  { name: 'revoked', path: '/orders', headers: (t) => bearer(t.revoked), ...invalidToken('the access token was revoked') },
  {
    name: 'key source down with nothing cached',
    path: '/cold/orders',
    headers: (t) => bearer(t.current),
    status: 503,
    challenge: undefined,
    retryAfter: '5',
    body: { error: 'temporarily_unavailable', error_description: 'the keys that verify access tokens are unavailable; retry later' },
  },
];

let world: KmsWorld;
beforeAll(async () => {
  world = await startKmsWorld();
});
afterAll(async () => {
  await world?.close();
});

describe.each(ADAPTERS)('$name', (adapter) => {
  let server: Running;
  beforeAll(async () => {
    server = await listen(adapter.app({ verifier: world.verifier, coldVerifier: world.coldVerifier, provider: world.provider, isRevoked: (token) => world.revoked.has(String(token.payload.jti)) }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(ROWS)('answers $name with $status', async (row) => {
    const { tokens } = world;
    const reply = await send(`${server.url}${row.path}${row.query?.(tokens) ?? ''}`, row.headers(tokens));
    expect(reply.status).toBe(row.status);
    expect(reply.headers['www-authenticate']).toBe(row.challenge);
    expect(reply.headers['retry-after']).toBe(row.retryAfter);
    expect(reply.json).toEqual(row.body);
    for (const token of Object.values(tokens)) expect(reply.text.includes(token), 'the answer echoes a token').toBe(false);
  });
});
