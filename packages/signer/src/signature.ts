import { derToJose, toLowS } from 'kms-jwt-verifier';
import type { SignatureShape } from './algorithms.js';

/**
 * KMS's signature in JWS form: ECDSA DER strictly converted to R‖S (by the verifier's `derToJose`,
 * the project's one converter) and then made canonical — KMS does not normalise, so about half its
 * signatures have `s > n/2`, and those become `(r, n − s)`, which verifies exactly when `(r, s)`
 * does — so every token has one signature a `rejectHighS` verifier accepts; RSA and Ed25519 as they
 * are once their length is right. `undefined` when the signature is not what the key spec produces.
 */
export function toJoseSignature(signature: Uint8Array, shape: SignatureShape): Buffer | undefined {
  const bytes = Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
  if (shape.kind === 'ecdsa-der') {
    const jose = derToJose(bytes, shape.size);
    return jose && toLowS(shape.algorithm, jose);
  }
  return bytes.length === shape.length ? bytes : undefined;
}
