import { constants, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKmsJwtSigner, createKmsMessageSigner, KmsAccessDeniedError, KmsRequestError, KmsSignatureInvalidError, type JwsAlgorithm } from '../src/index.js';
import { useKmsProxy } from './kms-proxy.js';
import { createKey, decodeToken, expectSignerError, useKmsLocal, type TestKey } from './support.js';

// selfVerify: what the signer does with each GetPublicKey answer it must not trust, and with a public
// key that cannot check the signature at all. No token goes out unless its signature was checked.

/** A public key's SPKI DER, base64, as GetPublicKey's JSON answer carries it. */
function spkiBase64(key: { export(options: { format: 'der'; type: 'spki' }): Buffer }): string {
  return key.export({ format: 'der', type: 'spki' }).toString('base64');
}

describe('kms-jwt-signer selfVerify: GetPublicKey answers it refuses', () => {
  const env = useKmsLocal();
  const through = useKmsProxy(env);
  let ec: TestKey;
  let rsa: TestKey;

  beforeAll(async () => {
    ec = await createKey(env().client, 'ECC_NIST_P256');
    rsa = await createKey(env().client, 'RSA_2048');
  });

  function checkedSigner(key: TestKey, algorithm?: JwsAlgorithm) {
    return createKmsJwtSigner({ keyId: key.arn, expiresInSeconds: 300, client: through().client, selfVerify: true, ...(algorithm === undefined ? {} : { algorithm }) });
  }

  /** Runs `test` while GetPublicKey's answer is rewritten by `change`. */
  async function withPublicKeyAnswer(change: (answer: Record<string, unknown>) => Record<string, unknown>, test: () => Promise<void>): Promise<void> {
    const { proxy } = through();
    proxy.rules = { rewrite: (operation, answer) => (operation === 'GetPublicKey' ? change(answer) : answer) };
    try {
      await test();
    } finally {
      proxy.rules = {};
    }
  }

  it.each([
    ['for another key', (answer: Record<string, unknown>) => ({ ...answer, KeyId: rsa.arn }), 'answered for another key or without a public key'],
    ['without a public key', ({ PublicKey: _dropped, ...answer }: Record<string, unknown>) => answer, 'answered for another key or without a public key'],
    ['with a public key that cannot verify ES256 (Ed25519)', (answer: Record<string, unknown>) => ({ ...answer, PublicKey: spkiBase64(generateKeyPairSync('ed25519').publicKey) }), 'returned a public key that cannot verify ES256'],
    ['with a public key of a kind no JWS algorithm takes (X25519)', (answer: Record<string, unknown>) => ({ ...answer, PublicKey: spkiBase64(generateKeyPairSync('x25519').publicKey) }), 'returned a public key that cannot verify ES256'],
  ])('refuses a GetPublicKey answer %s, and issues no token', async (_name, change, what) => {
    await withPublicKeyAnswer(change, async () => {
      const error = await expectSignerError(checkedSigner(ec).sign({ sub: 'user-1' }), KmsRequestError, 'ERR_KMS_REQUEST_FAILED');
      expect(error.message).toBe(`KMS GetPublicKey for ${ec.arn} ${what}`);
      expect(error.keyId).toBe(ec.arn);
      expect(error.cause).toBeUndefined();
    });
  });

  it('refuses a GetPublicKey answer whose public key does not parse, with the parser error as the cause', async () => {
    await withPublicKeyAnswer(
      (answer) => ({ ...answer, PublicKey: Buffer.from('not a key').toString('base64') }),
      async () => {
        const error = await expectSignerError(checkedSigner(ec).hydrate(), KmsRequestError, 'ERR_KMS_REQUEST_FAILED');
        expect(error.message).toBe(`KMS GetPublicKey for ${ec.arn} returned a public key that does not parse`);
        expect(error.keyId).toBe(ec.arn);
        expect(error.cause).toBeInstanceOf(Error);
      },
    );
  });

  it('maps a GetPublicKey that KMS denies to ERR_KMS_ACCESS_DENIED, and asks again on the next call', async () => {
    const { proxy } = through();
    const signer = checkedSigner(ec);
    proxy.rules = { intercept: (operation) => (operation === 'GetPublicKey' ? { status: 400, body: { __type: 'AccessDeniedException', message: 'no kms:GetPublicKey' } } : undefined) };
    try {
      const error = await expectSignerError(signer.sign({}), KmsAccessDeniedError, 'ERR_KMS_ACCESS_DENIED');
      expect(error.message).toMatch(new RegExp(`^KMS GetPublicKey for ${ec.arn} was denied: .*\\(AccessDeniedException: no kms:GetPublicKey\\)$`));
    } finally {
      proxy.rules = {};
    }
    // The failed fetch is not remembered: the same signer fetches the public key again, and signs.
    const token = await signer.sign({});
    expect(decodeToken(token).header['kid']).toBe(ec.arn);
  });

  it('names what was not issued in a refused Sign answer: no token, no message', async () => {
    const { proxy, client } = through();
    proxy.rules = { rewrite: (operation, answer) => (operation === 'Sign' ? { ...answer, Signature: '' } : answer) };
    try {
      const token = await expectSignerError(createKmsJwtSigner({ keyId: ec.arn, expiresInSeconds: 60, client }).sign({}), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
      expect(token.message).toMatch(/; no token was issued$/);
      const message = await expectSignerError(createKmsMessageSigner({ keyId: ec.arn, client }).sign({ json: 1 }), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
      expect(message.message).toMatch(/; no message was issued$/);
    } finally {
      proxy.rules = {};
    }
  });

  it('refuses a signature its public key cannot check at all (an RSA-PSS key bound to SHA-512, for PS256): no token goes out', async () => {
    // node:crypto throws ("digest not allowed") rather than answering false; that is not a pass.
    const { publicKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha512', mgf1HashAlgorithm: 'sha512' });
    await withPublicKeyAnswer(
      (answer) => ({ ...answer, PublicKey: spkiBase64(publicKey) }),
      async () => {
        const error = await expectSignerError(checkedSigner(rsa, 'PS256').sign({ sub: 'user-1' }), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
        expect(error.message).toContain('does not verify against its public key (selfVerify)');
      },
    );
    // The same signer with KMS's own public key signs.
    expect(decodeToken(await checkedSigner(rsa, 'PS256').sign({})).header['alg']).toBe('PS256');
  });

  it.each([
    ['no salt', 0],
    ['a 20-byte salt', 20],
  ])('refuses a PS256 signature with %s (KMS salts with the hash length, 32 bytes), and takes one with a 32-byte salt', async (_name, saltLength) => {
    // Sign answered with a signature of the test's own RSA key over what the signer sent, and
    // GetPublicKey with that key's public half: only the salt length tells the two signatures apart.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signWithSalt = (salt: number) => (operation: string, body: Record<string, unknown>) => {
      if (operation !== 'Sign') return undefined;
      const signature = cryptoSign('sha256', Buffer.from(String(body['Message']), 'base64'), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt });
      return { status: 200, body: { KeyId: rsa.arn, Signature: signature.toString('base64'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' } };
    };
    const { proxy } = through();
    const publicKeyAnswer = (operation: string, answer: Record<string, unknown>) => (operation === 'GetPublicKey' ? { ...answer, PublicKey: spkiBase64(publicKey) } : answer);
    try {
      proxy.rules = { intercept: signWithSalt(saltLength), rewrite: publicKeyAnswer };
      const error = await expectSignerError(checkedSigner(rsa, 'PS256').sign({ sub: 'user-1' }), KmsSignatureInvalidError, 'ERR_KMS_SIGNATURE_INVALID');
      expect(error.message).toBe(`the signature KMS returned for ${rsa.arn} does not verify against its public key (selfVerify); no token was issued`);
      proxy.rules = { intercept: signWithSalt(32), rewrite: publicKeyAnswer };
      expect(decodeToken(await checkedSigner(rsa, 'PS256').sign({ sub: 'user-1' })).header['kid']).toBe(rsa.arn);
    } finally {
      proxy.rules = {};
    }
  });
});
