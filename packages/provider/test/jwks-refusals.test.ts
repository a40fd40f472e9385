import { generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import { createVerifier, KeySourceUnavailableError, KidUntrustedError } from 'kms-jwt-verifier';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJwksKeyProvider, JwksInvalidError, KeyProviderConfigError, type JwksKeyProviderOptions } from '../src/index.js';
import { issuerKey, localTrust, recordJwksEvents, startJwksServer, type JwksServer } from './jwks-support.js';
import { AUDIENCE, ISSUER, manualTime, rejection, useKms } from './support.js';

const env = useKms();
let server: JwksServer;
beforeAll(async () => {
  server = await startJwksServer({ cacheMaxAgeSeconds: 300 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.mode = { kind: 'jwks' };
  server.resetCounts();
});

async function setup(options: Partial<JwksKeyProviderOptions> = {}) {
  const fixture = env();
  const time = manualTime();
  const events = recordJwksEvents();
  const a = await issuerKey(fixture, time.nowMs);
  server.publish(a.provider);
  const provider = createJwksKeyProvider({ url: server.url, trust: [localTrust(fixture)], nowMs: time.nowMs, timers: time.timers, ...events.hooks, ...options });
  const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
  const localArn = () => `arn:aws:kms:${fixture.kms.region}:${fixture.kms.accountId}:key/${randomUUID()}`;
  return { fixture, time, events, a, provider, verifier, localArn };
}

const ecPublic = (): JsonWebKey => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });

describe('a remote JWKS document that cannot be used', () => {
  it.each([
    ['a body longer than maxResponseBytes (Content-Length)', { kind: 'body', body: JSON.stringify({ keys: [], pad: 'x'.repeat(4_096) }) }, 'too-large'],
    ['a streamed body longer than maxResponseBytes (no Content-Length)', { kind: 'stream', chunk: 'x'.repeat(1_024), count: 10_000 }, 'too-large'],
    ['a body that is not JSON', { kind: 'body', body: '<html>not a JWKS</html>' }, 'malformed'],
    ['JSON without a keys array', { kind: 'body', body: '{"keys":{"kid":"x"}}' }, 'malformed'],
    ['a JSON array', { kind: 'body', body: '[]' }, 'malformed'],
    ['more keys than maxKeys', { kind: 'body', body: JSON.stringify({ keys: [{}, {}, {}] }) }, 'too-many-keys'],
  ] as const)('refuses %s with JwksInvalidError (ERR_JWKS_INVALID) from ready() and onJwksFetchFailed', async (_name, mode, problem) => {
    const { events, provider, verifier, a } = await setup({ maxResponseBytes: 2_048, maxKeys: 2 });
    server.mode = mode;
    const error = await rejection(provider.ready());
    expect(error).toBeInstanceOf(JwksInvalidError);
    expect(error).toMatchObject({ code: 'ERR_JWKS_INVALID', family: 'infrastructure', status: 503, problem, url: server.url });
    expect((error as Error).message).toMatch(new RegExp(`^kms-pubkey-provider: the JWKS at ${server.url} `));
    expect((error as Error).message).not.toMatch(/html|xxxx/);
    expect(events.log).toEqual([{ type: 'fetchFailed', url: server.url, reason: 'invalid', httpStatus: undefined, error, servingStaleUntilMs: undefined }]);

    // resolve answers 503 caused by it (the adapters know KeySourceUnavailableError).
    const verifyError = await rejection(verifier.verify(await a.signer.sign({ sub: 'user-42' })));
    expect(verifyError).toBeInstanceOf(KeySourceUnavailableError);
    expect((verifyError as Error).cause).toBe(error);
    provider.close();
  });

  it('keeps serving the keys at hand when a refresh answers a malformed JWKS (stale-if-error)', async () => {
    const { time, events, provider, verifier, a } = await setup();
    await provider.ready();
    server.mode = { kind: 'body', body: 'oops' };
    time.advance(300_000);
    expect(await events.until((event) => event.type === 'fetchFailed')).toMatchObject({ reason: 'invalid', servingStaleUntilMs: time.nowMs() + 3_600_000 });
    expect((await verifier.verify(await a.signer.sign({ sub: 'user-42' }))).key).toBe(a.arn);
    provider.close();
  });

  it('does not follow a redirect', async () => {
    const { events, provider } = await setup();
    server.mode = { kind: 'status', status: 302, headers: { Location: 'http://127.0.0.2/elsewhere.json' } };
    const error = await rejection(provider.ready());
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect((error as Error).message).toContain('answered HTTP 302 (a redirect: redirects are not followed; configure the final https URL)');
    expect(events.log).toEqual([expect.objectContaining({ type: 'fetchFailed', reason: 'http-status', httpStatus: 302 })]);
    expect(server.hits()).toBe(1);
    provider.close();
  });
});

