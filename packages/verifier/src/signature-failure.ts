import type { JwsAlgorithm } from './algorithms.js';
import { AlgUnsupportedByRuntimeError, SignatureCheckUnavailableError, type KmsJwtError } from './errors.js';
import type { TrustedKey } from './key-resolver.js';

/**
 * The error for a signature check that could not run (the runtime's crypto threw, or Web Crypto
 * refused to import the trusted key): an algorithm the runtime lacks (Ed25519 in a Web Crypto
 * without it, ES256K anywhere Web Crypto verifies) or a key it cannot use. Never a verdict on the
 * token (a bad signature never lands here: it is `false`), so never 401.
 */
export function signatureCheckFailed(error: unknown, alg: JwsAlgorithm, key: TrustedKey): KmsJwtError {
  if ((error as { name?: unknown } | null)?.name === 'NotSupportedError') {
    return new AlgUnsupportedByRuntimeError(`this runtime's Web Crypto cannot verify ${alg}, the algorithm of the trusted key ${key.id}: verify ${alg} tokens on Node.js, or trust keys of another key spec`, {
      cause: error,
    });
  }
  return new SignatureCheckUnavailableError(`the trusted key ${key.id} could not be used to verify ${alg} on this runtime (its crypto threw instead of answering): check what the key resolver returns for it`, {
    cause: error,
  });
}
