/*
 * The behaviour every API example shares (express-api, koa-api, passport-api, fastify-api): run by
 * each of their tests against the API on loopback, trusting the token issuer's alias on kms-local.
 */
import type { RequestListener } from 'node:http';
import type { KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningKey, DEV_AUDIENCE, DEV_ISSUER, DEV_KEY_ALIAS, devToken, listen, startLocalIssuer, type LocalIssuer, type RunningServer } from '../src/index.js';
import { startScript } from './start-script.js';

/** How a suite builds the API under test. */
export interface OrdersApiUnderTest {
  /** As in its start script's output: `express API`, `Koa API`, `Passport API`. */
  readonly name: string;
  create(settings: { client: KMSClient; keyIds: readonly string[]; issuer: string; audience: string }): Promise<{ handler: RequestListener; close(): void }>;
  /** The built start script, `dist/main.js`. */
  readonly startScript: string;
}

interface Answer {
  readonly status: number;
  readonly challenge: string | null;
  readonly body: Record<string, unknown>;
}

async function get(url: string, token?: string): Promise<Answer> {
  const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as Record<string, unknown> };
}

const invalidToken = (description: string) => ({
  status: 401,
  challenge: `Bearer realm="orders-api", error="invalid_token", error_description="${description}"`,
  body: { error: 'invalid_token', error_description: description },
});

/** Replaces the payload with one that grants more, keeping the header and the signature. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: 'orders:read orders:write admin' })).toString('base64url')}.${signature}`;
}

export function describeOrdersApi(api: OrdersApiUnderTest): void {
  describe(`the ${api.name} on loopback, trusting the issuer's alias on kms-local`, () => {
    let local: LocalIssuer;
    let server: RunningServer;
    let close: () => void = () => undefined;
    let otherKeyArn: string;

    beforeAll(async () => {
      local = await startLocalIssuer();
      const created = await api.create({ client: local.client, keyIds: [DEV_KEY_ALIAS], issuer: DEV_ISSUER, audience: DEV_AUDIENCE });
      close = () => created.close();
      server = await listen(created.handler);
      otherKeyArn = await createSigningKey(local.client, { description: 'a key the API does not trust' });
    });
    afterAll(async () => {
      await server?.close();
      close();
      await local?.close();
    });

    /** A token signed through KMS like the issuer's, but by `keyId` and with the clock `nowMs`. */
    const signedBy = (keyId: string, nowMs: () => number = Date.now): Promise<string> =>
      createKmsJwtSigner({ client: local.client, keyId, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, expiresInSeconds: 300, nowMs }).sign({ sub: 'orders-app', scope: 'orders:read' });

    it('serves the public route without a token', async () => {
      expect(await get(`${server.url}/health`)).toEqual({ status: 200, challenge: null, body: { status: 'ok' } });
    });

    it('answers the authenticated route with the claims of a token from the issuer', async () => {
      const answer = await get(`${server.url}/me`, await devToken(local.url, 'profile-app'));
      expect(answer).toEqual({ status: 200, challenge: null, body: { sub: 'profile-app', scope: 'profile' } });
    });

    it('serves orders to a token from the issuer that grants orders:read', async () => {
      const answer = await get(`${server.url}/orders`, await devToken(local.url, 'orders-app'));
      expect(answer.status).toBe(200);
      expect(answer.body['sub']).toBe('orders-app');
      expect(answer.body['orders']).toHaveLength(2);
    });

    it('refuses orders to a valid token without orders:read with 403 insufficient_scope', async () => {
      const answer = await get(`${server.url}/orders`, await devToken(local.url, 'profile-app'));
      const description = 'the access token does not grant the scope this resource requires';
      expect(answer).toEqual({
        status: 403,
        challenge: `Bearer realm="orders-api", error="insufficient_scope", error_description="${description}", scope="orders:read"`,
        body: { error: 'insufficient_scope', error_description: description },
      });
    });

    it('asks for credentials with a bare Bearer challenge when no token is sent', async () => {
      const answer = await get(`${server.url}/me`);
      expect(answer).toEqual({ status: 401, challenge: 'Bearer realm="orders-api"', body: { error: 'unauthorized', error_description: 'an access token is required' } });
    });

    it('refuses a token whose payload was changed after signing', async () => {
      const answer = await get(`${server.url}/orders`, tamper(await devToken(local.url, 'profile-app')));
      expect(answer).toEqual(invalidToken('the access token signature is invalid'));
    });

    it('refuses an expired token', async () => {
      const answer = await get(`${server.url}/orders`, await signedBy(DEV_KEY_ALIAS, () => Date.now() - 600_000));
      expect(answer).toEqual(invalidToken('the access token expired (exp)'));
    });

    it('refuses a token signed by a KMS key it does not trust, without calling KMS', async () => {
      const token = await signedBy(otherKeyArn);
      const callsBefore = local.kms.callCount();
      const answer = await get(`${server.url}/orders`, token);
      expect(answer).toEqual(invalidToken('the access token was not signed by a trusted key'));
      expect(local.kms.callCount()).toBe(callsBefore);
    });
  });

  describe(`the ${api.name} start script (node dist/main.js)`, () => {
    it('starts kms-local, the issuer and the API on free loopback ports, serves orders to an issued token, and exits 0 on SIGTERM', async () => {
      const script = startScript(api.startScript, { PORT: '0', KMS_JWT_KEY_ID: '' });
      try {
        const issuerUrl = await script.waitFor(/token issuer listening on (http:\/\/127\.0\.0\.1:\d+)/);
        const apiUrl = await script.waitFor(new RegExp(`${api.name} listening on (http://127\\.0\\.0\\.1:\\d+)`));
        expect((await get(`${apiUrl}/orders`)).status).toBe(401);
        expect((await get(`${apiUrl}/orders`, await devToken(issuerUrl, 'orders-app'))).status).toBe(200);
      } finally {
        expect(await script.stop()).toBe(0);
      }
    });
  });
}
