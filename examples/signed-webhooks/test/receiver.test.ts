import { createKmsMessageSigner } from 'kms-jwt-signer';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver, type WebhookReceiverOptions } from '../src/receiver.js';
import { SIGNATURE_HEADER } from '../src/signature-header.js';
import { createKey, post, useSender } from './support.js';

const sending = useSender();
const started: WebhookReceiver[] = [];

afterEach(async () => {
  for (const receiver of started.splice(0)) await receiver.close();
});

async function receiver(options: Partial<WebhookReceiverOptions> = {}): Promise<WebhookReceiver> {
  const { kms, sender } = sending();
  const running = await startWebhookReceiver({ jwksUrl: sender.jwksUrl, trust: [{ accountId: kms.accountId, region: kms.region }], ...options });
  started.push(running);
  return running;
}

describe('the webhook receiver', () => {
  it('accepts a delivery signed by the sender for its endpoint and hands over the parsed body, without a KMS call', async () => {
    const { sender, keyArn, kms } = sending();
    const target = await receiver();
    const signed = await sender.sign({ type: 'order.placed', orderId: 'o-1' }, target.endpoint);
    const callsBefore = kms.callCount();
    const delivery = await sender.deliver(target.endpoint, signed);
    expect(kms.callCount()).toBe(callsBefore);
    expect(delivery).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expect(delivery.attempts).toHaveLength(1);
    expect(target.events()).toEqual([{ messageId: signed.messageId, keyArn, payload: { type: 'order.placed', orderId: 'o-1' } }]);
  });

  it('verifies the body bytes as received, whatever Content-Type says', async () => {
    const { sender } = sending();
    const target = await receiver();
    const signed = await sender.sign({ orderId: 'o-1' }, target.endpoint);
    const answer = await post(target.endpoint, signed.payload, { 'content-type': 'text/plain', [SIGNATURE_HEADER]: signed.detachedJws });
    expect(answer).toMatchObject({ status: 200, body: { status: 'accepted' } });
    const spaced = Buffer.from(` ${signed.payload.toString('utf8')}`);
    const changed = await post(target.endpoint, spaced, { 'content-type': 'application/json', [SIGNATURE_HEADER]: signed.detachedJws });
    expect(changed).toMatchObject({ status: 401, body: { error: 'ERR_JWS_SIGNATURE_INVALID' } });
  });

  it('answers 409 to the same delivery while it is being handled, then 200 duplicate once handled, and handles it once', async () => {
    const { sender } = sending();
    let release: () => void = () => undefined;
    const handling = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const target = await receiver({
      onEvent: async () => {
        calls += 1;
        await handling;
      },
    });
    const signed = await sender.sign({ orderId: 'o-1' }, target.endpoint);
    const headers = { 'content-type': 'application/json', [SIGNATURE_HEADER]: signed.detachedJws };
    const first = post(target.endpoint, signed.payload, headers);
    await expect.poll(() => calls).toBe(1);
    const concurrent = await post(target.endpoint, signed.payload, headers);
    expect(concurrent).toMatchObject({ status: 409, body: { error: 'DELIVERY_IN_PROGRESS' } });
    expect(concurrent.headers.get('retry-after')).toBe('5');
    release();
    expect(await first).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expect(await post(target.endpoint, signed.payload, headers)).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect(calls).toBe(1);
  });

  it('answers 500 when handling fails, and handles the sender’s retry of the same delivery', async () => {
    const { sender } = sending();
    let failures = 1;
    const target = await receiver({
      onEvent: () => {
        if (failures-- > 0) throw new Error('the database is down');
      },
    });
    const delivery = await sender.send(target.endpoint, { orderId: 'o-1' });
    expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect(delivery.body).toEqual({ status: 'accepted' });
    expect(target.events().map((event) => event.messageId)).toEqual([delivery.signed.messageId]);
  });

  it('refuses a delivery older than maxMessageAgeSeconds', async () => {
    const { sender } = sending();
    const target = await receiver({ maxMessageAgeSeconds: 300, nowMs: () => Date.now() + 301_000 });
    const delivery = await sender.send(target.endpoint, { orderId: 'o-1' });
    expect(delivery).toMatchObject({ status: 401, body: { error: 'ERR_JWT_TOO_OLD' } });
    expect(delivery.attempts).toHaveLength(1);
  });

  it('refuses a delivery signed by a key of the same account that the sender does not publish', async () => {
    const { client, sender } = sending();
    const target = await receiver({ jwks: { unknownKidCooldownMs: 60_000 } });
    const rogue = createKmsMessageSigner({ client, keyId: await createKey(client) });
    const signed = await rogue.sign({ json: { orderId: 'o-1' } }, { header: { aud: target.endpoint } });
    const answer = await post(target.endpoint, signed.payload, { 'content-type': 'application/json', [SIGNATURE_HEADER]: signed.detachedJws });
    expect(answer).toMatchObject({ status: 401, body: { error: 'ERR_KID_UNTRUSTED' } });
    expect(sender.publishedKeyArns()).not.toContain(signed.keyArn);
  });

  it('refuses a delivery signed for another endpoint, a missing signature, and a body over 256 KiB', async () => {
    const { sender } = sending();
    const target = await receiver();
    const elsewhere = await sender.sign({ orderId: 'o-1' }, 'https://partner.example/webhooks/orders');
    expect(await post(target.endpoint, elsewhere.payload, { [SIGNATURE_HEADER]: elsewhere.detachedJws })).toMatchObject({ status: 401, body: { error: 'WEBHOOK_AUDIENCE_MISMATCH' } });
    expect(await post(target.endpoint, '{"orderId":"o-1"}', { 'content-type': 'application/json' })).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_MALFORMED' } });
    expect(await post(target.endpoint, 'x'.repeat(262_145), { [SIGNATURE_HEADER]: elsewhere.detachedJws })).toMatchObject({ status: 413, body: { error: 'BODY_TOO_LARGE' } });
    expect(target.events()).toEqual([]);
  });

  it('does not start when the JWKS lists no key its trust rules allow', async () => {
    const { sender } = sending();
    await expect(startWebhookReceiver({ jwksUrl: sender.jwksUrl, trust: [{ accountId: '999988887777', region: 'us-east-1' }] })).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: expect.stringContaining('lists no key that keyArns and trust allow'),
    });
  });
});
