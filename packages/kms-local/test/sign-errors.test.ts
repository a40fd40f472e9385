import { createHash } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisabledException,
  DryRunOperationException,
  InvalidKeyUsageException,
  KMSInvalidSignatureException,
  GetPublicKeyCommand,
  NotFoundException,
  SignCommand,
  SigningAlgorithmSpec,
  VerifyCommand,
  type CreateKeyCommandInput,
  type KMSClient,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError } from './expect-kms-error.js';
import { useKmsLocal } from './support.js';

const MESSAGE = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJrbXMtbG9jYWwifQ');

async function createKey(client: KMSClient, input: CreateKeyCommandInput): Promise<KeyMetadata> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand(input));
  if (KeyMetadata === undefined) throw new Error('CreateKey returned no KeyMetadata');
  return KeyMetadata;
}

describe('Sign and Verify errors through the SDK', () => {
  const env = useKmsLocal();
  let p256: KeyMetadata;
  let ed25519: KeyMetadata;
  let rsaEncrypt: KeyMetadata;
  let symmetric: KeyMetadata;
  let signature: Uint8Array;

  beforeAll(async () => {
    const { client } = env();
    [p256, ed25519, rsaEncrypt, symmetric] = await Promise.all([
      createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      createKey(client, { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' }),
      createKey(client, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }),
      createKey(client, {}),
    ]);
    const signed = await client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }));
    signature = signed.Signature ?? new Uint8Array();
  });

  describe('a signing algorithm the key spec does not offer', () => {
    const wrong: readonly SigningAlgorithmSpec[] = ['ECDSA_SHA_384', 'ECDSA_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256', 'ED25519_SHA_512'];

    it.each(wrong)('rejects Sign with InvalidKeyUsageException when a P-256 key is asked for %s', async (algorithm) => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: algorithm })), 'InvalidKeyUsageException', {
        type: InvalidKeyUsageException,
        message: `Algorithm ${algorithm} is incompatible with key spec ECC_NIST_P256`,
      });
    });

    it.each(wrong)('rejects Verify with InvalidKeyUsageException when a P-256 key is asked for %s', async (algorithm) => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: MESSAGE, Signature: signature, SigningAlgorithm: algorithm })),
        'InvalidKeyUsageException',
        { type: InvalidKeyUsageException, message: 'incompatible with key spec ECC_NIST_P256' },
      );
    });

    it('rejects Sign with InvalidKeyUsageException when an Ed25519 key is asked for ECDSA_SHA_512', async () => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: ed25519.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_512' })), 'InvalidKeyUsageException', {
        type: InvalidKeyUsageException,
        message: 'incompatible with key spec ECC_NIST_EDWARDS25519',
      });
    });

    it('rejects a SigningAlgorithm outside the KMS enum with ValidationException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: 'ES256' as SigningAlgorithmSpec })), 'ValidationException', {
        message: "Value 'ES256' at 'signingAlgorithm'",
      });
    });
  });

  describe('every SigningAlgorithm value of the KMS model', () => {
    it.each(['SM2DSA', 'ML_DSA_SHAKE_256'] as const)('answers %s for a P-256 key with InvalidKeyUsageException, not a validation error', async (algorithm) => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: algorithm })), 'InvalidKeyUsageException', {
        type: InvalidKeyUsageException,
        message: `Algorithm ${algorithm} is incompatible with key spec ECC_NIST_P256.`,
      });
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: MESSAGE, Signature: signature, SigningAlgorithm: algorithm })),
        'InvalidKeyUsageException',
      );
    });

    it('takes each value of the SDK\'s SigningAlgorithmSpec enum: the one that fits signs, the others are InvalidKeyUsageException', async () => {
      const { client } = env();
      const outcomes = new Map<string, string>();
      for (const algorithm of Object.values(SigningAlgorithmSpec)) {
        try {
          await client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: algorithm }));
          outcomes.set(algorithm, 'signed');
        } catch (error) {
          outcomes.set(algorithm, (error as Error).name);
        }
      }
      expect(Object.fromEntries(outcomes)).toEqual(
        Object.fromEntries(Object.values(SigningAlgorithmSpec).map((algorithm) => [algorithm, algorithm === 'ECDSA_SHA_256' ? 'signed' : 'InvalidKeyUsageException'])),
      );
    });

    it('rejects MessageType EXTERNAL_MU (ML-DSA only) for an ECDSA key with ValidationException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new SignCommand({ KeyId: p256.KeyId, Message: Buffer.alloc(64, 1), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ECDSA_SHA_256' })),
        'ValidationException',
        { message: 'EXTERNAL_MU' },
      );
    });
  });

  describe('GrantTokens (GrantTokenList in the KMS model: at most 10 tokens of 1 to 8192 characters)', () => {
    const tokens = (count: number, length = 20) => Array.from({ length: count }, (_, index) => `${index}`.padEnd(length, 't'));

    it('accepts 10 grant tokens in Sign, Verify, DescribeKey and GetPublicKey', async () => {
      const { client } = env();
      const GrantTokens = tokens(10);
      const signed = await client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256', GrantTokens }));
      const verified = await client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: MESSAGE, Signature: signed.Signature, SigningAlgorithm: 'ECDSA_SHA_256', GrantTokens }));
      expect(verified.SignatureValid).toBe(true);
      expect((await client.send(new DescribeKeyCommand({ KeyId: p256.KeyId, GrantTokens }))).KeyMetadata?.KeyId).toBe(p256.KeyId);
      expect((await client.send(new GetPublicKeyCommand({ KeyId: p256.KeyId, GrantTokens }))).KeyId).toBe(p256.Arn);
    });

    it('rejects 11 grant tokens with ValidationException in Sign, Verify, DescribeKey and GetPublicKey', async () => {
      const { client } = env();
      const GrantTokens = tokens(11);
      const expected = { message: "Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10" };
      await expectKmsError(client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256', GrantTokens })), 'ValidationException', expected);
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: MESSAGE, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256', GrantTokens })),
        'ValidationException',
        expected,
      );
      await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: p256.KeyId, GrantTokens })), 'ValidationException', expected);
      await expectKmsError(client.send(new GetPublicKeyCommand({ KeyId: p256.KeyId, GrantTokens })), 'ValidationException', expected);
    });

    it('rejects an empty grant token and one of 8193 characters with ValidationException', async () => {
      const { client } = env();
      for (const GrantTokens of [[''], tokens(1, 8193)]) {
        await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: p256.KeyId, GrantTokens })), 'ValidationException', { message: "'grantTokens'" });
      }
    });
  });

  describe('a key that is not for SIGN_VERIFY', () => {
    it('rejects Sign with InvalidKeyUsageException when the key is an RSA ENCRYPT_DECRYPT key', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new SignCommand({ KeyId: rsaEncrypt.KeyId, Message: MESSAGE, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
        'InvalidKeyUsageException',
        // AWS KMS's words (recorded from AWS in localstack's KMS snapshot tests).
        { type: InvalidKeyUsageException, message: `${rsaEncrypt.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.` },
      );
    });

    it('rejects Verify with InvalidKeyUsageException when the key is an RSA ENCRYPT_DECRYPT key', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: rsaEncrypt.Arn, Message: MESSAGE, Signature: Buffer.alloc(256, 1), SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' })),
        'InvalidKeyUsageException',
        { type: InvalidKeyUsageException, message: `${rsaEncrypt.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Verify.` },
      );
    });

    it('rejects Sign with InvalidKeyUsageException when the key is a SYMMETRIC_DEFAULT key', async () => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: symmetric.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException', {
        type: InvalidKeyUsageException,
        message: 'key usage is ENCRYPT_DECRYPT',
      });
    });
  });

  describe('message size', () => {
    it('signs a RAW message of exactly 4096 bytes', async () => {
      const { client } = env();
      const signed = await client.send(new SignCommand({ KeyId: p256.KeyId, Message: Buffer.alloc(4096, 0x61), SigningAlgorithm: 'ECDSA_SHA_256' }));
      expect(signed.Signature?.length).toBeGreaterThan(60);
    });

    it('rejects a RAW message of 4097 bytes with ValidationException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: p256.KeyId, Message: Buffer.alloc(4097, 0x61), SigningAlgorithm: 'ECDSA_SHA_256' })), 'ValidationException', {
        message: "'message' failed to satisfy constraint: Member must have length between 1 and 4096 bytes",
      });
    });

    it('rejects Verify of a 4097-byte message with ValidationException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: Buffer.alloc(4097, 0x61), Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })),
        'ValidationException',
        { message: "'message'" },
      );
    });

    it('rejects an empty message with ValidationException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: p256.KeyId, Message: new Uint8Array(), SigningAlgorithm: 'ECDSA_SHA_256' })), 'ValidationException', {
        message: "'message'",
      });
    });
  });

  describe('MessageType DIGEST', () => {
    it('signs a 32-byte SHA-256 digest with ECDSA_SHA_256, and Verify of the RAW message accepts it', async () => {
      const { client } = env();
      const digest = createHash('sha256').update(MESSAGE).digest();
      const signed = await client.send(new SignCommand({ KeyId: p256.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }));
      const verified = await client.send(
        new VerifyCommand({ KeyId: p256.KeyId, Message: MESSAGE, MessageType: 'RAW', Signature: signed.Signature, SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      expect(verified.SignatureValid).toBe(true);
    });

    it.each([31, 33, 48, 64])('rejects a %i-byte digest for ECDSA_SHA_256 with ValidationException', async (length) => {
      const { client } = env();
      await expectKmsError(
        client.send(new SignCommand({ KeyId: p256.KeyId, Message: Buffer.alloc(length, 7), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })),
        'ValidationException',
        // AWS KMS's message (recorded from AWS in localstack's KMS snapshot tests), then kms-local's detail.
        { message: new RegExp(`^Digest is invalid length for algorithm ECDSA_SHA_256\\. \\(kms-local: expected 32 bytes, got ${length}\\.\\)$`) },
      );
    });

    it('rejects Verify with a digest of the wrong length with ValidationException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: Buffer.alloc(20, 7), MessageType: 'DIGEST', Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })),
        'ValidationException',
        { message: 'Digest is invalid length' },
      );
    });

    it('rejects ED25519_SHA_512 with MessageType DIGEST in Sign with ValidationException', async () => {
      const { client } = env();
      const digest = createHash('sha512').update(MESSAGE).digest();
      await expectKmsError(
        client.send(new SignCommand({ KeyId: ed25519.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_SHA_512' })),
        'ValidationException',
        { message: 'ED25519_SHA_512' },
      );
    });

    it('rejects ED25519_SHA_512 with MessageType DIGEST in Verify with ValidationException', async () => {
      const { client } = env();
      const digest = createHash('sha512').update(MESSAGE).digest();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: ed25519.KeyId, Message: digest, MessageType: 'DIGEST', Signature: Buffer.alloc(64, 1), SigningAlgorithm: 'ED25519_SHA_512' })),
        'ValidationException',
        { message: 'ED25519_SHA_512' },
      );
    });

    it('rejects ED25519_PH_SHA_512 with MessageType RAW in Sign and Verify with ValidationException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new SignCommand({ KeyId: ed25519.KeyId, Message: MESSAGE, MessageType: 'RAW', SigningAlgorithm: 'ED25519_PH_SHA_512' })),
        'ValidationException',
        { message: 'use MessageType DIGEST' },
      );
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: ed25519.KeyId, Message: MESSAGE, MessageType: 'RAW', Signature: Buffer.alloc(64, 1), SigningAlgorithm: 'ED25519_PH_SHA_512' })),
        'ValidationException',
        { message: 'use MessageType DIGEST' },
      );
    });
  });

  describe('signatures that do not verify', () => {
    it('rejects a signature with one flipped bit with KMSInvalidSignatureException', async () => {
      const { client } = env();
      const tampered = Buffer.from(signature);
      const last = tampered.length - 1;
      tampered[last] = (tampered[last] ?? 0) ^ 0x01;
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: MESSAGE, Signature: tampered, SigningAlgorithm: 'ECDSA_SHA_256' })),
        'KMSInvalidSignatureException',
        { type: KMSInvalidSignatureException, message: 'not valid' },
      );
    });

    it('rejects a valid signature over another message with KMSInvalidSignatureException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: Buffer.from('another message'), Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })),
        'KMSInvalidSignatureException',
        { type: KMSInvalidSignatureException, message: 'not valid' },
      );
    });

    it('rejects bytes that are not a DER signature at all with KMSInvalidSignatureException, not a server error', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: MESSAGE, Signature: Buffer.from('not a signature'), SigningAlgorithm: 'ECDSA_SHA_256' })),
        'KMSInvalidSignatureException',
        { type: KMSInvalidSignatureException },
      );
    });

    it('rejects a P-256 signature checked against another P-256 key with KMSInvalidSignatureException', async () => {
      const { client } = env();
      const other = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: other.KeyId, Message: MESSAGE, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })),
        'KMSInvalidSignatureException',
        { type: KMSInvalidSignatureException },
      );
    });

    it('accepts the untampered signature, answering with the key ARN', async () => {
      const { client } = env();
      const verified = await client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: MESSAGE, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' }));
      expect(verified).toMatchObject({ KeyId: p256.Arn, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_256' });
    });
  });

  describe('DryRun', () => {
    it('answers Sign with DryRun true with DryRunOperationException (HTTP 412)', async () => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })), 'DryRunOperationException', {
        type: DryRunOperationException,
        status: 412,
        message: 'would have succeeded',
      });
    });

    it('answers Verify with DryRun true with DryRunOperationException (HTTP 412), before checking the signature', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: p256.KeyId, Message: MESSAGE, Signature: Buffer.from('garbage'), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })),
        'DryRunOperationException',
        { type: DryRunOperationException, status: 412, message: 'DryRun' },
      );
    });

    it('reports the real error instead when the request would fail: a wrong algorithm is InvalidKeyUsageException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_384', DryRun: true })), 'InvalidKeyUsageException', {
        type: InvalidKeyUsageException,
      });
    });

    it('reports the real error instead when the key is disabled: DisabledException', async () => {
      const { client } = env();
      const disabled = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
      await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
      await expectKmsError(client.send(new SignCommand({ KeyId: disabled.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })), 'DisabledException', {
        type: DisabledException,
        message: 'is disabled',
      });
    });

    it('signs normally with DryRun false', async () => {
      const { client } = env();
      const signed = await client.send(new SignCommand({ KeyId: p256.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: false }));
      expect(signed.KeyId).toBe(p256.Arn);
      expect(signed.SigningAlgorithm).toBe('ECDSA_SHA_256');
    });
  });

  describe('key identifiers', () => {
    it('signs through an alias name and answers with the key ARN', async () => {
      const { client } = env();
      await client.send(new CreateAliasCommand({ AliasName: 'alias/sign-errors/p256', TargetKeyId: p256.KeyId }));
      const signed = await client.send(new SignCommand({ KeyId: 'alias/sign-errors/p256', Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }));
      expect(signed.KeyId).toBe(p256.Arn);
    });

    it('rejects Sign with an unknown alias with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new SignCommand({ KeyId: 'alias/sign-errors/missing', Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' })), 'NotFoundException', {
        type: NotFoundException,
        message: 'alias/sign-errors/missing is not found',
      });
    });

    it('rejects Verify with an unknown key id with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: '00000000-0000-4000-8000-000000000000', Message: MESSAGE, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })),
        'NotFoundException',
        { type: NotFoundException, message: 'does not exist' },
      );
    });
  });
});