describe('keys of a remote JWKS that are not trusted', () => {
  it('ignores each with an onJwksKeyIgnored event naming why, never with key material, and trusts the rest', async () => {
    const { fixture, events, provider, verifier, a, localArn } = await setup();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateJwk = privateKey.export({ format: 'jwk' });
    const duplicated = localArn();
    const other = await issuerKey(fixture, Date.now);
    const otherAccount = `arn:aws:kms:${fixture.kms.region}:999999999999:key/${randomUUID()}`;
    const crafted: JsonWebKey[] = [
      { ...ecPublic(), kid: `arn:aws:kms:${fixture.kms.region}:${fixture.kms.accountId}:alias/token-issuer` },
      { ...ecPublic(), kid: 'alias/token-issuer' },
      { ...ecPublic(), kid: otherAccount },
      { ...privateJwk, kid: localArn() },
      { ...ecPublic(), kid: localArn(), use: 'enc' },
      { ...ecPublic(), kid: localArn(), key_ops: ['encrypt'] },
      { ...ecPublic(), kid: localArn(), alg: 'RS256' },
      { ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: localArn() },
      { ...ecPublic(), kid: localArn(), kty: 'OKP' },
      ecPublic(),
      { ...ecPublic(), kid: duplicated },
      { ...ecPublic(), kid: duplicated },
    ];
    // The JWKS also lists a real KMS key of an account the verifier does not trust.
    const outside = createJwksKeyProvider({ url: server.url, keyArns: [a.arn], nowMs: Date.now });
    server.publish(a.provider, { exportJwks: () => ({ keys: crafted }) });

    await provider.ready();
    const ignored = events.log.filter((event) => event.type === 'ignored');
    expect(ignored.map((event) => event.type === 'ignored' && [event.index, event.reason])).toEqual([
      [1, 'kid-not-key-arn'],
      [2, 'kid-not-key-arn'],
      [3, 'not-allowlisted'],
      [4, 'private-key'],
      [5, 'not-for-signing'],
      [6, 'not-for-signing'],
      [7, 'unusable'],
      [8, 'unusable'],
      [9, 'unusable'],
      [10, 'kid-missing'],
      [11, 'duplicate-kid'],
      [12, 'duplicate-kid'],
    ]);
    expect(ignored[0]).toMatchObject({ url: server.url, kid: crafted[0]?.kid, message: expect.stringContaining('the kid is an alias') });
    expect(ignored[2]).toMatchObject({ kid: otherAccount, message: expect.stringContaining('neither keyArns nor trust allows') });
    expect(ignored[3]).toMatchObject({ message: expect.stringContaining('private or secret members (d)') });
    expect(ignored[6]).toMatchObject({ message: 'alg RS256 does not fit key spec ECC_NIST_P256 (ES256)' });
    const logged = JSON.stringify(events.log);
    expect(logged).not.toContain(privateJwk.d);
    for (const jwk of crafted) expect(logged).not.toContain(jwk.x);
    expect(events.log.at(-1)).toMatchObject({ type: 'fetched', keyArns: [a.arn] });

    // Their kids are untrusted: the private key's own kid included.
    for (const jwk of crafted.filter((entry) => typeof entry.kid === 'string')) expect(provider.resolve(jwk.kid as string)).toBeUndefined();
    expect((await verifier.verify(await a.signer.sign({ sub: 'user-42' }))).key).toBe(a.arn);

    // A provider trusting only A ignores the other real KMS key, and never fetches for its kid.
    server.publish(a.provider, other.provider);
    await outside.ready();
    const hits = server.hits();
    const outsideVerifier = createVerifier({ keys: outside, issuer: ISSUER, audience: AUDIENCE });
    expect(await rejection(outsideVerifier.verify(await other.signer.sign({ sub: 'user-42' })))).toBeInstanceOf(KidUntrustedError);
    expect(server.hits()).toBe(hits);
    outside.close();
    provider.close();
  });

  it('reports an ignored key once while the JWKS keeps listing it', async () => {
    const { time, events, provider, a, localArn } = await setup();
    const alias = { ...ecPublic(), kid: 'alias/token-issuer' };
    const other = { ...ecPublic(), kid: localArn(), use: 'enc' };
    server.publish(a.provider, { exportJwks: () => ({ keys: [alias] }) });
    await provider.ready();
    server.publish(a.provider, { exportJwks: () => ({ keys: [alias, other] }) });
    time.advance(300_000);
    await events.until(() => events.count('fetched') === 2);
    expect(events.log.filter((event) => event.type === 'ignored').map((event) => event.type === 'ignored' && event.reason)).toEqual(['kid-not-key-arn', 'not-for-signing']);
    provider.close();
  });

  it('fails ready() with KeyProviderConfigError when the JWKS lists no key that keyArns and trust allow', async () => {
    const { provider, localArn } = await setup({ keyArns: [`arn:aws:kms:us-west-2:111122223333:key/${randomUUID()}`], trust: [] });
    const kid = localArn();
    server.publish({ exportJwks: () => ({ keys: [{ ...ecPublic(), kid }] }) });
    const error = await rejection(provider.ready());
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    expect((error as Error).message).toBe(
      `kms-pubkey-provider: ready(): the JWKS at ${server.url} lists no key that keyArns and trust allow; it lists ${kid} (not-allowlisted); check keyArns and trust, and that the issuer publishes its KMS key ARNs as kid`,
    );
    provider.close();
  });
});
