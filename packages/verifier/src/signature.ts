import { verify as cryptoVerify, type KeyObject, type VerifyKeyObjectInput, type VerifyPublicKeyInput } from 'node:crypto';
import { VERIFY_PARAMETERS, type JwsAlgorithm } from './algorithms.js';
import { derToJose } from './der.js';
import { SignatureInvalidError } from './errors.js';

type KeyInput = KeyObject | VerifyKeyObjectInput | VerifyPublicKeyInput;

/** node:crypto key inputs, built once per key and algorithm. */
const keyInputs = new WeakMap<KeyObject, Map<JwsAlgorithm, KeyInput>>();

function keyInputFor(key: KeyObject, alg: JwsAlgorithm): KeyInput {
  let byAlg = keyInputs.get(key);
  if (!byAlg) {
    byAlg = new Map();
    keyInputs.set(key, byAlg);
  }
  let input = byAlg.get(alg);
  if (!input) {
    const params = VERIFY_PARAMETERS[alg];
    if (params.signatureBytes !== undefined) input = { key, dsaEncoding: 'ieee-p1363' };
    else if (params.padding !== undefined) input = params.saltLength === undefined ? { key, padding: params.padding } : { key, padding: params.padding, saltLength: params.saltLength };
    else input = key;
    byAlg.set(alg, input);
  }
  return input;
}

/**
 * Brings an ECDSA signature to JWS R‖S form: exactly the curve's width, or — only with
 * `acceptDer` — a strictly DER-encoded signature converted to it. Other algorithms pass as is.
 */
export function joseSignature(alg: JwsAlgorithm, signature: Buffer, acceptDer: boolean): Buffer {
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

/** Checks a signature on the calling thread. */
export function verifySignatureSync(alg: JwsAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return cryptoVerify(VERIFY_PARAMETERS[alg].hash, data, keyInputFor(key, alg), signature);
  } catch {
    return false;
  }
}

/** Checks a signature on libuv's threadpool, leaving the event loop free. */
export function verifySignatureAsync(alg: JwsAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      cryptoVerify(VERIFY_PARAMETERS[alg].hash, data, keyInputFor(key, alg), signature, (error, valid) => resolve(!error && valid));
    } catch {
      resolve(false);
    }
  });
}
