import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { GetPublicKeyCommand, KMSInvalidSignatureException, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { useKmsLocal } from './support.js';

/*
 * The KMS Sign API reference (MessageType): "When you specify the ED25519_PH_SHA_512 signing algorithm
 * with MessageType:DIGEST, KMS still performs the SHA-512 prehash described in Step 1 of Section 7.8.1
 * in FIPS 186-5. This means the input is hashed twice: once by you and once by KMS." So what KMS signs
 * is Ed25519ph (RFC 8032 5.1) of the 64 bytes it is given, whose pre-hash is SHA-512 of those bytes.
 */

/** RFC 8032 section 7.3, the Ed25519ph test vector ("abc"). */
const RFC8032_SECRET = Buffer.from('833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42', 'hex');
const RFC8032_PUBLIC = Buffer.from('ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf', 'hex');
const RFC8032_SIGNATURE = Buffer.from(
  '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406',
  'hex',
);

// The key kms-local holds is generated here, at test time: none is committed.
const generated = generateKeyPairSync('ed25519');
const PRIVATE_PEM = generated.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SECRET = Buffer.from(generated.privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
const PUBLIC = Buffer.from(generated.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
const KEY_ID = '2f0c6a5e-4b1f-4c39-9d57-1c1b2f3d4e51';

describe('ED25519_PH_SHA_512 with MessageType DIGEST hashes the submitted digest again, as AWS KMS does', () => {
  const env = useKmsLocal({ seed: { keys: [{ keyId: KEY_ID, keySpec: 'ECC_NIST_EDWARDS25519', privateKeyPem: PRIVATE_PEM }] } });
  const digest = createHash('sha512').update('a message longer than KMS would take raw, or any message at all').digest();

  it('uses an Ed25519ph reference that reproduces the RFC 8032 test vector', () => {
    expect(Buffer.from(ed25519ph.getPublicKey(RFC8032_SECRET))).toEqual(RFC8032_PUBLIC);
    expect(Buffer.from(ed25519ph.sign(Buffer.from('abc'), RFC8032_SECRET))).toEqual(RFC8032_SIGNATURE);
  });

  it('holds the seeded key: GetPublicKey answers its public key', async () => {
    const { client } = env();
    const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: KEY_ID }));
    const jwk = createPublicKey({ key: Buffer.from(PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    expect(Buffer.from(jwk.x ?? '', 'base64url')).toEqual(PUBLIC);
  });

  it('signs so that Ed25519ph over the submitted digest verifies (the signature AWS KMS gives)', async () => {
    const { client } = env();
    const { Signature } = await client.send(new SignCommand({ KeyId: KEY_ID, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_PH_SHA_512' }));
    const signature = Buffer.from(Signature ?? new Uint8Array());
    // Ed25519 signatures are deterministic: the same bytes as the reference computes.
    expect(signature).toEqual(Buffer.from(ed25519ph.sign(digest, SECRET)));
    expect(ed25519ph.verify(signature, digest, PUBLIC)).toBe(true);
  });

  it('accepts in Verify a signature made like AWS KMS makes it, from outside kms-local', async () => {
    const { client } = env();
    const awsStyle = ed25519ph.sign(digest, SECRET);
    const answer = await client.send(
      new VerifyCommand({ KeyId: KEY_ID, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_PH_SHA_512', Signature: awsStyle }),
    );
    expect(answer.SignatureValid).toBe(true);
  });

  it('rejects in Verify a signature that used the digest as the pre-hash itself (hashed once)', async () => {
    const { client } = env();
    const message = Buffer.from('the message whose SHA-512 is the digest');
    const once = createHash('sha512').update(message).digest();
    // ed25519ph over the message has pre-hash SHA-512(message) = once: the digest taken as the pre-hash.
    const hashedOnce = ed25519ph.sign(message, SECRET);
    await expect(
      client.send(new VerifyCommand({ KeyId: KEY_ID, Message: once, MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_PH_SHA_512', Signature: hashedOnce })),
    ).rejects.toBeInstanceOf(KMSInvalidSignatureException);
  });
});
