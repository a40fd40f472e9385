import { createHash } from 'node:crypto';
import { KMSClient, type KeySpec } from '@aws-sdk/client-kms';
import { createVerifier } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeader } from '../src/claims.js';
import { createKmsJwtSigner, Ed25519InputTooLargeError, MAX_RAW_MESSAGE_BYTES, type JwsAlgorithm } from '../src/index.js';
import { startKmsProxy, type KmsProxy } from './kms-proxy.js';
import { createKey, decodeToken, expectSignerError, useKmsLocal, type TestKey } from './support.js';

const NOW = 1_800_000_000;
const EXPIRES_IN = 300;

interface Sized {
  readonly claims: Record<string, unknown>;
  readonly header: Record<string, unknown>;
}

/**
 * Claims (and, when needed, one extra header parameter) that make a signing input of exactly
 * `bytes` bytes, for a signer with jwtId false, typ JWT and a fixed clock. (base64url cannot make
 * every length, so the header is padded too.) The tests check the length of what was signed.
 */
function sizedTo(bytes: number, alg: JwsAlgorithm, kid: string): Sized {
  for (let extra = 0; extra < 4; extra += 1) {
    const header = extra === 0 ? {} : { x: 'h'.repeat(extra) };
    const headerLength = encodeHeader(alg, kid, 'JWT', header).length;
    // base64url makes 4 characters of 3 bytes: start a little below the pad that fills the rest.
    const start = Math.max(0, Math.floor(((bytes - headerLength - 1) * 3) / 4) - 80);
    for (let pad = start; pad < bytes; pad += 1) {
      const claims = { pad: 'p'.repeat(pad) };
      const payload = JSON.stringify({ ...claims, iat: NOW, exp: NOW + EXPIRES_IN });
      const length = headerLength + 1 + Buffer.from(payload).toString('base64url').length;
      if (length === bytes) return { claims, header };
      if (length > bytes) break;
    }
  }
  throw new Error(`no claims make a signing input of ${bytes} bytes`);
}

describe('signing inputs over 4096 bytes go to KMS as a digest', () => {
  const env = useKmsLocal();
  let proxy: KmsProxy;
  let client: KMSClient;
  const keys = new Map<KeySpec, TestKey>();

  beforeAll(async () => {
    proxy = await startKmsProxy(env().kms);
    client = new KMSClient({ ...proxy.clientConfig, maxAttempts: 1 });
    for (const spec of ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'RSA_2048', 'ECC_NIST_EDWARDS25519'] as const) {
      keys.set(spec, await createKey(env().client, spec));
    }
  });

  afterAll(async () => {
    client.destroy();
    await proxy.close();
  });

  function key(spec: KeySpec): TestKey {
    const found = keys.get(spec);
    if (found === undefined) throw new Error(`no ${spec} key`);
    return found;
  }

  /** Signs claims sized to `bytes`; returns the token and the Sign request that made it. */
  async function signSized(spec: KeySpec, alg: JwsAlgorithm, bytes: number): Promise<{ token: string; request: Record<string, unknown> }> {
    const { arn } = key(spec);
    const { claims, header } = sizedTo(bytes, alg, arn);
    const signer = createKmsJwtSigner({ keyId: arn, algorithm: alg, client, expiresInSeconds: EXPIRES_IN, jwtId: false, nowMs: () => NOW * 1000 });
    proxy.requests.length = 0;
    const token = await signer.sign(claims, { header });
    expect(decodeToken(token).signingInput).toHaveLength(bytes);
    const signs = proxy.requests.filter((request) => request.operation === 'Sign');
    expect(signs).toHaveLength(1);
    return { token, request: signs[0]?.body ?? {} };
  }

  async function verifies(spec: KeySpec, token: string): Promise<boolean> {
    const { arn, pem } = key(spec);
    const verifier = createVerifier({ keys: [{ kid: arn, key: pem }], issuer: null, audience: null, maxTokenBytes: 65_536, nowMs: () => NOW * 1000 });
    const result = await verifier.verify(token).then(
      () => true,
      () => false,
    );
    return result;
  }

  it(`sends a signing input of exactly ${MAX_RAW_MESSAGE_BYTES} bytes as RAW`, async () => {
    const { token, request } = await signSized('ECC_NIST_P256', 'ES256', 4096);
    expect(request['MessageType']).toBe('RAW');
    expect(Buffer.from(String(request['Message']), 'base64').toString('latin1')).toBe(decodeToken(token).signingInput);
    expect(await verifies('ECC_NIST_P256', token)).toBe(true);
  });

  it('sends a signing input of 4097 bytes as the SHA-256 DIGEST computed locally, and the token verifies', async () => {
    const { token, request } = await signSized('ECC_NIST_P256', 'ES256', 4097);
    expect(request['MessageType']).toBe('DIGEST');
    const digest = createHash('sha256').update(decodeToken(token).signingInput).digest();
    expect(Buffer.from(String(request['Message']), 'base64')).toEqual(digest);
    expect(await verifies('ECC_NIST_P256', token)).toBe(true);
  });

  it.each([
    ['ES256', 'ECC_NIST_P256', 32],
    ['ES384', 'ECC_NIST_P384', 48],
    ['ES512', 'ECC_NIST_P521', 64],
    ['ES256K', 'ECC_SECG_P256K1', 32],
    ['RS256', 'RSA_2048', 32],
    ['RS384', 'RSA_2048', 48],
    ['RS512', 'RSA_2048', 64],
    ['PS256', 'RSA_2048', 32],
    ['PS384', 'RSA_2048', 48],
    ['PS512', 'RSA_2048', 64],
  ] as const)('signs a 20,000-byte %s token via DIGEST (%s, a %i-byte digest), which verifies', async (alg, spec, digestBytes) => {
    const { token, request } = await signSized(spec, alg, 20_000);
    expect(request['MessageType']).toBe('DIGEST');
    expect(Buffer.from(String(request['Message']), 'base64')).toHaveLength(digestBytes);
    expect(request['SigningAlgorithm']).toMatch(new RegExp(`SHA_${digestBytes * 8}$`));
    expect(await verifies(spec, token)).toBe(true);
  });

  it(`signs an EdDSA signing input of exactly ${MAX_RAW_MESSAGE_BYTES} bytes as RAW`, async () => {
    const { token, request } = await signSized('ECC_NIST_EDWARDS25519', 'EdDSA', 4096);
    expect(request['MessageType']).toBe('RAW');
    expect(await verifies('ECC_NIST_EDWARDS25519', token)).toBe(true);
  });

  it('refuses an EdDSA signing input of 4097 bytes with ERR_INPUT_TOO_LARGE_FOR_ED25519, without calling Sign', async () => {
    const { arn } = key('ECC_NIST_EDWARDS25519');
    const { claims, header } = sizedTo(4097, 'EdDSA', arn);
    const signer = createKmsJwtSigner({ keyId: arn, client, expiresInSeconds: EXPIRES_IN, jwtId: false, nowMs: () => NOW * 1000 });
    proxy.requests.length = 0;
    const error = await expectSignerError(signer.sign(claims, { header }), Ed25519InputTooLargeError, 'ERR_INPUT_TOO_LARGE_FOR_ED25519');
    expect(error.message).toContain('the signing input is 4097 bytes');
    expect(error.message).toContain(arn);
    expect(error.message).not.toContain('ppp');
    expect(error.keyId).toBe(arn);
    expect(proxy.requests.map((request) => request.operation)).toEqual(['DescribeKey']);
  });
});
