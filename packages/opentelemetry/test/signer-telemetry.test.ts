import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createKmsJwtSigner, createKmsMessageSigner } from 'kms-jwt-signer';
import { describe, expect, it } from 'vitest';
import { addForbiddenLiterals, Secrets } from '../../../test/hygiene/support/secrets.js';
import { createSignerTelemetry } from '../src/signer-telemetry.js';
import { useKmsTestWorld } from './kms-support.js';

const world = useKmsTestWorld();

let aliases = 0;

/** A new P-256 signing key, and an alias that points to it. */
async function createAliasedKey(): Promise<{ arn: string; alias: string }> {
  const { KeyMetadata } = await world.admin.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  if (KeyMetadata?.Arn === undefined || KeyMetadata.KeyId === undefined) throw new Error('CreateKey answered without Arn');
  aliases += 1;
  const alias = `alias/otel-signer-${process.pid}-${aliases}`;
  await world.admin.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata.KeyId }));
  return { arn: KeyMetadata.Arn, alias };
}

describe('createSignerTelemetry', () => {
  it('traces each signing as kms_jwt.sign with its KMS calls as child spans, and records its duration, the KMS calls and the limiter wait', async () => {
    const h = world.start();
    const key = await createAliasedKey();
    const signer = createKmsJwtSigner({ keyId: key.alias, client: world.client, expiresInSeconds: 300, selfVerify: true, telemetry: createSignerTelemetry(h.scope) });
    await signer.sign({ sub: 'user-1' });
    await signer.sign({ sub: 'user-2' });

    const spans = h.spans();
    const signings = spans.filter((span) => span.name === 'kms_jwt.sign');
    expect(signings).toHaveLength(2);
    for (const signing of signings) {
      expect(signing.kind).toBe(SpanKind.INTERNAL);
      expect(signing.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(signing.attributes).toEqual({ 'kms_jwt.sign.kind': 'token', 'kms_jwt.key.id': key.alias });
    }
    const [first, second] = signings;
    const childrenOf = (parent: typeof first): string[] =>
      spans.filter((span) => span.parentSpanContext?.spanId === parent?.spanContext().spanId && span.spanContext().traceId === parent?.spanContext().traceId).map((span) => span.name);
    // The first signing resolves the key (DescribeKey) and fetches its public key (selfVerify); the second reuses both.
    expect(childrenOf(first)).toEqual(['KMS.DescribeKey', 'KMS.Sign', 'KMS.GetPublicKey']);
    expect(childrenOf(second)).toEqual(['KMS.Sign']);
    const kmsSign = spans.find((span) => span.name === 'KMS.Sign');
    expect(kmsSign?.kind).toBe(SpanKind.CLIENT);
    expect(kmsSign?.attributes).toMatchObject({
      'rpc.system': 'aws-api',
      'rpc.service': 'KMS',
      'rpc.method': 'Sign',
      'cloud.region': world.kms.region,
      'server.address': '127.0.0.1',
      'kms_jwt.key.id': key.arn,
      'kms_jwt.component': 'signer',
    });
    expect(kmsSign?.attributes['aws.request_id']).toMatch(/^[0-9a-f-]{36}$/);

    expect(await h.count('kms_jwt.sign.duration', { 'kms_jwt.sign.kind': 'token', 'kms_jwt.key.id': key.alias })).toBe(2);
    expect((await h.points('kms_jwt.sign.duration')).every((point) => point.attributes['error.type'] === undefined)).toBe(true);
    expect(await h.count('kms_jwt.kms.call.duration', { 'rpc.method': 'Sign', 'kms_jwt.component': 'signer' })).toBe(2);
    expect(await h.count('kms_jwt.kms.call.duration', { 'rpc.method': 'DescribeKey' })).toBe(1);
    expect(await h.count('kms_jwt.kms.call.duration', { 'rpc.method': 'GetPublicKey' })).toBe(1);
    expect(await h.count('kms_jwt.signer.limiter.wait', { 'kms_jwt.key.arn': key.arn })).toBe(2);
    expect(await h.sum('kms_jwt.signer.throttles')).toBe(0);
  });

  it('records the wait maxRatePerSecond imposes on Sign calls', async () => {
    const h = world.start();
    const key = await createAliasedKey();
    const signer = createKmsJwtSigner({ keyId: key.arn, client: world.client, expiresInSeconds: 300, maxRatePerSecond: 20, telemetry: createSignerTelemetry(h.scope) });
    await Promise.all([1, 2, 3].map((n) => signer.sign({ sub: `user-${n}` })));
    const [wait] = await h.points('kms_jwt.signer.limiter.wait');
    // 20 per second: the second and third calls wait for their turn (50 ms apart).
    expect(typeof wait?.value === 'number' ? undefined : wait?.value.count).toBe(3);
    expect(typeof wait?.value === 'number' ? 0 : wait?.value.sum).toBeGreaterThan(0);
  });

  it('counts a KMS throttle, and records the failed signing with its error code', async () => {
    const h = world.start();
    const key = await createAliasedKey();
    const signer = createKmsJwtSigner({ keyId: key.arn, client: world.client, expiresInSeconds: 300, telemetry: createSignerTelemetry(h.scope) });
    await signer.hydrate();
    world.kms.faults.inject({ type: 'throttle', operations: ['Sign'] });
    await expect(signer.sign({ sub: 'user-1' })).rejects.toMatchObject({ code: 'ERR_KMS_THROTTLED' });

    expect(await h.sum('kms_jwt.signer.throttles', { 'rpc.method': 'Sign', 'kms_jwt.key.id': key.arn })).toBe(1);
    expect(await h.count('kms_jwt.sign.duration', { 'error.type': 'ERR_KMS_THROTTLED' })).toBe(1);
    expect(await h.count('kms_jwt.kms.call.duration', { 'rpc.method': 'Sign', 'error.type': 'ThrottlingException' })).toBe(1);
    const failed = h.spans().filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(failed.map((span) => [span.name, span.attributes['error.type']])).toEqual([
      ['KMS.Sign', 'ThrottlingException'],
      ['kms_jwt.sign', 'ERR_KMS_THROTTLED'],
    ]);
  });

  it('traces the message signer too, as kms_jwt.sign of kind message', async () => {
    const h = world.start();
    const key = await createAliasedKey();
    const signer = createKmsMessageSigner({ keyId: key.alias, client: world.client, telemetry: createSignerTelemetry(h.scope) });
    await signer.sign({ json: { order: 1 } });
    expect(await h.count('kms_jwt.sign.duration', { 'kms_jwt.sign.kind': 'message', 'kms_jwt.key.id': key.alias })).toBe(1);
    expect(h.spans().map((span) => span.name)).toEqual(['KMS.DescribeKey', 'KMS.Sign', 'kms_jwt.sign']);
  });

  it('puts no token, signature, sub or jti in any attribute, span name or status', async () => {
    const h = world.start();
    const key = await createAliasedKey();
    const telemetry = createSignerTelemetry(h.scope);
    const signer = createKmsJwtSigner({ keyId: key.alias, client: world.client, expiresInSeconds: 300, telemetry });
    const messages = createKmsMessageSigner({ keyId: key.alias, client: world.client, telemetry });
    const secrets = new Secrets();
    addForbiddenLiterals(secrets);
    for (const [n, sub] of ['user-4f1c9b2e8a7d4c3b', 'user-9e8d7c6b5a493827'].entries()) {
      const jti = `jti-7a6b5c4d3e2f1a0b-${n}`;
      const token = await signer.sign({ sub, jti });
      secrets.addToken(token, sub);
      secrets.addLiteral(sub, 'a sub');
      secrets.addLiteral(jti, 'a jti');
      const message = await messages.sign({ json: { sub } }, { messageId: `${jti}-message` });
      secrets.addToken(message.jws, `message ${n}`);
    }
    world.kms.faults.inject({ type: 'throttle', operations: ['Sign'] });
    await expect(signer.sign({ sub: 'user-4f1c9b2e8a7d4c3b', jti: 'jti-7a6b5c4d3e2f1a0b-0' })).rejects.toThrow();
    const text = await h.allText();
    expect(text).toContain(key.arn);
    expect(secrets.findLeaks(text)).toEqual([]);
  });
});
