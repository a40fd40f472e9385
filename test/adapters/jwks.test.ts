import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from './support/apps.js';
import { listen, send, type Running } from './support/http.js';
import { AUDIENCE, ISSUER, startKmsWorld, type KmsWorld } from './support/kms.js';

const PATH = '/.well-known/jwks.json';

let world: KmsWorld;
beforeAll(async () => {
  world = await startKmsWorld();
});
afterAll(async () => {
  await world?.close();
});

describe.each(ADAPTERS.filter((adapter) => adapter.servesJwks))('JWKS route of $name', (adapter) => {
  let server: Running;
  beforeAll(async () => {
    server = await listen(adapter.app({ verifier: world.verifier, coldVerifier: world.coldVerifier, provider: world.provider, isRevoked: () => false }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it("serves the provider's keys (the alias's current key and the one it left) with Cache-Control and a strong ETag", async () => {
    const reply = await send(`${server.url}${PATH}`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.headers['cache-control']).toBe('public, max-age=300');
    // A strong ETag: the body's UTF-8 length and its 64-bit FNV-1a, in hex.
    expect(reply.headers['etag']).toMatch(/^"[0-9a-f]+-[0-9a-f]{16}"$/);
    expect(reply.json).toEqual(world.provider.exportJwks());
    const kids = (reply.json as { keys: { kid: string }[] }).keys.map((key) => key.kid).sort();
    expect(kids).toEqual([world.currentKeyArn, world.previousKeyArn].sort());
  });

  it('answers 304 without a body to a matching If-None-Match, and 200 to a stale one', async () => {
    const first = await send(`${server.url}${PATH}`);
    const etag = String(first.headers['etag']);
    const again = await send(`${server.url}${PATH}`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers['etag']).toBe(etag);
    expect(again.headers['cache-control']).toBe('public, max-age=300');
    const stale = await send(`${server.url}${PATH}`, { 'if-none-match': '"not-the-current-etag"' });
    expect(stale.status).toBe(200);
  });

  it('lets jose verify tokens of both keys against the served JWKS (createRemoteJWKSet over HTTP)', async () => {
    const jwks = createRemoteJWKSet(new URL(`${server.url}${PATH}`));
    for (const token of [world.tokens.current, world.tokens.previous]) {
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] });
      expect(payload.sub).toBe('user-1');
      expect(protectedHeader.kid).toBe(decodeProtectedHeader(token).kid);
    }
    expect(decodeProtectedHeader(world.tokens.current).kid).toBe(world.currentKeyArn);
    expect(decodeProtectedHeader(world.tokens.previous).kid).toBe(world.previousKeyArn);
  });

  it('lets jose refuse a token of a key the JWKS does not hold', async () => {
    const jwks = createRemoteJWKSet(new URL(`${server.url}${PATH}`));
    await expect(jwtVerify(world.tokens.untrusted, jwks, { issuer: ISSUER, audience: AUDIENCE })).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});
