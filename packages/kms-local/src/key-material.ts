import {
  constants,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  privateEncrypt,
  publicDecrypt,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { emsaPssEncode, emsaPssVerify } from './emsa-pss.js';
import { KmsError } from './errors.js';
import { hashOf, macHashOf, type HmacKeySpec, type ImplementedSigningAlgorithm, type MacAlgorithm, type SigningKeySpec } from './key-specs.js';

/** The private and public halves of one asymmetric key, parsed once. */
export interface KeyMaterial {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** DER-encoded SubjectPublicKeyInfo, as GetPublicKey returns it. */
  readonly spki: Buffer;
}

export type MessageType = 'RAW' | 'DIGEST';

const generate = promisify(generateKeyPair);

const EC_CURVES = {
  ECC_NIST_P256: { node: 'prime256v1', noble: p256 },
  ECC_NIST_P384: { node: 'secp384r1', noble: p384 },
  ECC_NIST_P521: { node: 'secp521r1', noble: p521 },
  ECC_SECG_P256K1: { node: 'secp256k1', noble: secp256k1 },
} as const;

const RSA_BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as const;

function isEcSpec(spec: SigningKeySpec): spec is keyof typeof EC_CURVES {
  return Object.hasOwn(EC_CURVES, spec);
}

function isRsaSpec(spec: SigningKeySpec): spec is keyof typeof RSA_BITS {
  return Object.hasOwn(RSA_BITS, spec);
}

function fromPrivateKey(privateKey: KeyObject): KeyMaterial {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

/** Generates new key material for a signing key spec, off the event loop. */
export async function generateKeyMaterial(spec: SigningKeySpec): Promise<KeyMaterial> {
  if (isEcSpec(spec)) {
    const { privateKey } = await generate('ec', { namedCurve: EC_CURVES[spec].node });
    return fromPrivateKey(privateKey);
  }
  if (isRsaSpec(spec)) {
    const { privateKey } = await generate('rsa', { modulusLength: RSA_BITS[spec], publicExponent: 0x10001 });
    return fromPrivateKey(privateKey);
  }
  const { privateKey } = await generate('ed25519');
  return fromPrivateKey(privateKey);
}

/** Parses a PKCS#8 PEM private key and checks that it is a key of `spec`. */
export function importKeyMaterial(spec: SigningKeySpec, pkcs8Pem: string): KeyMaterial {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pkcs8Pem, format: 'pem' });
  } catch {
    throw new Error(`kms-local: the private key given for a ${spec} key is not a PKCS#8 PEM private key`);
  }
  const details = privateKey.asymmetricKeyDetails ?? {};
  const matches = isEcSpec(spec)
    ? privateKey.asymmetricKeyType === 'ec' && details.namedCurve === EC_CURVES[spec].node
    : isRsaSpec(spec)
      ? privateKey.asymmetricKeyType === 'rsa' && details.modulusLength === RSA_BITS[spec]
      : privateKey.asymmetricKeyType === 'ed25519';
  if (!matches) {
    throw new Error(`kms-local: the private key given is a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not a ${spec} key`);
  }
  return fromPrivateKey(privateKey);
}

