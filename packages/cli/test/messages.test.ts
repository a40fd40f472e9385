import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner, createKmsMessageSigner } from 'kms-jwt-signer';
import type { KmsLocal } from 'kms-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectNoStackTrace, packageDir, runKmsJwt, scratchDir, startKms, unreachableEndpoint } from './support.js';

const execFileAsync = promisify(execFile);

/** The openssl check of the README, as it is printed there (a ```sh openssl-check block). */
function readmeOpensslCheck(): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const match = /```sh openssl-check\n([\s\S]*?)```/.exec(readme);
  if (match?.[1] === undefined) throw new Error('packages/cli/README.md has no ```sh openssl-check block');
  return match[1];
}

const COMPACT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const DETACHED = /^[\w-]+\.\.[\w-]+$/;
const ORDER = { order: 'o-1', lines: [{ sku: 'a', qty: 2 }], note: 'crème brûlée' };

describe.concurrent('kms-jwt sign-message and verify-message', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  let kms: KmsLocal;
  let kmsArgs: readonly string[] = [];
  let client: KMSClient;
  let arn = '';
  let rsaArn = '';
  let otherArn = '';
  const orderText = `${JSON.stringify(ORDER)}\n`;

  /** Writes `content` to a file of the scratch directory and returns its path. */
  async function file(name: string, content: string | Buffer): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
    ({ kms, kmsArgs } = await startKms());
    client = new KMSClient(kms.clientConfig);
    const createKey = async (KeySpec: 'ECC_NIST_P256' | 'RSA_2048'): Promise<string> => (await client.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
    arn = await createKey('ECC_NIST_P256');
    rsaArn = await createKey('RSA_2048');
    otherArn = await createKey('ECC_NIST_P256');
    await client.send(new CreateAliasCommand({ AliasName: 'alias/events', TargetKeyId: arn }));
    await file('order.json', orderText);
  }, 180_000);

  afterAll(async () => {
    client.destroy();
    await kms.close();
    await remove();
  });

  it('signs a JSON file as a compact JWS and verify-message prints the message exactly as signed, VALID on stderr', async () => {
    const signed = await runKmsJwt(['sign-message', '--key-id', 'alias/events', 'order.json', ...kmsArgs], dir);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stderr).toBe('');
    const jws = signed.stdout.trimEnd();
    expect(signed.stdout).toBe(`${jws}\n`);
    expect(jws).toMatch(COMPACT);
    await file('order.jws', signed.stdout);

    const verified = await runKmsJwt(['verify-message', '--alias', 'alias/events', '--max-age', '5m', 'order.jws', ...kmsArgs], dir);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toBe(orderText);
    expect(verified.stderr).toMatch(new RegExp(`^VALID: signed by ${arn.replace(/[/.]/g, '\\$&')} \\(ES256\\), message [0-9a-f-]{36}, application/json, signed 20`));
    // From stdin too.
    const fromStdin = await runKmsJwt(['verify-message', '--key', arn, '--max-age', '5m', ...kmsArgs], dir, { input: signed.stdout });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toBe(orderText);
  });

  it('signs from stdin with --detached, printing only header..signature, and verifies the unchanged message beside it', async () => {
    const signed = await runKmsJwt(['sign-message', '--key-id', arn, '--detached', '--message-id', 'order-o-1', '--expires-in', '10m', ...kmsArgs], dir, { input: orderText });
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout.trimEnd()).toMatch(DETACHED);
    await file('detached.sig', signed.stdout);

    const verified = await runKmsJwt(['verify-message', '--key', arn, '--max-age', '1h', '--detached', 'detached.sig', 'order.json', '--json', ...kmsArgs], dir);
    expect(verified.code, verified.stderr).toBe(0);
    const report = JSON.parse(verified.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ valid: true, messageId: 'order-o-1', key: arn, contentType: 'application/json', payload: ORDER });
    expect(report['header']).toMatchObject({ alg: 'ES256', kid: arn, typ: 'kms-jwt-message+jws', cty: 'json', jti: 'order-o-1', crit: ['exp'] });
    expect(verified.stderr).toBe('');
    // The message from stdin, the detached JWS from its file.
    const fromStdin = await runKmsJwt(['verify-message', '--key', arn, '--max-age', '1h', '--detached', 'detached.sig', ...kmsArgs], dir, { input: orderText });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toBe(orderText);
  });

  it('refuses a changed message (exit 1, ERR_JWS_SIGNATURE_INVALID), and a whitespace change is a change', async () => {
    const signed = await runKmsJwt(['sign-message', '--key-id', arn, '--detached', 'order.json', ...kmsArgs], dir);
    await file('tamper.sig', signed.stdout);
    for (const body of [orderText.replace('"qty":2', '"qty":20'), JSON.stringify(ORDER)]) {
      const result = await runKmsJwt(['verify-message', '--key', arn, '--max-age', '1h', '--detached', 'tamper.sig', '--json', ...kmsArgs], dir, { input: body });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ valid: false, error: { code: 'ERR_JWS_SIGNATURE_INVALID', family: 'token' } });
      expect(result.stderr).toMatch(/^kms-jwt verify-message: invalid message: ERR_JWS_SIGNATURE_INVALID: /);
    }
  });

  it('signs bytes of another content type; verify-message refuses them as JSON with a hint, and prints them with --bytes', async () => {
    const csv = Buffer.from('sku,qty\na,2\n\u00e9,1\n');
    await file('report.csv', csv);
    const signed = await runKmsJwt(['sign-message', '--key-id', rsaArn, '--alg', 'PS256', '--content-type', 'text/csv; charset=utf-8', 'report.csv', ...kmsArgs], dir);
    expect(signed.code, signed.stderr).toBe(0);
    await file('report.jws', signed.stdout);

    const asJson = await runKmsJwt(['verify-message', '--key', rsaArn, '--max-age', '5m', 'report.jws', ...kmsArgs], dir);
    expect(asJson.code).toBe(1);
    expect(asJson.stderr).toMatch(/invalid message: ERR_JWT_CLAIM_INVALID: the payload is text\/csv; charset=utf-8, not JSON.*\(pass --bytes to accept a message that is not JSON\)\n$/);
    expect(asJson.stdout).toBe('');

    const asBytes = await runKmsJwt(['verify-message', '--key', rsaArn, '--max-age', '5m', '--bytes', 'report.jws', ...kmsArgs], dir);
    expect(asBytes.code, asBytes.stderr).toBe(0);
    expect(asBytes.stdout).toBe(csv.toString('utf8'));
    expect(asBytes.stderr).toContain('(PS256), message ');
    const json = await runKmsJwt(['verify-message', '--key', rsaArn, '--max-age', '5m', '--bytes', '--json', 'report.jws', ...kmsArgs], dir);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, contentType: 'text/csv; charset=utf-8', payloadBase64: csv.toString('base64') });
  });

  it('signs a 256 KiB message (as a digest) and refuses one byte more with exit 2 (ERR_MESSAGE_TOO_LARGE)', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(262_144 - 10) });
    await file('big.json', big);
    const signed = await runKmsJwt(['sign-message', '--key-id', arn, '--detached', 'big.json', ...kmsArgs], dir);
    expect(signed.code, signed.stderr).toBe(0);
    await file('big.sig', signed.stdout);
    const verified = await runKmsJwt(['verify-message', '--key', arn, '--max-age', '5m', '--detached', 'big.sig', 'big.json', ...kmsArgs], dir);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toBe(big);

    const tooBig = await runKmsJwt(['sign-message', '--key-id', arn, ...kmsArgs], dir, { input: `${big} ` });
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/^kms-jwt sign-message: the payload is 262145 bytes, more than maxPayloadBytes \(262144\).* \[ERR_MESSAGE_TOO_LARGE\]\n/);
    expect(tooBig.stdout).toBe('');
  });

  it('refuses input that is not JSON under the default content type (exit 2, ERR_MESSAGE_INVALID) without echoing it', async () => {
    const result = await runKmsJwt(['sign-message', '--key-id', arn, ...kmsArgs], dir, { input: 'secret-value-5b1e, not JSON' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kms-jwt sign-message: the bytes are not UTF-8 JSON text, but their content type application\/json is JSON.* \[ERR_MESSAGE_INVALID\]\n/);
    expect(result.stderr).not.toContain('secret-value-5b1e');
    expectNoStackTrace(result.stderr);
  });

  it('refuses an access token as a message, and kms-jwt verify refuses a signed message as a token, with one key signing both', async () => {
    const token = await createKmsJwtSigner({ keyId: arn, client, expiresInSeconds: 300, issuer: 'https://issuer.example', audience: 'orders-api' }).sign({ sub: 'user-1' });
    const asMessage = await runKmsJwt(['verify-message', '--key', arn, '--max-age', '5m', '--json', ...kmsArgs], dir, { input: token });
    expect(asMessage.code).toBe(1);
    expect(JSON.parse(asMessage.stdout)).toMatchObject({ valid: false, error: { code: 'ERR_MESSAGE_TYPE_INVALID' } });

    const message = await createKmsMessageSigner({ keyId: arn, client }).sign({ json: { sub: 'user-1', iss: 'https://issuer.example', aud: 'orders-api', exp: Math.floor(Date.now() / 1000) + 300 } });
    const asToken = await runKmsJwt(['verify', '--key', arn, '--issuer', 'https://issuer.example', '--audience', 'orders-api', ...kmsArgs], dir, { input: message.jws });
    expect(asToken.code).toBe(1);
    expect(asToken.stderr).toMatch(/^kms-jwt verify: invalid token: ERR_TOKEN_IS_MESSAGE: /);
  });

  it('refuses a message older than --max-age, accepts it with --max-age none, and refuses a key it does not trust', async () => {
    const old = await createKmsMessageSigner({ keyId: arn, client, nowMs: () => Date.now() - 2 * 3600_000 }).sign({ json: ORDER });
    const tooOld = await runKmsJwt(['verify-message', '--key', arn, '--max-age', '1h', ...kmsArgs], dir, { input: old.jws });
    expect(tooOld.code).toBe(1);
    expect(tooOld.stderr).toMatch(/invalid message: ERR_JWT_TOO_OLD: the message was issued at \d+, more than 3600 s ago/);
    const anyAge = await runKmsJwt(['verify-message', '--key', arn, '--max-age', 'none', ...kmsArgs], dir, { input: old.jws });
    expect(anyAge.code, anyAge.stderr).toBe(0);

    const byOther = await createKmsMessageSigner({ keyId: otherArn, client }).sign({ json: ORDER });
    const untrusted = await runKmsJwt(['verify-message', '--alias', 'alias/events', '--max-age', '1h', ...kmsArgs], dir, { input: byOther.jws });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/invalid message: ERR_KID_UNTRUSTED: /);
  });

  it('verifies offline with --jwks, no KMS call', async () => {
    const jwks = await runKmsJwt(['jwks', '--alias', 'alias/events', '--out', 'events.jwks.json', ...kmsArgs], dir);
    expect(jwks.code, jwks.stderr).toBe(0);
    const message = await createKmsMessageSigner({ keyId: 'alias/events', client }).sign({ json: ORDER });
    const verified = await runKmsJwt(['verify-message', '--jwks', 'events.jwks.json', '--max-age', '5m', '--endpoint', await unreachableEndpoint()], dir, { input: message.jws });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toBe(JSON.stringify(ORDER));
  });

  it('exits 3 when KMS cannot be reached, signing or fetching the keys to verify with', async () => {
    const endpoint = await unreachableEndpoint();
    const signing = await runKmsJwt(['sign-message', '--key-id', arn, 'order.json', '--endpoint', endpoint, '--region', kms.region], dir, { env: { AWS_MAX_ATTEMPTS: '1' } });
    expect(signing.code).toBe(3);
    expect(signing.stderr).toMatch(/^kms-jwt sign-message: .*\[ERR_KMS_UNAVAILABLE\] \(endpoint: http:\/\/127\.0\.0\.1:\d+\)\n$/);
    const verifying = await runKmsJwt(['verify-message', '--key', arn, '--max-age', '5m', '--json', 'order.json', '--endpoint', endpoint, '--region', kms.region], dir, { env: { AWS_MAX_ATTEMPTS: '1' } });
    expect(verifying.code).toBe(3);
    expect(JSON.parse(verifying.stdout)).toMatchObject({ valid: false, error: { family: 'infrastructure' } });
    expect(verifying.stderr).toMatch(/^kms-jwt verify-message: cannot obtain the keys to verify with/);
  });

  it('exits 2 when verify-message gets an empty signed message, and 1 when sign-message is refused by KMS', async () => {
    const empty = await runKmsJwt(['verify-message', '--key', arn, '--max-age', '5m', ...kmsArgs], dir, { input: '\n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^kms-jwt verify-message: the signed message is empty/);
    const unknownKey = arn.replace(/key\/.*/, 'key/00000000-0000-4000-8000-000000000000');
    const refused = await runKmsJwt(['sign-message', '--key-id', unknownKey, 'order.json', ...kmsArgs], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\[ERR_KMS_KEY_NOT_FOUND\]\n$/);
  });

  it('checks a detached ES256 message with openssl alone, with the commands of the README', async () => {
    const body = await file('event.json', `${JSON.stringify({ event: 'order-created', pad: 'p'.repeat(6000) })}\n`);
    const signed = await runKmsJwt(['sign-message', '--key-id', 'alias/events', '--detached', body, ...kmsArgs], dir);
    expect(signed.code, signed.stderr).toBe(0);
    await file('event.jws', signed.stdout);
    const pem = await runKmsJwt(['jwks', '--alias', 'alias/events', '--format', 'pem', '--out', 'events.pem', ...kmsArgs], dir);
    expect(pem.code, pem.stderr).toBe(0);

    const script = readmeOpensslCheck();
    const ok = await execFileAsync('sh', ['-c', script], { cwd: dir });
    expect(ok.stdout).toBe('Verified OK\n');

    await file('event.json', `${JSON.stringify({ event: 'order-cancelled', pad: 'p'.repeat(6000) })}\n`);
    const failed = await execFileAsync('sh', ['-c', script], { cwd: dir }).then(
      () => undefined,
      (error: unknown) => error as { code?: unknown; stdout?: unknown },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toBe('Verification failure\n');
  });
});
