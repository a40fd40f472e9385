import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, GetPublicKeyCommand, KMSClient, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { createVerifier } from 'kms-jwt-verifier';
import { createJwksKeyProvider, createKmsKeyProvider } from 'kms-pubkey-provider';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addForbiddenLiterals, Secrets } from '../../../test/hygiene/support/secrets.js';
import { createProviderTelemetry } from '../src/provider-telemetry.js';
import { manualTime, useKmsTestWorld } from './kms-support.js';

const world = useKmsTestWorld();

async function createKey(): Promise<{ arn: string; keyId: string }> {
  const { KeyMetadata } = await world.admin.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  if (KeyMetadata?.Arn === undefined || KeyMetadata.KeyId === undefined) throw new Error('CreateKey answered without Arn');
  return { arn: KeyMetadata.Arn, keyId: KeyMetadata.KeyId };
}

let aliases = 0;

async function createAlias(keyId: string): Promise<string> {
  aliases += 1;
  const name = `alias/otel-provider-${process.pid}-${aliases}`;
  await world.admin.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: keyId }));
  return name;
}

const RESOLUTIONS = 'kms_jwt.key.resolutions';
const resolution = (source: string, outcome: string): Record<string, string> => ({ 'kms_jwt.key.source': source, 'kms_jwt.outcome': outcome });

