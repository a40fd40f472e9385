import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateAliasCommand, type KMSClient } from '@aws-sdk/client-kms';
import { createRevocationList, type RevocationList } from 'kms-jwt-fleet';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import type { KmsLocal } from 'kms-local';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../../fleet/test/redis-server.js';
import { createAlias, createKey, kmsClient, startConsole, type ConsoleProcess } from './console-support.js';
import { ensureBuilt, packageDir, scratchDir, startKms, withPayload } from './support.js';

// Debian's chromium (.ci/run installs it), driven by playwright-core: no browser is downloaded.
const CHROMIUM = process.env['KMS_JWT_CHROMIUM'] ?? '/usr/bin/chromium';
// Screenshots go to packages/cli/docs (the README shows them) only when asked: KMS_JWT_CONSOLE_SCREENSHOTS=1.
const SCREENSHOTS = process.env['KMS_JWT_CONSOLE_SCREENSHOTS'] === '1' ? join(packageDir, 'docs') : mkdtempSync(join(tmpdir(), 'kms-jwt-console-shots-'));
const ISS = 'https://issuer.example';
const ALIAS = 'alias/token-issuer';

describe('kms-jwt console in headless Chromium, against kms-local and redis-server', () => {
  let kms: KmsLocal;
  let client: KMSClient;
  let redis: RedisServer;
  let redisClient: RedisClientType;
  let revocations: RevocationList;
  let consoleProcess: ConsoleProcess;
  let context: BrowserContext;
  let page: Page;
  let firstKey = '';
  let secondKey = '';
  let dir = '';
  let userDataDir = '';
  let remove: () => Promise<void> = async () => undefined;
  /** Every token the tests paste: none may show up in a URL, storage, console message or log line. */
  const pasted: string[] = [];
  const requests: string[] = [];
  const consoleMessages: string[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
    userDataDir = mkdtempSync(join(tmpdir(), 'kms-jwt-console-chromium-'));
    [{ kms }, redis] = await Promise.all([startKms(), RedisServer.start()]);
    client = kmsClient(kms);
    [firstKey, secondKey] = await Promise.all([createKey(client), createKey(client)]);
    await createAlias(client, ALIAS, firstKey);
    redisClient = createClient({ url: redis.url });
    redisClient.on('error', () => undefined);
    await redisClient.connect();
    revocations = createRevocationList({ client: redisClient });
    await revocations.ready();
    consoleProcess = await startConsole(['--alias', ALIAS, '--issuer', ISS, '--alias-refresh', '1s', '--redis-url', redis.url, '--endpoint', kms.endpoint, '--region', kms.region], dir);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1200, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => consoleMessages.push(message.text()));
    await page.goto(consoleProcess.url);
    await page.locator('#keys-table').waitFor();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await consoleProcess?.stop();
    await revocations?.close();
    redisClient?.destroy();
    await redis?.stop();
    client?.destroy();
    await kms?.close();
    await remove();
    rmSync(userDataDir, { recursive: true, force: true });
    if (process.env['KMS_JWT_CONSOLE_SCREENSHOTS'] !== '1') rmSync(SCREENSHOTS, { recursive: true, force: true });
  });

  async function sign(jti: string): Promise<string> {
    const token = await createKmsJwtSigner({ keyId: ALIAS, client, trustedEndpoint: kms.endpoint, expiresInSeconds: 600, issuer: ISS, audience: 'orders-api' }).sign({ sub: 'user-1', jti });
    pasted.push(token);
    return token;
  }

  async function paste(token: string): Promise<void> {
    await page.locator('#token').fill(token);
  }

  async function screenshot(name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `console-${name}.png`), fullPage: true });
  }

  it('decodes a pasted token with every field UNVERIFIED, then verifies it: VERIFIED with the key ARN that verified it', async () => {
    const token = await sign('console-valid');
    await paste(token);
    await expect.poll(() => page.locator('[data-verdict]').getAttribute('data-verdict'), { timeout: 15_000 }).toBe('unverified');
    const before = await page.locator('#decoded .badge').allTextContents();
    expect(before.length).toBeGreaterThan(5);
    expect(new Set(before)).toEqual(new Set(['UNVERIFIED']));
    expect(await page.locator('#decoded').textContent()).toContain('"console-valid"');
    await screenshot('decoded');
    await page.locator('#verify').click();
    await page.locator('[data-verdict="verified"]').waitFor();
    expect(await page.locator('[data-field="key"]').textContent()).toBe(firstKey);
    expect(new Set(await page.locator('#decoded .badge').allTextContents())).toEqual(new Set(['VERIFIED']));
    await screenshot('verified');
  });

  it('refuses a tampered token with its error code', async () => {
    const tampered = withPayload(await sign('console-tampered'), (payload) => ({ ...payload, sub: 'admin' }));
    pasted.push(tampered);
    await paste(tampered);
    await page.locator('#verify').click();
    await page.locator('[data-verdict="refused"]').waitFor();
    expect(await page.locator('[data-field="code"]').textContent()).toBe('ERR_JWS_SIGNATURE_INVALID');
    expect(new Set(await page.locator('#decoded .badge').allTextContents())).toEqual(new Set(['REFUSED']));
    await screenshot('refused');
  });

  it('shows the trusted keys with spec, KMS state, why they are trusted and when KMS last confirmed them', async () => {
    const row = page.locator('#keys-table tbody tr', { hasText: firstKey });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('ECC_NIST_P256');
    expect(text).toContain('Enabled');
    expect(text).toContain(`current target of ${ALIAS}`);
    expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((\d+s ago|just now)\)/);
  });

  it('shows the fleet revocation list and its freshness, and refuses a revoked token with ERR_TOKEN_REVOKED', async () => {
    const token = await sign('console-revoked');
    await revocations.revoke({ iss: ISS, jti: 'console-revoked', exp: Math.floor(Date.now() / 1000) + 600 });
    await page.locator('#refresh').click();
    await page.locator('#fleet-table tbody tr', { hasText: 'console-revoked' }).waitFor();
    expect(await page.locator('#fleet-freshness').textContent()).toMatch(/last known complete \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC .*1 unexpired revocation\./);
    await paste(token);
    await page.locator('#verify').click();
    await page.locator('[data-verdict="refused"]').waitFor();
    expect(await page.locator('[data-field="code"]').textContent()).toBe('ERR_TOKEN_REVOKED');
  });

  it('draws a rotation in progress: the alias moved, the retired key within its grace window until when, and a token it signed still verifies', async () => {
    const before = await sign('console-before-rotation');
    await client.send(new UpdateAliasCommand({ AliasName: ALIAS, TargetKeyId: secondKey }));
    const rotatedAt = Date.now();
    // What the page shows, read in one go in the page (the timer and the Refresh button re-render it).
    const shown = async (): Promise<{ graceUntil: number[]; current: string[]; retired: string[]; firstKeyRow: string; secondKeyRow: string }> => {
      await page.locator('#refresh').click();
      return (await page.evaluate(`(() => {
        const attrs = (selector, name) => [...document.querySelectorAll(selector)].map((node) => node.getAttribute(name));
        const row = (key) => [...document.querySelectorAll('#keys-table tbody tr')].find((tr) => tr.textContent.includes(key))?.textContent ?? '';
        return { graceUntil: attrs('svg.timeline rect[data-grace-until]', 'data-grace-until').map(Number), current: attrs('svg.timeline rect.bar-current', 'data-key'), retired: attrs('svg.timeline rect.bar-active', 'data-key'), firstKeyRow: row(${JSON.stringify(firstKey)}), secondKeyRow: row(${JSON.stringify(secondKey)}) };
      })()`)) as { graceUntil: number[]; current: string[]; retired: string[]; firstKeyRow: string; secondKeyRow: string };
    };
    // Until the page shows the whole rotation: the alias looked up again (--alias-refresh 1s) and the new key fetched.
    await expect.poll(async () => { const now = await shown(); return now.graceUntil.length === 1 && now.secondKeyRow !== ''; }, { timeout: 30_000 }).toBe(true);
    const page1 = await shown();
    expect(page1.current).toEqual([secondKey]);
    expect(page1.retired).toEqual([firstKey]);
    // The provider's default grace: an hour from when it saw the alias move.
    const graceUntil = page1.graceUntil[0] ?? 0;
    expect(graceUntil).toBeGreaterThan(rotatedAt + 3_600_000 - 5_000);
    expect(graceUntil).toBeLessThan(Date.now() + 3_600_000 + 5_000);
    expect(page1.firstKeyRow).toContain(`retired from ${ALIAS}, grace until`);
    expect(page1.secondKeyRow).toContain(`current target of ${ALIAS}`);
    await paste(before);
    await page.locator('#verify').click();
    await page.locator('[data-verdict="verified"]').waitFor();
    expect(await page.locator('[data-field="key"]').textContent()).toBe(firstKey);
    await page.locator('#clear').click();
    await screenshot('rotation');
  });

  it('made no request off 127.0.0.1, and the tokens are in no URL, browser storage, console message or log line', async () => {
    const origin = new URL(consoleProcess.url).origin;
    expect(requests.length).toBeGreaterThan(5);
    for (const url of requests) expect(new URL(url).origin).toBe(origin);
    // Evaluated in the page (a string: this file is typed for Node, not the DOM).
    const storage = String(await page.evaluate('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie, url: location.href })'));
    const output = consoleProcess.output();
    expect(pasted.length).toBe(5);
    for (const token of pasted) {
      const signature = token.split('.')[2] ?? '';
      for (const url of [...requests, page.url()]) expect(url.includes(signature)).toBe(false);
      expect(storage.includes(signature)).toBe(false);
      expect(consoleMessages.some((message) => message.includes(signature))).toBe(false);
      expect(output.includes(signature)).toBe(false);
    }
    expect(JSON.parse(storage)).toMatchObject({ local: {}, session: {}, cookie: '' });
  });
});