export function exportPrivateKeyPem(material: KeyMaterial): string {
  return material.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function jwkBytes(key: KeyObject, member: 'd' | 'x' | 'y'): Uint8Array {
  const value = key.export({ format: 'jwk' })[member];
  if (typeof value !== 'string') throw new Error(`kms-local: key has no JWK member ${member}`);
  return Buffer.from(value, 'base64url');
}

function ecPublicPoint(key: KeyObject): Uint8Array {
  return Buffer.concat([Buffer.from([0x04]), jwkBytes(key, 'x'), jwkBytes(key, 'y')]);
}

const DIGEST_INFO: Record<'sha256' | 'sha384' | 'sha512', Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

function digestOf(algorithm: ImplementedSigningAlgorithm, message: Buffer, messageType: MessageType): Buffer {
  const { name, bytes } = hashOf(algorithm);
  if (messageType === 'RAW') return createHash(name).update(message).digest();
  if (message.length !== bytes) {
    // AWS KMS's own words (recorded from AWS in localstack's KMS snapshot tests), then what it expects.
    throw new KmsError('ValidationException', `Digest is invalid length for algorithm ${algorithm}. (kms-local: expected ${bytes} bytes, got ${message.length}.)`);
  }
  return message;
}

/** KMS takes ED25519_PH_SHA_512 with MessageType DIGEST only (a SHA-512 digest of the message). */
function requireDigest(messageType: MessageType): void {
  if (messageType !== 'DIGEST') {
    throw new KmsError('ValidationException', 'ED25519_PH_SHA_512 takes a SHA-512 digest of the message: use MessageType DIGEST, or ED25519_SHA_512 to sign the message itself');
  }
}

function rsaEmBits(key: KeyObject): number {
  return (key.asymmetricKeyDetails?.modulusLength ?? 0) - 1;
}

/**
 * Signs like KMS Sign: ECDSA signatures come back DER-encoded, RSA-PSS uses salt length = hash
 * length, Ed25519 signs the raw message. The caller has checked that `algorithm` suits the key.
 */
export function signMessage(material: KeyMaterial, spec: SigningKeySpec, algorithm: ImplementedSigningAlgorithm, message: Buffer, messageType: MessageType): Buffer {
  const hash = hashOf(algorithm).name;
  if (algorithm === 'ED25519_SHA_512') {
    if (messageType === 'DIGEST') {
      throw new KmsError('ValidationException', 'ED25519_SHA_512 signs the whole message: use MessageType RAW, or ED25519_PH_SHA_512 for a digest');
    }
    return nodeSign(null, message, material.privateKey);
  }
  if (algorithm === 'ED25519_PH_SHA_512') {
    requireDigest(messageType);
    // KMS still applies Ed25519ph's own SHA-512 pre-hash (FIPS 186-5 7.8.1 step 1) to the digest it is
    // given: "the input is hashed twice". So the digest is Ed25519ph's message, not its pre-hash.
    const digest = digestOf(algorithm, message, messageType);
    return Buffer.from(ed25519ph.sign(digest, jwkBytes(material.privateKey, 'd')));
  }
  if (isEcSpec(spec)) {
    if (messageType === 'RAW') return nodeSign(hash, message, material.privateKey);
    const digest = digestOf(algorithm, message, messageType);
    const curve = EC_CURVES[spec].noble;
    return Buffer.from(curve.sign(digest, jwkBytes(material.privateKey, 'd'), { prehash: false, lowS: false, format: 'der' }));
  }
  if (algorithm.startsWith('RSASSA_PSS')) {
    if (messageType === 'RAW') {
      return nodeSign(hash, message, { key: material.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
    }
    const emBits = rsaEmBits(material.privateKey);
    const em = emsaPssEncode(hash, digestOf(algorithm, message, messageType), emBits);
    const k = Math.ceil((emBits + 1) / 8);
    const padded = em.length < k ? Buffer.concat([Buffer.alloc(k - em.length), em]) : em;
    return privateEncrypt({ key: material.privateKey, padding: constants.RSA_NO_PADDING }, padded);
  }
  if (messageType === 'RAW') return nodeSign(hash, message, { key: material.privateKey, padding: constants.RSA_PKCS1_PADDING });
  const digest = digestOf(algorithm, message, messageType);
  return privateEncrypt({ key: material.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[hash], digest]));
}

/** Verifies like KMS Verify. Malformed signatures are invalid, never an exception. */
export function verifySignature(
  material: KeyMaterial,
  spec: SigningKeySpec,
  algorithm: ImplementedSigningAlgorithm,
  message: Buffer,
  messageType: MessageType,
  signature: Buffer,
): boolean {
  const hash = hashOf(algorithm).name;
  if (algorithm === 'ED25519_SHA_512') {
    if (messageType === 'DIGEST') {
      throw new KmsError('ValidationException', 'ED25519_SHA_512 verifies the whole message: use MessageType RAW, or ED25519_PH_SHA_512 for a digest');
    }
    return safely(() => nodeVerify(null, message, material.publicKey, signature));
  }
  if (algorithm === 'ED25519_PH_SHA_512') requireDigest(messageType);
  const digest = digestOf(algorithm, message, messageType);
  if (algorithm === 'ED25519_PH_SHA_512') {
    return safely(() => ed25519ph.verify(signature, digest, jwkBytes(material.publicKey, 'x'), { zip215: false }));
  }
  if (isEcSpec(spec)) {
    const curve = EC_CURVES[spec].noble;
    return safely(() => curve.verify(signature, digest, ecPublicPoint(material.publicKey), { prehash: false, lowS: false, format: 'der' }));
  }
  if (algorithm.startsWith('RSASSA_PSS')) {
    if (messageType === 'RAW') {
      return safely(() =>
        nodeVerify(hash, message, { key: material.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature),
      );
    }
    return safely(() => {
      const emBits = rsaEmBits(material.publicKey);
      const decoded = publicDecrypt({ key: material.publicKey, padding: constants.RSA_NO_PADDING }, signature);
      const emLen = Math.ceil(emBits / 8);
      return emsaPssVerify(hash, digest, decoded.subarray(decoded.length - emLen), emBits) && decoded.subarray(0, decoded.length - emLen).every((b) => b === 0);
    });
  }
  if (messageType === 'RAW') return safely(() => nodeVerify(hash, message, { key: material.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature));
  return safely(() => {
    const decoded = publicDecrypt({ key: material.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    return decoded.equals(Buffer.concat([DIGEST_INFO[hash], digest]));
  });
}

function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

/** HMAC key lengths in bytes: the key spec's size, as KMS documents HMAC_224 to HMAC_512. */
const HMAC_KEY_BYTES: Record<HmacKeySpec, number> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

/** New secret key bytes for an HMAC key spec. */
export function generateHmacKey(spec: HmacKeySpec): Buffer {
  return randomBytes(HMAC_KEY_BYTES[spec]);
}

/** The MAC of GenerateMac (RFC 2104 HMAC). */
export function macOf(secret: Buffer, algorithm: MacAlgorithm, message: Buffer): Buffer {
  return createHmac(macHashOf(algorithm), secret).update(message).digest();
}

/** VerifyMac's check, in constant time; a MAC of another length never matches. */
export function macMatches(secret: Buffer, algorithm: MacAlgorithm, message: Buffer, mac: Buffer): boolean {
  const expected = macOf(secret, algorithm, message);
  return expected.length === mac.length && timingSafeEqual(expected, mac);
}
