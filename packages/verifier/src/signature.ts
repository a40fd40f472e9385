import { VERIFY_PARAMETERS, type JwsAlgorithm } from './algorithms.js';
import { derToJose } from './der.js';
import { SignatureInvalidError } from './errors.js';
import type { TrustedPublicKey } from './public-key.js';

/**
 * Brings an ECDSA signature to JWS R‖S form: exactly the curve's width, or — only with
 * `acceptDer` — a strictly DER-encoded signature converted to it. An RSA signature must be exactly
 * as long as the key's modulus (RFC 8017, 8.1.2 and 8.2.2, step 1): node:crypto (OpenSSL) and Web
 * Crypto left-pad a shorter one, so a signature whose first byte is 0 (1 in 256) would have a
 * second, shorter encoding that verifies — a second token string for one signed token. EdDSA passes
 * as is (the runtime checks its 64 bytes).
 */
export function joseSignature(alg: JwsAlgorithm, signature: Uint8Array, acceptDer: boolean, publicKey: TrustedPublicKey): Uint8Array {
  const { signatureBytes: width, rsa } = VERIFY_PARAMETERS[alg];
  if (rsa !== undefined) {
    const modulusBytes = Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
    if (signature.length === modulusBytes) return signature;
    throw new SignatureInvalidError(`the ${alg} signature must be ${modulusBytes} bytes (the length of the key's modulus), got ${signature.length}`);
  }
  if (width === undefined || signature.length === width) return signature;
  if (acceptDer) {
    const converted = derToJose(signature, width / 2);
    if (converted) return converted;
    throw new SignatureInvalidError(`the ${alg} signature is neither ${width} bytes of R‖S nor strict DER`);
  }
  throw new SignatureInvalidError(
    `the ${alg} signature must be ${width} bytes (R‖S), got ${signature.length}${signature[0] === 0x30 ? '; it looks DER-encoded: have the issuer convert KMS signatures to R‖S, or set acceptDerSignatures for legacy tokens' : ''}`,
  );
}
