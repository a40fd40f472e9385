import { VERIFY_PARAMETERS, type JwsAlgorithm } from './algorithms.js';
import { derToJose } from './der.js';
import { SignatureInvalidError } from './errors.js';

/**
 * Brings an ECDSA signature to JWS R‖S form: exactly the curve's width, or — only with
 * `acceptDer` — a strictly DER-encoded signature converted to it. Other algorithms pass as is.
 */
export function joseSignature(alg: JwsAlgorithm, signature: Uint8Array, acceptDer: boolean): Uint8Array {
  const width = VERIFY_PARAMETERS[alg].signatureBytes;
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
