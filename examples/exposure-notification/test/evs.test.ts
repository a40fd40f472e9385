import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createDevice } from '../src/device.js';
import { daysBefore, intervalNumberOfDay, parseDate } from '../src/diagnosis.js';
import { AUDIENCE, errorCode, ISSUER, post, useLab } from './support.js';

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('the EVS', () => {
  const lab = useLab();

  async function code(body: Record<string, unknown> = { reportType: 'confirmed', testDate: daysBefore(Date.now(), 1) }): Promise<string> {
    const answer = await post(`${lab().evs.url}/v1/codes`, body);
    expect(answer.status).toBe(201);
    const value = answer.body['code'];
    if (typeof value !== 'string') throw new Error('no code in the answer');
    return value;
  }

  it('signs a certificate holding the diagnosis and the tekmac, and nothing about the person', async () => {
    const testDate = daysBefore(Date.now(), 2);
    const symptomOnsetDate = daysBefore(Date.now(), 4);
    const device = createDevice(Date.now());
    const answer = await post(`${lab().evs.url}/v1/certificates`, { code: await code({ reportType: 'likely', testDate, symptomOnsetDate }), tekmac: device.tekmac });
    expect(answer.status).toBe(200);
    const certificate = String(answer.body['certificate']);
    const header = JSON.parse(Buffer.from(certificate.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'ES256', kid: lab().evs.keyArn, typ: 'JWT' });
    const payload = decodePayload(certificate);
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'reportType', 'symptomOnsetInterval', 'tekmac', 'testDateInterval']);
    expect(payload).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      reportType: 'likely',
      tekmac: device.tekmac,
      testDateInterval: intervalNumberOfDay(parseDate(testDate) ?? 0),
      symptomOnsetInterval: intervalNumberOfDay(parseDate(symptomOnsetDate) ?? 0),
    });
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(900);
  });

  it('honours a verification code once only', async () => {
    const device = createDevice(Date.now());
    const once = await code();
    expect((await post(`${lab().evs.url}/v1/certificates`, { code: once, tekmac: device.tekmac })).status).toBe(200);
    const again = await post(`${lab().evs.url}/v1/certificates`, { code: once, tekmac: device.tekmac });
    expect([again.status, errorCode(again)]).toEqual([400, 'CODE_INVALID']);
  });

  it('refuses a tekmac that is not a 32-byte HMAC in standard base64', async () => {
    const answer = await post(`${lab().evs.url}/v1/certificates`, { code: await code(), tekmac: Buffer.alloc(20).toString('base64') });
    expect([answer.status, errorCode(answer)]).toEqual([400, 'REQUEST_INVALID']);
  });

  it.each([
    ['a negative report type', { reportType: 'negative', testDate: '2024-05-01' }, /reportType/],
    ['a test date in the future', { reportType: 'confirmed', testDate: daysBefore(Date.now(), -2) }, /testDate cannot be in the future/],
    ['an impossible date', { reportType: 'confirmed', testDate: '2024-02-30' }, /testDate must be a date/],
    ['a symptom onset in the future', { reportType: 'confirmed', testDate: '2024-05-01', symptomOnsetDate: daysBefore(Date.now(), -2) }, /symptomOnsetDate/],
  ])('refuses to issue a code for %s', async (_case, body, message) => {
    const answer = await post(`${lab().evs.url}/v1/codes`, body);
    expect([answer.status, errorCode(answer)]).toEqual([400, 'REQUEST_INVALID']);
    expect(JSON.stringify(answer.body)).toMatch(message);
  });

  it('publishes, as JWKS and as PEM, the public key KMS holds for its key ARN', async () => {
    const { PublicKey } = await lab().client.send(new GetPublicKeyCommand({ KeyId: lab().evs.keyArn }));
    const kms = createPublicKey({ key: Buffer.from(PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' });

    const jwksResponse = await fetch(`${lab().evs.url}/.well-known/jwks.json`);
    const jwks = (await jwksResponse.json()) as { keys: Array<{ kid: string; alg: string; use: string }> };
    expect(jwks.keys.map(({ kid, alg, use }) => ({ kid, alg, use }))).toEqual([{ kid: lab().evs.keyArn, alg: 'ES256', use: 'sig' }]);
    expect(createPublicKey({ key: jwks.keys[0] ?? {}, format: 'jwk' }).equals(kms)).toBe(true);

    const pemResponse = await fetch(`${lab().evs.url}/v1/public-key.pem`);
    expect(pemResponse.headers.get('x-kms-key-arn')).toBe(lab().evs.keyArn);
    expect(createPublicKey(await pemResponse.text()).equals(kms)).toBe(true);
  });
});