describe('createProviderTelemetry with createKmsKeyProvider', () => {
  it('counts resolutions by source and outcome, gauges the trusted keys, and traces each KMS call with the AWS SDK attributes', async () => {
    const h = world.start();
    const a = await createKey();
    const provider = createKmsKeyProvider({ keys: [a.arn], client: world.client, telemetry: createProviderTelemetry(h.scope) });
    expect(await provider.resolve(a.arn)).toBeDefined();
    expect(provider.resolve(a.arn)).toBeDefined();
    expect(provider.resolve(a.arn)).toBeDefined();
    expect(provider.resolve(a.arn.replace(/key\/.*$/, 'key/00000000-0000-0000-0000-000000000000'))).toBeUndefined();

    expect(await h.sum(RESOLUTIONS, resolution('kms', 'found'))).toBe(1);
    expect(await h.sum(RESOLUTIONS, resolution('cache', 'found'))).toBe(2);
    expect(await h.sum(RESOLUTIONS, resolution('cache', 'not-found'))).toBe(1);
    expect(await h.sum(RESOLUTIONS)).toBe(4);
    expect(await h.sum('kms_jwt.key.trusted')).toBe(1);
    expect(await h.sum('kms_jwt.key.stale_served')).toBe(0);

    const [span, ...others] = h.spans();
    expect(others).toEqual([]);
    expect(span?.name).toBe('KMS.GetPublicKey');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toMatchObject({
      'rpc.system': 'aws-api',
      'rpc.service': 'KMS',
      'rpc.method': 'GetPublicKey',
      'cloud.region': world.kms.region,
      'server.address': '127.0.0.1',
      'kms_jwt.key.id': a.arn,
      'kms_jwt.component': 'provider',
    });
    expect(span?.attributes['aws.request_id']).toMatch(/^[0-9a-f-]{36}$/);
    const calls = await h.points('kms_jwt.kms.call.duration');
    expect(calls.map((point) => point.attributes)).toEqual([{ 'rpc.system': 'aws-api', 'rpc.service': 'KMS', 'rpc.method': 'GetPublicKey', 'kms_jwt.component': 'provider', 'cloud.region': world.kms.region }]);
    expect(await h.count('kms_jwt.kms.call.duration')).toBe(1);

    provider.close();
    // A closed provider's counts stay (counters never go down); it no longer answers for trusted keys.
    expect(await h.sum(RESOLUTIONS)).toBe(4);
    expect(await h.sum('kms_jwt.key.trusted')).toBe(0);
  });

  it('counts stale keys served while KMS fails, penalty-box entries, failed KMS calls, and resolutions KMS could not answer', async () => {
    const h = world.start();
    const time = manualTime();
    const [a, b] = [await createKey(), await createKey()];
    const telemetry = createProviderTelemetry(h.scope);
    const options = { client: world.client, telemetry, nowMs: time.nowMs, timers: time.timers, cacheMaxAgeMs: 60_000, failureCooldownMs: 5_000 };
    const provider = createKmsKeyProvider({ ...options, keys: [a.arn] });
    const key = await provider.resolve(a.arn);
    world.kms.faults.inject({ type: 'unavailable', operations: ['GetPublicKey'] });
    time.advance(60_001);
    // Past cacheMaxAgeMs: still answered, while the refresh it starts fails.
    expect(provider.resolve(a.arn)).toBe(key);
    await vi.waitFor(async () => expect(await h.sum('kms_jwt.key.penalty_box.entries', { 'kms_jwt.operation': 'GetPublicKey' })).toBe(1), { timeout: 10_000 });
    expect(provider.resolve(a.arn)).toBe(key);
    expect(provider.resolve(a.arn)).toBe(key);
    expect(await h.sum('kms_jwt.key.stale_served')).toBe(2);
    expect(await h.sum(RESOLUTIONS, resolution('cache', 'found'))).toBe(3);

    const failed = h.spans().filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(failed.map((span) => [span.name, span.attributes['error.type'], span.status.message])).toEqual([['KMS.GetPublicKey', 'KMSInternalException', 'KMSInternalException']]);
    expect(failed[0]?.attributes['aws.request_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await h.count('kms_jwt.kms.call.duration', { 'rpc.method': 'GetPublicKey', 'error.type': 'KMSInternalException' })).toBe(1);

    // Nothing cached for b: the first resolve rejects, the next throws at once (b is in the penalty box).
    const cold = createKmsKeyProvider({ ...options, keys: [b.arn] });
    await expect(cold.resolve(b.arn)).rejects.toMatchObject({ code: 'ERR_KEY_SOURCE_UNAVAILABLE' });
    expect(() => cold.resolve(b.arn)).toThrow(expect.objectContaining({ code: 'ERR_KEY_SOURCE_UNAVAILABLE' }));
    expect(await h.sum(RESOLUTIONS, resolution('kms', 'unavailable'))).toBe(2);
    expect(await h.sum('kms_jwt.key.penalty_box.entries')).toBe(2);
    expect(await h.sum('kms_jwt.key.trusted')).toBe(1);
    provider.close();
    cold.close();
  });

  it('counts a rotation (UpdateAlias), the end of its grace window, a disabled key, and a failed DescribeKey', async () => {
    const h = world.start();
    const time = manualTime();
    const [b, c] = [await createKey(), await createKey()];
    const alias = await createAlias(b.keyId);
    const provider = createKmsKeyProvider({
      keys: [alias],
      client: world.client,
      telemetry: createProviderTelemetry(h.scope),
      nowMs: time.nowMs,
      timers: time.timers,
      aliasRefreshMs: 60_000,
      retiredKeyGraceMs: 600_000,
      cacheMaxAgeMs: 3_600_000,
    });
    expect(await provider.resolve(b.arn)).toBeDefined();
    expect(h.spans().map((span) => [span.name, span.attributes['kms_jwt.key.id']])).toEqual([
      ['KMS.DescribeKey', alias],
      ['KMS.GetPublicKey', b.arn],
    ]);

    await world.admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: c.keyId }));
    time.advance(60_001);
    await vi.waitFor(async () => expect(await h.sum('kms_jwt.key.rotations', { 'kms_jwt.alias': alias })).toBe(1), { timeout: 10_000 });
    // b stays trusted within its grace window, then leaves the trusted set.
    expect(await provider.resolve(b.arn)).toBeDefined();
    await vi.waitFor(async () => expect(await h.sum('kms_jwt.key.trusted')).toBe(2), { timeout: 10_000 });
    time.advance(600_001);
    expect(provider.resolve(b.arn)).toBeUndefined();
    expect(await h.sum('kms_jwt.key.untrusted', { 'kms_jwt.untrusted.reason': 'grace-ended', 'kms_jwt.key.arn': b.arn })).toBe(1);

    await world.admin.send(new DisableKeyCommand({ KeyId: c.keyId }));
    time.advance(60_001);
    await vi.waitFor(async () => expect(await h.sum('kms_jwt.key.untrusted', { 'kms_jwt.untrusted.reason': 'disabled', 'kms_jwt.key.arn': c.arn })).toBe(1), { timeout: 10_000 });

    world.kms.faults.inject({ type: 'unavailable', operations: ['DescribeKey'] });
    time.advance(60_001);
    await vi.waitFor(async () => expect(await h.sum('kms_jwt.key.penalty_box.entries', { 'kms_jwt.operation': 'DescribeKey' })).toBe(1), { timeout: 10_000 });
    expect(await h.sum('kms_jwt.key.untrusted')).toBe(2);
    expect(await h.count('kms_jwt.kms.call.duration', { 'rpc.method': 'DescribeKey', 'error.type': 'KMSInternalException' })).toBe(1);
    provider.close();
  });

  it('counts answers from a snapshot not confirmed yet and from offline keys', async () => {
    const h = world.start();
    const a = await createKey();
    const d = await createKey();
    const first = createKmsKeyProvider({ keys: [a.arn], client: world.client });
    await first.ready();
    const snapshot = first.exportSnapshot();
    first.close();
    const { PublicKey } = await world.admin.send(new GetPublicKeyCommand({ KeyId: d.arn }));
    if (PublicKey === undefined) throw new Error('GetPublicKey answered without PublicKey');
    // KMS cannot confirm the snapshot: its key is answered unconfirmed.
    world.kms.faults.inject({ type: 'unavailable', operations: ['GetPublicKey'] });
    const provider = createKmsKeyProvider({ keys: [a.arn], snapshot, client: world.client, offlineKeys: [{ kid: 'offline-d', key: PublicKey }], telemetry: createProviderTelemetry(h.scope) });
    await vi.waitFor(async () => expect(await h.sum('kms_jwt.key.penalty_box.entries')).toBe(1), { timeout: 10_000 });
    expect(provider.resolve(a.arn)).toBeDefined();
    expect(provider.resolve('offline-d')).toBeDefined();
    expect(await h.sum(RESOLUTIONS, resolution('snapshot', 'found'))).toBe(1);
    expect(await h.sum(RESOLUTIONS, resolution('offline', 'found'))).toBe(1);
    expect(await h.sum('kms_jwt.key.trusted')).toBe(2);
    provider.close();
  });

  it('puts no token, signature, sub or jti in any attribute, span name or status', async () => {
    const h = world.start();
    const a = await createKey();
    const provider = createKmsKeyProvider({ keys: [a.arn], client: world.client, telemetry: createProviderTelemetry(h.scope) });
    const verifier = createVerifier({ keys: provider, issuer: 'https://issuer.example', audience: 'orders-api' });
    const signer = createKmsJwtSigner({ keyId: a.arn, client: world.admin, expiresInSeconds: 300, issuer: 'https://issuer.example', audience: 'orders-api' });
    const secrets = new Secrets();
    addForbiddenLiterals(secrets);
    for (const sub of ['user-4f1c9b2e8a7d4c3b', 'user-9e8d7c6b5a493827']) {
      const token = await signer.sign({ sub });
      secrets.addToken(token, sub);
      secrets.addLiteral(sub, 'a sub');
      const { payload } = await verifier.verify(token);
      expect(payload.sub).toBe(sub);
      secrets.addLiteral(String(payload.jti), 'a jti');
    }
    world.kms.faults.inject({ type: 'throttle', operations: ['GetPublicKey'] });
    const throttled = createKmsKeyProvider({ keys: [(await createKey()).arn], client: world.client, telemetry: createProviderTelemetry(h.scope) });
    await expect(throttled.ready()).rejects.toThrow();
    const text = await h.allText();
    expect(text).toContain(a.arn);
    expect(secrets.findLeaks(text)).toEqual([]);
    provider.close();
    throttled.close();
  });
});

