import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenIssuer, DEV_AUDIENCE, DEV_CLIENTS, DEV_ISSUER, DEV_KEY_ALIAS, requestToken, startLocalIssuer, type LocalIssuer } from '../src/index.js';
import { startScript } from './start-script.js';

const ORDERS_APP = { id: 'orders-app', secret: 'orders-app-secret' };

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** POSTs a form to /token, with HTTP Basic credentials when given. */
async function postToken(url: string, form: Record<string, string>, basic?: { id: string; secret: string }): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers['authorization'] = `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString('base64')}`;
  const response = await fetch(`${url}/token`, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('the token issuer on kms-local', () => {
  let local: LocalIssuer;

  beforeAll(async () => {
    local = await startLocalIssuer();
  });
  afterAll(async () => {
    await local?.close();
  });

  it('issues an ES256 access token whose kid is the ARN of the key behind the alias, to a client using HTTP Basic', async () => {
    const answer = await postToken(local.url, { grant_type: 'client_credentials' }, ORDERS_APP);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'orders:read' });
    const token = String(answer.body['access_token']);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: local.keyArn });
    const claims = claimsOf(token);
    expect(claims).toMatchObject({ iss: DEV_ISSUER, aud: DEV_AUDIENCE, sub: 'orders-app', client_id: 'orders-app', scope: 'orders:read' });
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(900);
  });

  it('accepts client_id and client_secret in the form body', async () => {
    const answer = await postToken(local.url, { grant_type: 'client_credentials', client_id: 'profile-app', client_secret: 'profile-app-secret' });
    expect(answer.status).toBe(200);
    expect(claimsOf(String(answer.body['access_token']))).toMatchObject({ sub: 'profile-app', scope: 'profile' });
  });

  it('publishes a JWKS at /.well-known/jwks.json with which jose verifies the issued token', async () => {
    const { accessToken } = await requestToken(local.url, ORDERS_APP);
    const jwks = (await (await fetch(`${local.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    expect(jwks.keys.map((key) => key.kid)).toEqual([local.keyArn]);
    const { payload } = await jwtVerify(accessToken ?? '', createLocalJWKSet(jwks), { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: ['ES256'] });
    expect(payload.sub).toBe('orders-app');
  });

  it('grants a requested scope the client may have, and refuses one it may not with 400 invalid_scope', async () => {
    const granted = await requestToken(local.url, ORDERS_APP, 'orders:read');
    expect(granted.status).toBe(200);
    const refused = await requestToken(local.url, ORDERS_APP, 'orders:read orders:write');
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: 'invalid_scope', error_description: 'this client may not be granted orders:write' });
  });

  it('refuses a wrong secret with 401 invalid_client and a Basic challenge', async () => {
    const answer = await postToken(local.url, { grant_type: 'client_credentials' }, { id: 'orders-app', secret: 'guess' });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Basic realm="token-issuer"');
    expect(answer.body).toEqual({ error: 'invalid_client', error_description: 'unknown client or wrong secret' });
  });

  it('refuses an unknown client the same way as a wrong secret', async () => {
    const answer = await postToken(local.url, { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'orders-app-secret' });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'invalid_client', error_description: 'unknown client or wrong secret' });
  });

  it('refuses a request without client authentication with 401 invalid_client', async () => {
    const answer = await postToken(local.url, { grant_type: 'client_credentials' });
    expect(answer.status).toBe(401);
    expect(answer.body['error']).toBe('invalid_client');
  });

  it('refuses another grant type with 400 unsupported_grant_type', async () => {
    const answer = await postToken(local.url, { grant_type: 'password', username: 'u', password: 'p' }, ORDERS_APP);
    expect(answer.status).toBe(400);
    expect(answer.body['error']).toBe('unsupported_grant_type');
  });

  it('refuses credentials given both in the header and in the body with 400 invalid_request', async () => {
    const answer = await postToken(local.url, { grant_type: 'client_credentials', client_id: 'orders-app', client_secret: 'orders-app-secret' }, ORDERS_APP);
    expect(answer.status).toBe(400);
    expect(answer.body['error']).toBe('invalid_request');
  });

  it('answers 503 temporarily_unavailable with Retry-After while KMS cannot sign, and issues again once it can', async () => {
    const remove = local.kms.faults.inject({ type: 'unavailable', operations: ['Sign'] });
    let during: Answer;
    try {
      during = await postToken(local.url, { grant_type: 'client_credentials' }, ORDERS_APP);
    } finally {
      remove();
    }
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(during.body).toEqual({ error: 'temporarily_unavailable', error_description: 'KMS could not sign the token (ERR_KMS_UNAVAILABLE); retry later' });
    expect((await requestToken(local.url, ORDERS_APP)).status).toBe(200);
  });

  it('refuses options without any client at construction, naming the example', async () => {
    await expect(createTokenIssuer({ client: local.client, keyId: DEV_KEY_ALIAS, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, clients: [] })).rejects.toThrow(
      'kms-jwt-example-token-issuer: clients must list at least one client',
    );
  });

  it('fails to start when the signing key does not exist', async () => {
    await expect(createTokenIssuer({ client: local.client, keyId: 'alias/no-such-key', issuer: DEV_ISSUER, audience: DEV_AUDIENCE, clients: DEV_CLIENTS })).rejects.toMatchObject({
      code: 'ERR_KMS_KEY_NOT_FOUND',
    });
  });
});

describe('the start script (node dist/main.js)', () => {
  it('starts kms-local and the issuer on a free loopback port, issues a token, and exits 0 on SIGTERM', async () => {
    const script = startScript(fileURLToPath(new URL('../dist/main.js', import.meta.url)), { PORT: '0', KMS_JWT_KEY_ID: '' });
    try {
      const url = await script.waitFor(/token issuer listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const answer = await requestToken(url, ORDERS_APP);
      expect(answer.status).toBe(200);
      expect(script.output()).toContain('AWS_ENDPOINT_URL_KMS=http://127.0.0.1:');
    } finally {
      expect(await script.stop()).toBe(0);
    }
  });
});
