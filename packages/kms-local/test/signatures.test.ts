import { execFile } from 'node:child_process';
import { constants, createHash, createPublicKey, randomBytes, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateKeyCommand, GetPublicKeyCommand, KMSInvalidSignatureException, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningAlgorithm, SigningKeySpec } from '../src/index.js';
import { useKmsLocal } from './support.js';

const execFileAsync = promisify(execFile);

type HashName = 'sha256' | 'sha384' | 'sha512';
type MessageType = 'RAW' | 'DIGEST';

const RSA_ALGORITHMS: readonly SigningAlgorithm[] = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
];

/** Every signing key spec, with the signing algorithms AWS KMS documents for it. */
const SPECS: ReadonlyArray<{ spec: SigningKeySpec; algorithms: readonly SigningAlgorithm[]; curve?: string; modulusLength?: number; ecSize?: number }> = [
  { spec: 'ECC_NIST_P256', algorithms: ['ECDSA_SHA_256'], curve: 'prime256v1', ecSize: 32 },
  { spec: 'ECC_NIST_P384', algorithms: ['ECDSA_SHA_384'], curve: 'secp384r1', ecSize: 48 },
  { spec: 'ECC_NIST_P521', algorithms: ['ECDSA_SHA_512'], curve: 'secp521r1', ecSize: 66 },
  { spec: 'ECC_SECG_P256K1', algorithms: ['ECDSA_SHA_256'], curve: 'secp256k1', ecSize: 32 },
  { spec: 'RSA_2048', algorithms: RSA_ALGORITHMS, modulusLength: 2048 },
  { spec: 'RSA_3072', algorithms: RSA_ALGORITHMS, modulusLength: 3072 },
  { spec: 'RSA_4096', algorithms: RSA_ALGORITHMS, modulusLength: 4096 },
  { spec: 'ECC_NIST_EDWARDS25519', algorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
];

interface SpecKey {
  readonly arn: string;
  readonly spki: Buffer;
  readonly publicKey: KeyObject;
  readonly pemPath: string;
  readonly signingAlgorithms: readonly string[];
}

function hashOf(algorithm: SigningAlgorithm): HashName {
  if (algorithm.endsWith('SHA_256')) return 'sha256';
  if (algorithm.endsWith('SHA_384')) return 'sha384';
  return 'sha512';
}

/** Pure Ed25519 signs the message itself and Ed25519ph a SHA-512 digest of it; the others take either. */
function messageTypesOf(algorithm: SigningAlgorithm): readonly MessageType[] {
  if (algorithm === 'ED25519_SHA_512') return ['RAW'];
  if (algorithm === 'ED25519_PH_SHA_512') return ['DIGEST'];
  return ['RAW', 'DIGEST'];
}

/** PEM built by hand from the DER SPKI, so that openssl parses GetPublicKey's bytes itself. */
function spkiToPem(spki: Buffer): string {
  const lines = spki.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

function readDerLength(bytes: Buffer, offset: number): { length: number; next: number } {
  const first = bytes[offset];
  if (first === undefined) throw new Error('DER: truncated length');
  if (first < 0x80) return { length: first, next: offset + 1 };
  const count = first & 0x7f;
  if (count !== 1) throw new Error('DER: ECDSA signatures need at most one length byte');
  const length = bytes[offset + 1];
  if (length === undefined || length < 0x80) throw new Error('DER: non-minimal long-form length');
  return { length, next: offset + 2 };
}

function readDerInteger(bytes: Buffer, offset: number): { value: Buffer; next: number } {
  if (bytes[offset] !== 0x02) throw new Error('DER: expected an INTEGER');
  const { length, next } = readDerLength(bytes, offset + 1);
  const value = bytes.subarray(next, next + length);
  if (length === 0 || value.length !== length) throw new Error('DER: bad INTEGER length');
  if ((value[0] ?? 0) & 0x80) throw new Error('DER: negative INTEGER');
  if (length > 1 && value[0] === 0 && ((value[1] ?? 0) & 0x80) === 0) throw new Error('DER: non-minimal INTEGER');
  return { value, next: next + length };
}

/** Strictly parses an ECDSA-Sig-Value (SEQUENCE of two INTEGERs); throws when it is not one. */
function parseDerEcdsaSignature(signature: Buffer): { r: Buffer; s: Buffer } {
  if (signature[0] !== 0x30) throw new Error('DER: expected a SEQUENCE');
  const { length, next } = readDerLength(signature, 1);
  if (next + length !== signature.length) throw new Error('DER: SEQUENCE length does not match the signature length');
  const r = readDerInteger(signature, next);
  const s = readDerInteger(signature, r.next);
  if (s.next !== signature.length) throw new Error('DER: trailing bytes');
  return { r: r.value, s: s.value };
}

function fixedWidth(integer: Buffer, size: number): Buffer {
  const trimmed = integer[0] === 0 ? integer.subarray(1) : integer;
  if (trimmed.length > size) throw new Error('integer wider than the curve');
  return Buffer.concat([Buffer.alloc(size - trimmed.length), trimmed]);
}

/** node:crypto verification; a signature node cannot even parse counts as not verifying. */
function nodeVerifies(algorithm: string | null, data: Buffer, key: Parameters<typeof nodeVerify>[2], signature: Buffer): boolean {
  try {
    return nodeVerify(algorithm, data, key, signature);
  } catch {
    return false;
  }
}

function isPss(algorithm: SigningAlgorithm): boolean {
  return algorithm.startsWith('RSASSA_PSS');
}

describe('signatures of every key spec and signing algorithm, checked by openssl, node:crypto and KMS Verify', () => {
  const env = useKmsLocal();
  const keys = new Map<SigningKeySpec, SpecKey>();
  let dir = '';
  let fileCounter = 0;

  async function tempFile(contents: Buffer | string): Promise<string> {
    const path = join(dir, `f${fileCounter++}.bin`);
    await writeFile(path, contents);
    return path;
  }

  /** Runs openssl; exit 0 is verified, exit 1 is a failed verification, anything else fails the test. */
  async function openssl(args: readonly string[]): Promise<{ verified: boolean; output: string }> {
    try {
      const { stdout } = await execFileAsync('openssl', args, { cwd: dir });
      return { verified: true, output: stdout };
    } catch (error) {
      const failure = error as { code?: unknown; stdout?: unknown; stderr?: unknown };
      if (failure.code === 1) return { verified: false, output: `${String(failure.stdout)}${String(failure.stderr)}` };
      throw error;
    }
  }

  function pssSigopts(flag: '-sigopt' | '-pkeyopt', algorithm: SigningAlgorithm): string[] {
    return isPss(algorithm) ? [flag, 'rsa_padding_mode:pss', flag, 'rsa_pss_saltlen:digest'] : [];
  }

  /** `openssl dgst -verify` over a whole message (or `pkeyutl -rawin` for pure Ed25519). */
  async function opensslVerifiesMessage(key: SpecKey, algorithm: SigningAlgorithm, message: Buffer, signature: Buffer): Promise<boolean> {
    const messagePath = await tempFile(message);
    const signaturePath = await tempFile(signature);
    if (algorithm === 'ED25519_SHA_512') {
      const result = await openssl(['pkeyutl', '-verify', '-pubin', '-inkey', key.pemPath, '-rawin', '-in', messagePath, '-sigfile', signaturePath]);
      if (result.verified) expect(result.output).toContain('Signature Verified Successfully');
      return result.verified;
    }
    const result = await openssl(['dgst', `-${hashOf(algorithm)}`, '-verify', key.pemPath, ...pssSigopts('-sigopt', algorithm), '-signature', signaturePath, messagePath]);
    if (result.verified) expect(result.output).toContain('Verified OK');
    return result.verified;
  }

  /** `openssl pkeyutl -verify -pkeyopt digest:<hash>` over a digest. */
  async function opensslVerifiesDigest(key: SpecKey, algorithm: SigningAlgorithm, digest: Buffer, signature: Buffer): Promise<boolean> {
    const digestPath = await tempFile(digest);
    const signaturePath = await tempFile(signature);
    const result = await openssl([
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      key.pemPath,
      '-in',
      digestPath,
      '-sigfile',
      signaturePath,
      '-pkeyopt',
      `digest:${hashOf(algorithm)}`,
      ...pssSigopts('-pkeyopt', algorithm),
    ]);
    if (result.verified) expect(result.output).toContain('Signature Verified Successfully');
    return result.verified;
  }

  function keyOf(spec: SigningKeySpec): SpecKey {
    const key = keys.get(spec);
    if (!key) throw new Error(`no ${spec} key was created in beforeAll`);
    return key;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-local-signatures-'));
    const { client } = env();
    // One key per spec, created concurrently (RSA_4096 generation is the slow part) and shared by the spec's tests.
    await Promise.all(
      SPECS.map(async ({ spec }) => {
        const created = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Description: `signatures ${spec}` }));
        const arn = created.KeyMetadata?.Arn;
        if (arn === undefined) throw new Error(`CreateKey ${spec} returned no ARN`);
        const published = await client.send(new GetPublicKeyCommand({ KeyId: arn }));
        if (published.PublicKey === undefined) throw new Error(`GetPublicKey ${spec} returned no public key`);
        const spki = Buffer.from(published.PublicKey);
        const pemPath = join(dir, `${spec}.pem`);
        await writeFile(pemPath, spkiToPem(spki));
        keys.set(spec, {
          arn,
          spki,
          publicKey: createPublicKey({ key: spki, format: 'der', type: 'spki' }),
          pemPath,
          signingAlgorithms: published.SigningAlgorithms ?? [],
        });
      }),
    );
  });

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  for (const { spec, algorithms, curve, modulusLength, ecSize } of SPECS) {
    describe(spec, () => {
      it(`publishes a ${spec} public key that offers exactly ${algorithms.join(', ')}`, async () => {
        const key = keyOf(spec);
        expect([...key.signingAlgorithms].sort()).toEqual([...algorithms].sort());
        const details = key.publicKey.asymmetricKeyDetails ?? {};
        if (curve !== undefined) {
          expect(key.publicKey.asymmetricKeyType).toBe('ec');
          expect(details.namedCurve).toBe(curve);
        } else if (modulusLength !== undefined) {
          expect(key.publicKey.asymmetricKeyType).toBe('rsa');
          expect(details.modulusLength).toBe(modulusLength);
          expect(details.publicExponent).toBe(65537n);
        } else {
          expect(key.publicKey.asymmetricKeyType).toBe('ed25519');
        }
        const { stdout } = await execFileAsync('openssl', ['pkey', '-pubin', '-in', key.pemPath, '-noout', '-text'], { cwd: dir });
        expect(stdout).toMatch(curve !== undefined ? /Public-Key: \(\d+ bit\)/ : modulusLength !== undefined ? new RegExp(`Public-Key: \\(${modulusLength} bit\\)`) : /ED25519 Public-Key/);
      });

      for (const algorithm of algorithms) {
        const hash = hashOf(algorithm);
        for (const messageType of messageTypesOf(algorithm)) {
          it(`signs a ${messageType} message with ${algorithm} so that openssl, node:crypto and KMS Verify accept it and reject a tampered message`, async () => {
            const { client } = env();
            const key = keyOf(spec);
            const message = randomBytes(200);
            const tampered = Buffer.from(message);
            tampered[0] = (tampered[0] ?? 0) ^ 0x01;
            const digest = createHash(hash).update(message).digest();
            const sent = messageType === 'RAW' ? message : digest;

            const signed = await client.send(new SignCommand({ KeyId: key.arn, Message: sent, MessageType: messageType, SigningAlgorithm: algorithm }));
            expect(signed.KeyId).toBe(key.arn);
            expect(signed.SigningAlgorithm).toBe(algorithm);
            if (signed.Signature === undefined) throw new Error('Sign returned no signature');
            const signature = Buffer.from(signed.Signature);

            // (c) KMS Verify, with the message type used to sign, and the tampered message rejected.
            const verified = await client.send(
              new VerifyCommand({ KeyId: key.arn, Message: sent, MessageType: messageType, SigningAlgorithm: algorithm, Signature: signature }),
            );
            expect(verified.SignatureValid).toBe(true);
            const tamperedSent = messageType === 'RAW' ? tampered : createHash(hash).update(tampered).digest();
            await expect(
              client.send(new VerifyCommand({ KeyId: key.arn, Message: tamperedSent, MessageType: messageType, SigningAlgorithm: algorithm, Signature: signature })),
            ).rejects.toBeInstanceOf(KMSInvalidSignatureException);
            if (messageType === 'DIGEST' && algorithm !== 'ED25519_PH_SHA_512') {
              // A signature over a digest is the signature of the whole message: Verify with RAW accepts it too.
              const overMessage = await client.send(
                new VerifyCommand({ KeyId: key.arn, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm, Signature: signature }),
              );
              expect(overMessage.SignatureValid).toBe(true);
            }

            if (algorithm === 'ED25519_PH_SHA_512') {
              // openssl 3.0 cannot verify Ed25519ph (its pkeyutl has no pre-hash Ed25519 mode before 3.2), and
              // node:crypto has no Ed25519ph either, so @noble/curves' RFC 8032 ed25519ph checks it. KMS hashes the
              // submitted digest once more ("the input is hashed twice"), so the digest is Ed25519ph's message.
              const rawPublicKey = key.spki.subarray(key.spki.length - 32);
              expect(ed25519ph.verify(signature, digest, rawPublicKey)).toBe(true);
              expect(ed25519ph.verify(signature, message, rawPublicKey)).toBe(false);
              // The pre-hash domain separation is in place: it is not a pure Ed25519 signature of the message or digest.
              expect(nodeVerifies(null, message, key.publicKey, signature)).toBe(false);
              expect(nodeVerifies(null, digest, key.publicKey, signature)).toBe(false);
              return;
            }

            // (a) openssl, against the PEM built from GetPublicKey's DER.
            expect(await opensslVerifiesMessage(key, algorithm, message, signature)).toBe(true);
            expect(await opensslVerifiesMessage(key, algorithm, tampered, signature)).toBe(false);
            if (messageType === 'DIGEST') expect(await opensslVerifiesDigest(key, algorithm, digest, signature)).toBe(true);

            // (b) node:crypto.
            if (algorithm === 'ED25519_SHA_512') {
              expect(signature).toHaveLength(64);
              expect(nodeVerifies(null, message, key.publicKey, signature)).toBe(true);
              expect(nodeVerifies(null, tampered, key.publicKey, signature)).toBe(false);
            } else if (ecSize !== undefined) {
              expect(nodeVerifies(hash, message, { key: key.publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
              expect(nodeVerifies(hash, tampered, { key: key.publicKey, dsaEncoding: 'der' }, signature)).toBe(false);
              // KMS returns ECDSA signatures DER-encoded, never as R‖S.
              expect(signature[0]).toBe(0x30);
              expect(nodeVerifies(hash, message, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false);
              const { r, s } = parseDerEcdsaSignature(signature);
              const p1363 = Buffer.concat([fixedWidth(r, ecSize), fixedWidth(s, ecSize)]);
              expect(nodeVerifies(hash, message, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, p1363)).toBe(true);
            } else if (isPss(algorithm)) {
              const hashBytes = createHash(hash).digest().length;
              const pss = (saltLength: number) => ({ key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
              expect(signature).toHaveLength((modulusLength ?? 0) / 8);
              expect(nodeVerifies(hash, message, pss(hashBytes), signature)).toBe(true);
              expect(nodeVerifies(hash, tampered, pss(hashBytes), signature)).toBe(false);
              // The salt is exactly as long as the hash: any other declared salt length fails.
              expect(nodeVerifies(hash, message, pss(hashBytes - 1), signature)).toBe(false);
              expect(nodeVerifies(hash, message, pss(hashBytes + 1), signature)).toBe(false);
              expect(nodeVerifies(hash, message, pss(0), signature)).toBe(false);
              // Nor is it a PKCS#1 v1.5 signature.
              expect(nodeVerifies(hash, message, { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)).toBe(false);
            } else {
              expect(signature).toHaveLength((modulusLength ?? 0) / 8);
              expect(nodeVerifies(hash, message, { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)).toBe(true);
              expect(nodeVerifies(hash, tampered, { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)).toBe(false);
            }
          });
        }
      }
    });
  }

  it('refuses MessageType DIGEST for ED25519_SHA_512, which signs the whole message', async () => {
    const { client } = env();
    const digest = createHash('sha512').update('message').digest();
    await expect(
      client.send(new SignCommand({ KeyId: keyOf('ECC_NIST_EDWARDS25519').arn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_SHA_512' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('refuses a DIGEST whose length does not match the algorithm hash', async () => {
    const { client } = env();
    const sha256 = createHash('sha256').update('message').digest();
    await expect(
      client.send(new SignCommand({ KeyId: keyOf('RSA_2048').arn, Message: sha256, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_384' })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/expected 48 bytes, got 32/) });
  });

  it('refuses a signing algorithm the key spec does not offer', async () => {
    const { client } = env();
    await expect(
      client.send(new SignCommand({ KeyId: keyOf('ECC_NIST_P256').arn, Message: Buffer.from('m'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_384' })),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
  });
});
