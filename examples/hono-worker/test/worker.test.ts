import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { Miniflare } from 'miniflare';
import { rolldown } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The Worker in workerd (miniflare), bundled as a Workers build bundles it (the workerd condition)
 * and configured as wrangler.toml says, trusting the JWKS of a kms-local key given as TRUSTED_JWKS:
 * tokens signed through KMS Sign by kms-jwt-signer, real HTTP requests on 127.0.0.1.
 */

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ISSUER = 'https://token-issuer.example';
const AUDIENCE = 'orders-api';

/** wrangler.toml's compatibility date; the tests hold the Worker to the configuration it deploys with. */
function wranglerConfig(): { compatibilityDate: string; flags: boolean } {
  const toml = readFileSync(`${ROOT}wrangler.toml`, 'utf8');
  const date = /^compatibility_date = "(\d{4}-\d{2}-\d{2})"$/m.exec(toml)?.[1];
  if (date === undefined) throw new Error('wrangler.toml has no compatibility_date');
  return { compatibilityDate: date, flags: /^compatibility_flags/m.test(toml) };
}

async function bundle(): Promise<string> {
  const build = await rolldown({ input: `${ROOT}src/worker.ts`, platform: 'browser', resolve: { conditionNames: ['workerd', 'worker', 'browser', 'import', 'default'] }, logLevel: 'silent' });
  try {
    const { output } = await build.generate({ format: 'esm', codeSplitting: false });
    const [chunk] = output;
    if (chunk?.type !== 'chunk') throw new Error('no chunk');
    return chunk.code;
  } finally {
    await build.close();
  }
}

describe('examples/hono-worker in workerd', () => {
  let kms: KmsLocal;
  let client: KMSClient;
  let miniflare: Miniflare;
  let url: URL;
  const tokens: Record<'reader' | 'noScope' | 'expired' | 'otherKey' | 'tampered', string> = { reader: '', noScope: '', expired: '', otherKey: '', tampered: '' };
  let code: string;

  beforeAll(async () => {
    kms = await startKmsLocal({ host: '127.0.0.1', port: 0, onError: () => undefined });
    client = new KMSClient(kms.clientConfig);
    const createKey = async () => (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
    await client.send(new CreateAliasCommand({ AliasName: 'alias/token-issuer', TargetKeyId: await createKey() }));

    // What `kms-jwt jwks --alias alias/token-issuer` exports at deploy time.
    const provider = createKmsKeyProvider({ client, keys: ['alias/token-issuer'] });
    await provider.ready();
    const jwks = JSON.stringify(provider.exportJwks());
    provider.close();

    const signer = createKmsJwtSigner({ keyId: 'alias/token-issuer', client, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE });
    const now = Math.floor(Date.now() / 1000);
    tokens.reader = await signer.sign({ sub: 'user-1', scope: 'orders:read profile' });
    tokens.noScope = await signer.sign({ sub: 'user-2', scope: 'profile' });
    tokens.expired = await signer.sign({ sub: 'user-1', scope: 'orders:read', iat: now - 600, exp: now - 60 });
    tokens.otherKey = await createKmsJwtSigner({ keyId: await createKey(), client, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE }).sign({ sub: 'user-1', scope: 'orders:read' });
    const [header, , signature] = tokens.noScope.split('.');
    tokens.tampered = `${header}.${Buffer.from(JSON.stringify({ sub: 'user-2', scope: 'orders:read', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300 })).toString('base64url')}.${signature}`;

    code = await bundle();
    const config = wranglerConfig();
    expect(config.flags).toBe(false);
    miniflare = new Miniflare({
      modulesRoot: ROOT,
      modules: [{ type: 'ESModule', path: `${ROOT}worker.mjs`, contents: code }],
      compatibilityDate: config.compatibilityDate,
      bindings: { TRUSTED_JWKS: jwks, ISSUER, AUDIENCE },
      host: '127.0.0.1',
      port: 0,
    });
    url = await miniflare.ready;
  });

  afterAll(async () => {
    await miniflare?.dispose();
    client?.destroy();
    await kms?.close();
  });

  const get = (path: string, token?: string) => fetch(new URL(path, url), { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  it('bundles without Node.js built-ins: it runs without nodejs_compat', () => {
    expect(code).not.toMatch(/\b(?:from|import)\s*\(?\s*["'](?:node:)?(?:crypto|buffer|fs)["']/);
  });

  it('answers /health without a token', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /me and /orders to a valid token with the orders:read scope', async () => {
    const me = await get('/me', tokens.reader);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'user-1', scope: 'orders:read profile' });
    const orders = await get('/orders', tokens.reader);
    expect(orders.status).toBe(200);
    expect(((await orders.json()) as { orders: unknown[] }).orders).toHaveLength(2);
  });

  it('answers 401 with a bare challenge without a token', async () => {
    const response = await get('/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orders-api"');
  });

  it.each([
    ['a tampered token', 'tampered', 'the access token signature is invalid'],
    ['an expired token', 'expired', 'the access token expired (exp)'],
    ['a token signed by a key the API does not trust', 'otherKey', 'the access token was not signed by a trusted key'],
  ] as const)('answers 401 invalid_token to %s', async (_name, which, description) => {
    const response = await get('/me', tokens[which]);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="orders-api", error="invalid_token", error_description="${description}"`);
    expect(await response.json()).toEqual({ error: 'invalid_token', error_description: description });
  });

  it('answers 403 insufficient_scope to a valid token without orders:read', async () => {
    const response = await get('/orders', tokens.noScope);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="orders-api", error="insufficient_scope".*scope="orders:read"/);
  });
});
