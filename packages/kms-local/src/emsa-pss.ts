import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * EMSA-PSS encoding and verification (RFC 8017, section 9.1) over a message digest that the caller
 * already computed. node:crypto signs and verifies RSA-PSS only over a whole message, and KMS's
 * DIGEST message type hands us the digest, so this module builds the encoded message that
 * node:crypto's raw RSA primitive (RSA_NO_PADDING) then signs. The salt length equals the hash
 * length, as KMS uses. Every result is checked against openssl and node:crypto in the tests.
 */

type HashName = 'sha256' | 'sha384' | 'sha512';

function hash(name: HashName, ...parts: Buffer[]): Buffer {
  const h = createHash(name);
  for (const part of parts) h.update(part);
  return h.digest();
}

function mgf1(name: HashName, seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  let produced = 0;
  for (let i = 0; produced < length; i++) {
    counter.writeUInt32BE(i);
    const block = hash(name, seed, counter);
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xorInPlace(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) ^ (mask[i] ?? 0);
}

/** EMSA-PSS-ENCODE(mHash, emBits) with sLen = hLen. Returns emLen = ceil(emBits / 8) bytes. */
export function emsaPssEncode(name: HashName, mHash: Buffer, emBits: number): Buffer {
  const hLen = mHash.length;
  const sLen = hLen;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + sLen + 2) throw new Error('encoding error: modulus too small for this hash');
  const salt = randomBytes(sLen);
  const h = hash(name, Buffer.alloc(8), mHash, salt);
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - sLen - hLen - 2] = 0x01;
  salt.copy(db, emLen - sLen - hLen - 1);
  xorInPlace(db, mgf1(name, h, db.length));
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY(mHash, EM, emBits) with sLen = hLen. */
export function emsaPssVerify(name: HashName, mHash: Buffer, em: Buffer, emBits: number): boolean {
  const hLen = mHash.length;
  const sLen = hLen;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < hLen + sLen + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const topMask = 0xff >> (8 * emLen - emBits);
  const db = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if (((db[0] ?? 0) & ~topMask & 0xff) !== 0) return false;
  xorInPlace(db, mgf1(name, h, db.length));
  db[0] = (db[0] ?? 0) & topMask;
  const separator = emLen - hLen - sLen - 2;
  for (let i = 0; i < separator; i++) if (db[i] !== 0) return false;
  if (db[separator] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  return timingSafeEqual(h, hash(name, Buffer.alloc(8), mHash, salt));
}
