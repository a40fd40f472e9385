import { derToJose } from 'kms-jwt-verifier';
import type { SignatureShape } from './algorithms.js';

/**
 * KMS's signature in JWS form: ECDSA DER strictly converted to R‖S (by the verifier's `derToJose`,
 * the project's one converter), RSA and Ed25519 as they are once their length is right.
 * `undefined` when the signature is not what the key spec produces.
 */
export function toJoseSignature(signature: Uint8Array, shape: SignatureShape): Buffer | undefined {
  const bytes = Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
  if (shape.kind === 'ecdsa-der') return derToJose(bytes, shape.size);
  return bytes.length === shape.length ? bytes : undefined;
}
