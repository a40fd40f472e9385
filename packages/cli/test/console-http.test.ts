import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { DisableKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import type { KmsLocal } from 'kms-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlias, createKey, kmsClient, startConsole, type ConsoleProcess } from './console-support.js';
import { serveJwks } from './jwks-server.js';
import { ensureBuilt, runKmsJwt, scratchDir, startKms } from './support.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request to the console with exactly these headers (Host included), as a foreign page or a script could send it. */
function send(consoleUrl: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(consoleUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('kms-jwt console: the HTTP API answers only its own page', () => {
  let kms: KmsLocal;
  let client: KMSClient;
  let consoleProcess: ConsoleProcess;
  let session = '';
  let configuredKey = '';
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
    ({ kms } = await startKms());
    client = kmsClient(kms);
    await createAlias(client, 'alias/console-http', await createKey(client));
    configuredKey = await createKey(client);
    consoleProcess = await startConsole(['--alias', 'alias/console-http', '--key', configuredKey, '--endpoint', kms.endpoint, '--region', kms.region], dir);
    const page = await send(consoleProcess.url, 'GET', '/', { host: consoleProcess.host });
    session = /name="kms-jwt-console-session" content="([A-Za-z0-9_-]+)"/.exec(page.body)?.[1] ?? '';
  }, 60_000);
  afterAll(async () => {
    await consoleProcess?.stop();
    client?.destroy();
    await kms?.close();
    await remove();
  });

  const own = (): Record<string, string> => ({ host: consoleProcess.host, origin: `http://${consoleProcess.host}`, 'x-kms-jwt-console-session': session, 'content-type': 'application/json' });
  const verifyBody = JSON.stringify({ token: 'a.b.c' });

  it('serves the page with a strict Content-Security-Policy, no-store and no-referrer, and a session secret', async () => {
    const page = await send(consoleProcess.url, 'GET', '/', { host: consoleProcess.host });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only its own files: no script, style or font from anywhere else.
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = await send(consoleProcess.url, 'GET', '/js/main.js', { host: consoleProcess.host });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('answers the API from its own page: state, and a verdict for a token in the body', async () => {
    const state = await send(consoleProcess.url, 'GET', '/api/state', own());
    expect(state.status).toBe(200);
    expect(JSON.parse(state.body)).toMatchObject({ aliases: [{ alias: 'alias/console-http' }] });
    const verdict = await send(consoleProcess.url, 'POST', '/api/verify', own(), verifyBody);
    expect(verdict.status).toBe(200);
    expect(JSON.parse(verdict.body)).toMatchObject({ valid: false, error: { family: 'token' } });
  });

  it('refuses a foreign Host (DNS rebinding), a foreign Origin, a cross-site fetch and a missing session', async () => {
    const rebound = { ...own(), host: `attacker.example:${new URL(consoleProcess.url).port}` };
    expect((await send(consoleProcess.url, 'GET', '/', { host: rebound.host })).status).toBe(421);
    expect((await send(consoleProcess.url, 'GET', '/api/state', rebound)).status).toBe(421);
    expect((await send(consoleProcess.url, 'POST', '/api/verify', rebound, verifyBody)).status).toBe(421);
    expect((await send(consoleProcess.url, 'POST', '/api/verify', { ...own(), origin: 'https://attacker.example' }, verifyBody)).status).toBe(403);
    expect((await send(consoleProcess.url, 'POST', '/api/verify', { ...own(), origin: 'null' }, verifyBody)).status).toBe(403);
    expect((await send(consoleProcess.url, 'POST', '/api/verify', { ...own(), 'sec-fetch-site': 'cross-site' }, verifyBody)).status).toBe(403);
    const { origin: _origin, ...noOrigin } = own();
    expect((await send(consoleProcess.url, 'POST', '/api/verify', noOrigin, verifyBody)).status).toBe(403);
    const { 'x-kms-jwt-console-session': _session, ...noSession } = own();
    expect((await send(consoleProcess.url, 'GET', '/api/state', noSession)).status).toBe(403);
    expect((await send(consoleProcess.url, 'POST', '/api/verify', { ...own(), 'x-kms-jwt-console-session': 'guessed' }, verifyBody)).status).toBe(403);
    // A token in the URL is not an API: only the body is read.
    expect((await send(consoleProcess.url, 'GET', '/api/verify?token=a.b.c', own())).status).toBe(404);
    expect((await send(consoleProcess.url, 'GET', '/../package.json', { host: consoleProcess.host })).status).toBe(404);
    // The console's stderr reaches this process on its own pipe, maybe after the answer.
    await expect.poll(() => consoleProcess.output(), { timeout: 10_000 }).toContain('refused POST /api/verify: foreign Origin');
    // A path that is not the console's own is not logged: it could be a token typed into the address bar.
    expect((await send(consoleProcess.url, 'GET', '/eyJhbGciOiJFUzI1NiJ9.e30.c2ln', { host: rebound.host })).status).toBe(421);
    await expect.poll(() => consoleProcess.output(), { timeout: 10_000 }).toContain('refused GET (another path): foreign Host');
    expect(consoleProcess.output()).not.toContain('eyJhbGciOiJFUzI1NiJ9');
  });

  it('shows a configured key as configured, with the key state KMS reports now (Disabled after DisableKey)', async () => {
    await client.send(new DisableKeyCommand({ KeyId: configuredKey }));
    const state = JSON.parse((await send(consoleProcess.url, 'GET', '/api/state', own())).body) as { keys: { keyArn: string; keyState: string; reasons: { kind: string }[] }[] };
    expect(state.keys.find((key) => key.keyArn === configuredKey)).toMatchObject({ keyState: 'Disabled', reasons: [{ kind: 'configured' }] });
  });

  it('shows offline keys (--jwks) as offline, with no KMS state', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555';
    const jwks = join(dir, 'offline-jwks.json');
    await writeFile(jwks, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] }));
    const offline = await startConsole(['--jwks', jwks], dir);
    try {
      const page = await send(offline.url, 'GET', '/', { host: offline.host });
      const secret = /name="kms-jwt-console-session" content="([A-Za-z0-9_-]+)"/.exec(page.body)?.[1] ?? '';
      const state = JSON.parse((await send(offline.url, 'GET', '/api/state', { host: offline.host, 'x-kms-jwt-console-session': secret })).body) as unknown;
      expect(state).toMatchObject({ where: 'offline keys', keys: [{ keyArn: kid, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'], keyState: null, reasons: [{ kind: 'offline' }], lastConfirmedMs: null }], aliases: [], fleet: null });
    } finally {
      expect(await offline.stop()).toBe(0);
    }
  });

  it('trusts the allowlisted keys of a --jwks-url: lists them with source jwks and verifies a token against them', async () => {
    const listed = await createKey(client);
    const notAllowed = await createKey(client);
    const signer = (keyId: string) => createKmsJwtSigner({ keyId, client, expiresInSeconds: 900, issuer: 'https://issuer.example', audience: 'orders-api' });
    const token = await signer(listed).sign({ sub: 'user-42' });
    const tokenOfNotAllowed = await signer(notAllowed).sign({ sub: 'user-7' });
    const exported = await runKmsJwt(['jwks', '--key', listed, '--key', notAllowed, '--endpoint', kms.endpoint, '--region', kms.region], dir);
    expect(exported.code, exported.stderr).toBe(0);
    const jwks = await serveJwks(exported.stdout);
    const remote = await startConsole(['--jwks-url', jwks.url, '--jwks-key-arn', listed], dir);
    try {
      const page = await send(remote.url, 'GET', '/', { host: remote.host });
      const secret = /name="kms-jwt-console-session" content="([A-Za-z0-9_-]+)"/.exec(page.body)?.[1] ?? '';
      const headers = { host: remote.host, origin: `http://${remote.host}`, 'x-kms-jwt-console-session': secret, 'content-type': 'application/json' };
      const state = JSON.parse((await send(remote.url, 'GET', '/api/state', headers)).body) as unknown;
      expect(state).toMatchObject({ where: `the JWKS at ${jwks.url}`, keys: [{ keyArn: listed, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'], keyState: null, reasons: [{ kind: 'jwks', url: jwks.url }] }], aliases: [] });
      const valid = await send(remote.url, 'POST', '/api/verify', headers, JSON.stringify({ token }));
      expect(JSON.parse(valid.body)).toMatchObject({ valid: true, key: listed, payload: { sub: 'user-42' } });
      const refused = await send(remote.url, 'POST', '/api/verify', headers, JSON.stringify({ token: tokenOfNotAllowed }));
      expect(JSON.parse(refused.body)).toMatchObject({ valid: false, error: { code: 'ERR_KID_UNTRUSTED' } });
    } finally {
      expect(await remote.stop()).toBe(0);
      await jwks.close();
    }
  });

  it('refuses a body that is not a JSON token', async () => {
    expect((await send(consoleProcess.url, 'POST', '/api/verify', { ...own(), 'content-type': 'text/plain' }, 'a.b.c')).status).toBe(415);
    expect((await send(consoleProcess.url, 'POST', '/api/verify', own(), '{"token":')).status).toBe(400);
    expect((await send(consoleProcess.url, 'POST', '/api/verify', own(), JSON.stringify({ token: 'x'.repeat(20_000) }))).status).toBe(413);
  });

  it('listens on loopback only: --host 0.0.0.0 is a usage error', async () => {
    const result = await runKmsJwt(['console', '--alias', 'alias/console-http', '--host', '0.0.0.0', '--endpoint', kms.endpoint, '--region', kms.region], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--host must be a loopback address');
  });
});