describe('createProviderTelemetry with createJwksKeyProvider', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    server?.closeAllConnections();
    server = undefined;
  });

  it('counts resolutions from the JWKS and from the document at hand, stale keys served while the JWKS fails, and its penalty-box entries', async () => {
    const h = world.start();
    const time = manualTime();
    const a = await createKey();
    const issuer = createKmsKeyProvider({ keys: [a.arn], client: world.client });
    await issuer.ready();
    let failing = false;
    server = createServer((_req, res) => {
      if (failing) {
        res.statusCode = 500;
        res.end();
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(issuer.exportJwks()));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    const provider = createJwksKeyProvider({ url, keyArns: [a.arn], telemetry: createProviderTelemetry(h.scope), nowMs: time.nowMs, timers: time.timers, cacheMaxAgeMs: 300_000 });
    const key = await provider.resolve(a.arn);
    expect(key).toBeDefined();
    expect(provider.resolve(a.arn)).toBe(key);
    expect(await h.sum(RESOLUTIONS, resolution('jwks', 'found'))).toBe(1);
    expect(await h.sum(RESOLUTIONS, resolution('cache', 'found'))).toBe(1);
    expect(await h.sum('kms_jwt.key.trusted')).toBe(1);

    failing = true;
    time.advance(300_001);
    await vi.waitFor(async () => expect(await h.sum('kms_jwt.key.penalty_box.entries', { 'kms_jwt.operation': 'JwksFetch' })).toBe(1), { timeout: 10_000 });
    expect(provider.resolve(a.arn)).toBe(key);
    expect(await h.sum('kms_jwt.key.stale_served')).toBe(1);
    expect(await h.sum(RESOLUTIONS, resolution('cache', 'found'))).toBe(2);
    provider.close();
    issuer.close();
  });
});
