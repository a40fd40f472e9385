import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER } from '../src/signature-header.js';
import { useSender } from './support.js';

const sending = useSender();
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** An endpoint answering each request with the next status of `statuses` (the last one then on); records what it got. */
async function endpoint(statuses: readonly number[]): Promise<{ url: string; requests: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] }> {
  const requests: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requests.push({ headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(statuses[Math.min(requests.length, statuses.length) - 1] ?? 200, { 'content-type': 'application/json' }).end('{}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests };
}

describe('the webhook sender', () => {
  it('posts the body exactly as signed, with the detached JWS in Webhook-Signature and the endpoint as aud', async () => {
    const { sender, keyArn } = sending();
    const target = await endpoint([200]);
    const delivery = await sender.send(target.url, { orderId: 'o-1', total: 12.5 });
    expect(delivery.status).toBe(200);
    const request = target.requests[0];
    expect(request?.body.equals(delivery.signed.payload)).toBe(true);
    expect(request?.body.toString('utf8')).toBe('{"orderId":"o-1","total":12.5}');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(delivery.signed.detachedJws);
    const header = JSON.parse(Buffer.from(delivery.signed.detachedJws.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'ES256', kid: keyArn, typ: 'kms-jwt-message+jws', cty: 'json', aud: target.url, jti: delivery.signed.messageId });
  });

  it('retries the same signed delivery on 503 and 429, and stops at the first answer that is not worth retrying', async () => {
    const { sender } = sending();
    const retried = await endpoint([503, 429, 200]);
    const delivery = await sender.send(retried.url, { orderId: 'o-1' });
    expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([503, 429, 200]);
    expect(new Set(retried.requests.map((request) => request.headers[SIGNATURE_HEADER.toLowerCase()])).size).toBe(1);
    const refused = await endpoint([401]);
    expect((await sender.send(refused.url, { orderId: 'o-2' })).attempts.map((attempt) => attempt.status)).toEqual([401]);
  });

  it('gives up after maxAttempts (3) and reports no answer as status 0', async () => {
    const { sender } = sending();
    const failing = await endpoint([500]);
    expect((await sender.send(failing.url, { orderId: 'o-1' })).attempts.map((attempt) => attempt.status)).toEqual([500, 500, 500]);
    const closed = await endpoint([200]);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const delivery = await sender.send(closed.url, { orderId: 'o-2' });
    expect(delivery.status).toBe(0);
    expect(delivery.attempts).toHaveLength(3);
  });

  it('serves its JWKS with the key ARN as kid, a max-age and an ETag', async () => {
    const { sender, keyArn } = sending();
    const response = await fetch(sender.jwksUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('etag')).toMatch(/^".+"$/);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: keyArn, kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('delivers an event posted to /events to every subscriber', async () => {
    const { sender } = sending();
    const one = await endpoint([200]);
    const two = await endpoint([200]);
    sender.subscribe(one.url);
    sender.subscribe(two.url);
    const response = await fetch(`${sender.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"orderId":"o-9"}' });
    expect(((await response.json()) as { deliveries: unknown[] }).deliveries).toEqual([
      { endpoint: one.url, status: 200, attempts: 1, answer: {} },
      { endpoint: two.url, status: 200, attempts: 1, answer: {} },
    ]);
    const audiences = [one, two].map((target) => JSON.parse(Buffer.from(String(target.requests[0]?.headers[SIGNATURE_HEADER.toLowerCase()]).split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(audiences.map((header) => header['aud'])).toEqual([one.url, two.url]);
  });
});
