import { beforeAll, describe, expect, it } from 'vitest';
import { createKmsJwtSigner, createKmsMessageSigner, KmsKeyDisabledError, MessageInvalidError, type KmsMessageSignerOptions } from '../src/index.js';
import { createKey, decodeToken, expectSignerError, useKmsLocal, type TestKey } from './support.js';

// What the signers put in what they sign, through kms-local: the options that reach the token or
// message, the header size bound at its exact edge, and errors of this package passed on as they are.

const NOW_MS = 1_800_000_000_999;
const NOW = 1_800_000_000;

/** The decoded protected header of a compact or detached JWS. */
function headerOf(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('kms-jwt-signer: what reaches the signed token or message', () => {
  const env = useKmsLocal();
  let key: TestKey;

  beforeAll(async () => {
    key = await createKey(env().client, 'ECC_NIST_P256');
  });

  function messageSigner(options: Partial<KmsMessageSignerOptions> = {}) {
    return createKmsMessageSigner({ keyId: key.arn, client: env().client, nowMs: () => NOW_MS, ...options });
  }

  it('puts the audience list of the options in aud, as given', async () => {
    const audience = ['orders', 'billing'];
    const token = await createKmsJwtSigner({ keyId: key.arn, client: env().client, expiresInSeconds: 60, audience, nowMs: () => NOW_MS }).sign({});
    expect(decodeToken(token).payload['aud']).toEqual(['orders', 'billing']);
  });

  it('keeps the audience it was given: a list changed afterwards changes no token, a string stays one', async () => {
    const audience = ['orders'];
    const signer = createKmsJwtSigner({ keyId: key.arn, client: env().client, expiresInSeconds: 60, audience });
    audience.push('billing');
    expect(decodeToken(await signer.sign({})).payload['aud']).toEqual(['orders']);
    const single = createKmsJwtSigner({ keyId: key.arn, client: env().client, expiresInSeconds: 60, audience: 'orders' });
    expect(decodeToken(await single.sign({})).payload['aud']).toBe('orders');
  });

  it("takes a call's expiresInSeconds over the message signer's, and null for none", async () => {
    const signer = messageSigner({ expiresInSeconds: 600 });
    const byDefault = await signer.sign({ json: 1 });
    expect(byDefault.expiresAt).toBe(NOW + 600);
    expect(headerOf(byDefault.jws)).toMatchObject({ iat: NOW, exp: NOW + 600, crit: ['exp'] });
    const shorter = await signer.sign({ json: 1 }, { expiresInSeconds: 60 });
    expect(shorter.expiresAt).toBe(NOW + 60);
    expect(headerOf(shorter.jws)['exp']).toBe(NOW + 60);
    const never = await signer.sign({ json: 1 }, { expiresInSeconds: null });
    expect(never.expiresAt).toBeUndefined();
    expect(headerOf(never.jws)).not.toHaveProperty('exp');
    expect(headerOf(never.jws)).not.toHaveProperty('crit');
  });

  it("merges a call's header parameters over the message signer's", async () => {
    const signed = await messageSigner({ header: { topic: 'orders', version: 1 } }).sign({ json: 1 }, { header: { topic: 'refunds' } });
    expect(headerOf(signed.jws)).toMatchObject({ topic: 'refunds', version: 1 });
    expect(headerOf((await messageSigner({ header: { topic: 'orders' } }).sign({ json: 1 })).jws)['topic']).toBe('orders');
  });

  it('signs a message whose protected header is exactly 7168 characters encoded, and refuses one 2 characters longer, saying what to shorten', async () => {
    const signer = messageSigner({ generateMessageId: () => 'message-1' });
    // The header's JSON text with a one-character note; 5376 bytes of JSON encode to 7168 characters.
    const probe = await signer.sign({ json: 1 }, { header: { note: 'n' } });
    const probeBytes = JSON.stringify(headerOf(probe.jws)).length;
    const note = 'n'.repeat(1 + 5376 - probeBytes);
    const edge = await signer.sign({ json: 1 }, { header: { note } });
    expect(edge.jws.split('.')[0]).toHaveLength(7168);
    const error = await expectSignerError(signer.sign({ json: 1 }, { header: { note: `${note}n` } }), MessageInvalidError, 'ERR_MESSAGE_INVALID');
    expect(error.field).toBe('header');
    expect(error.message).toBe('the protected header is 7170 characters encoded, more than 7168: make the extra header parameters or the message id shorter');
  });

  it.each([
    ['application/json', 'json'],
    ['Application/JSON', 'JSON'],
    ['application/ld+json; charset=utf-8', 'ld+json; charset=utf-8'],
    ['application/json; profile="https://example.com/p"', 'application/json; profile="https://example.com/p"'],
    ['text/json', 'text/json'],
  ])('writes the content type %s as cty %s (application/ left out unless another / remains)', async (contentType, cty) => {
    const signed = await messageSigner().sign({ json: 1, contentType });
    expect(headerOf(signed.jws)['cty']).toBe(cty);
    expect(signed.contentType).toBe(contentType);
  });

  it("gives each token its own header: the signer's (cached per key), or the signer's with a call's parameters", async () => {
    const signer = createKmsJwtSigner({ keyId: key.arn, client: env().client, expiresInSeconds: 60, header: { v: 1 } });
    const headers = [];
    for (const header of [undefined, { topic: 'a' }, { topic: 'b' }, undefined]) headers.push(decodeToken(await signer.sign({}, header === undefined ? undefined : { header })).header);
    expect(headers).toEqual([
      { alg: 'ES256', kid: key.arn, typ: 'JWT', v: 1 },
      { alg: 'ES256', kid: key.arn, typ: 'JWT', v: 1, topic: 'a' },
      { alg: 'ES256', kid: key.arn, typ: 'JWT', v: 1, topic: 'b' },
      { alg: 'ES256', kid: key.arn, typ: 'JWT', v: 1 },
    ]);
  });

  it('passes on an error of its own that a KMS call rejects with, unchanged', async () => {
    const own = new KmsKeyDisabledError('disabled by the test', { keyId: 'alias/own' });
    const signer = createKmsJwtSigner({ keyId: key.arn, client: env().client, expiresInSeconds: 60, telemetry: { traceKmsCall: () => Promise.reject(own) } });
    const error = await signer.sign({}).catch((caught: unknown) => caught);
    expect(error).toBe(own);
  });
});
