import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createKmsJwtSigner, type KmsJwtSigner } from 'kms-jwt-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevice, randomTek, uploadBody } from '../src/device.js';
import { startEns, type Ens, type UploadEvent } from '../src/ens-server.js';
import { ENS_ENTRY } from '../src/ens-process.js';
import { AUDIENCE, errorCode, ISSUER, post, useLab } from './support.js';

describe('the ENS', () => {
  const lab = useLab();
  const events: UploadEvent[] = [];
  let ens: Ens;
  let signer: KmsJwtSigner;

  beforeAll(async () => {
    ens = await startEns({ trustedKeys: [{ kid: lab().evs.keyArn, file: lab().pemFile }], issuer: ISSUER, audience: AUDIENCE, maxBodyBytes: 8192, onUpload: (event) => events.push(event) });
    // Signs as the EVS does, with the EVS key, but with whatever claims a test needs.
    signer = createKmsJwtSigner({ client: lab().client, keyId: lab().evs.keyArn, issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 300 });
  });

  afterAll(async () => {
    await ens.close();
  });

  const publish = (body: unknown, headers: Record<string, string> = {}) => post(`${ens.url}/v1/publish`, body, headers);
  const diagnosis = { reportType: 'confirmed', testDateInterval: 2_860_128 };

  it('refuses to start with a PEM that is not bound to a key ARN', async () => {
    await expect(startEns({ trustedKeys: [{ file: lab().pemFile }], issuer: ISSUER, audience: AUDIENCE })).rejects.toThrow(/needs a kid/);
  });

  it('accepts a batch with a certificate signed by the trusted key, and publishes its keys with the report type', async () => {
    const device = createDevice(Date.now(), 3);
    const answer = await publish(uploadBody(device.keys, device.hmacKey, await signer.sign({ ...diagnosis, tekmac: device.tekmac })));
    expect(answer).toEqual({ status: 200, body: { status: 'accepted', insertedKeys: 3 } });
    const published = (await (await fetch(`${ens.url}/v1/diagnosis-keys`)).json()) as { keys: Array<{ key: string; reportType: string }> };
    expect(published.keys.filter((entry) => device.keys.some((key) => key.key === entry.key)).map((entry) => entry.reportType)).toEqual(['confirmed', 'confirmed', 'confirmed']);
  });

  it('rejects a certificate meant for another server with 401 ERR_JWT_CLAIM_INVALID', async () => {
    const device = createDevice(Date.now(), 2);
    const answer = await publish(uploadBody(device.keys, device.hmacKey, await signer.sign({ ...diagnosis, aud: 'another-ens', tekmac: device.tekmac })));
    expect([answer.status, errorCode(answer)]).toEqual([401, 'ERR_JWT_CLAIM_INVALID']);
  });

  it('rejects a certificate for a report type it does not publish with 401 ERR_JWT_CLAIM_INVALID', async () => {
    const device = createDevice(Date.now(), 2);
    const answer = await publish(uploadBody(device.keys, device.hmacKey, await signer.sign({ ...diagnosis, reportType: 'negative', tekmac: device.tekmac })));
    expect([answer.status, errorCode(answer)]).toEqual([401, 'ERR_JWT_CLAIM_INVALID']);
  });

  it('rejects a certificate without a tekmac claim with 401 ERR_JWT_CLAIM_MISSING', async () => {
    const device = createDevice(Date.now(), 2);
    const answer = await publish(uploadBody(device.keys, device.hmacKey, await signer.sign(diagnosis)));
    expect([answer.status, errorCode(answer)]).toEqual([401, 'ERR_JWT_CLAIM_MISSING']);
  });

  it('rejects a certificate without a jti, which could not be held to one use, with 401 ERR_JWT_CLAIM_MISSING', async () => {
    const device = createDevice(Date.now(), 2);
    const withoutJti = createKmsJwtSigner({ client: lab().client, keyId: lab().evs.keyArn, issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 300, jwtId: false });
    const answer = await publish(uploadBody(device.keys, device.hmacKey, await withoutJti.sign({ ...diagnosis, tekmac: device.tekmac })));
    expect([answer.status, errorCode(answer)]).toEqual([401, 'ERR_JWT_CLAIM_MISSING']);
    expect(JSON.stringify(answer.body)).toContain('jti');
  });

  it('rejects an upload without a certificate with 401 CERTIFICATE_MISSING', async () => {
    const device = createDevice(Date.now(), 2);
    const answer = await publish({ temporaryExposureKeys: device.keys, hmacKey: device.hmacKey.toString('base64') });
    expect([answer.status, errorCode(answer)]).toEqual([401, 'CERTIFICATE_MISSING']);
  });

  it('rejects an HMAC key shorter than 128 bits with 400 HMAC_KEY_INVALID', async () => {
    const device = createDevice(Date.now(), 2);
    const answer = await publish({ ...uploadBody(device.keys, device.hmacKey, 'x.y.z'), hmacKey: Buffer.alloc(15).toString('base64') });
    expect([answer.status, errorCode(answer)]).toEqual([400, 'HMAC_KEY_INVALID']);
  });

  it('rejects a malformed batch with 400 TEK_BATCH_INVALID before looking at the certificate', async () => {
    const device = createDevice(Date.now(), 2);
    const answer = await publish({ ...uploadBody(device.keys, device.hmacKey, 'not-a-certificate'), temporaryExposureKeys: [...device.keys, { ...randomTek(Date.UTC(2024, 4, 1), 1), rollingPeriod: 200 }] });
    expect([answer.status, errorCode(answer)]).toEqual([400, 'TEK_BATCH_INVALID']);
    expect(JSON.stringify(answer.body)).toContain('temporaryExposureKeys[2].rollingPeriod must be an integer from 1 to 144');
  });

  it('rejects a body that is not JSON with 400, another content type with 415 and a body over maxBodyBytes with 413', async () => {
    const notJson = await publish('{"temporaryExposureKeys": [');
    expect([notJson.status, errorCode(notJson)]).toEqual([400, 'BODY_MALFORMED']);
    const form = await publish('a=b', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect([form.status, errorCode(form)]).toEqual([415, 'CONTENT_TYPE_UNSUPPORTED']);
    const large = await publish({ padding: 'x'.repeat(9000) });
    expect([large.status, errorCode(large)]).toEqual([413, 'BODY_TOO_LARGE']);
  });

  it('reports each decision with the request id and the kid, and without keys, MACs or the certificate', async () => {
    const device = createDevice(Date.now(), 2);
    const certificate = await signer.sign({ ...diagnosis, tekmac: device.tekmac });
    await publish(uploadBody(device.keys.slice(1), device.hmacKey, certificate), { 'X-Request-Id': 'report-test' });
    const event = events.find((candidate) => candidate.requestId === 'report-test');
    expect(event).toEqual({
      requestId: 'report-test',
      status: 403,
      code: 'TEK_MAC_MISMATCH',
      message: expect.stringContaining('does not match its tekmac claim') as unknown as string,
      kid: lab().evs.keyArn,
      insertedKeys: 0,
    });
    const logged = JSON.stringify(events);
    for (const secret of [certificate, device.tekmac, device.hmacKey.toString('base64'), ...device.keys.map((key) => key.key)]) expect(logged).not.toContain(secret);
  });
});

describe('the ENS process (node dist/ens.js)', () => {
  const lab = useLab();

  it('stops by itself when the process that started it goes away (its stdin closes)', async () => {
    const child = spawn(process.execPath, [ENS_ENTRY, '--trust', lab().pemFile, '--kid', lab().evs.keyArn, '--issuer', ISSUER, '--audience', AUDIENCE, '--exit-with-parent'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '' },
    });
    const lines: unknown[] = [];
    const listening = new Promise<void>((resolve) =>
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(JSON.parse(line));
        if (lines.length === 1) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await listening;
    expect(lines[0]).toMatchObject({ event: 'listening', pid: child.pid, trustedKids: [lab().evs.keyArn] });
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(lines.at(-1)).toEqual({ event: 'stopped', why: 'parent gone' });
  });

  it('exits 2 naming the problem when its trust file cannot be read', async () => {
    const child = spawn(process.execPath, [ENS_ENTRY, '--trust', `${lab().directory}/missing.pem`, '--kid', lab().evs.keyArn, '--issuer', ISSUER, '--audience', AUDIENCE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^ENS: .*cannot read .*missing\.pem/);
  });
});
