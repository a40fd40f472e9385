import type { JwsAlgorithm } from './algorithms.js';
import { AlgUnsupportedByRuntimeError, VerifierConfigError, type KmsJwtError } from './errors.js';
import type { TrustedKey } from './key-resolver.js';

/**
 * The error for a signature check that could not run (Web Crypto refused to import the trusted
 * key): an algorithm the runtime lacks (Ed25519 in a Web Crypto without it, ES256K anywhere Web
 * Crypto verifies) or a key it cannot use. A bad signature never lands here: it is `false`.
 */
export function signatureCheckFailed(error: unknown, alg: JwsAlgorithm, key: TrustedKey): KmsJwtError {
  if ((error as { name?: unknown } | null)?.name === 'NotSupportedError') {
    return new AlgUnsupportedByRuntimeError(`this runtime's Web Crypto cannot verify ${alg}, the algorithm of the trusted key ${key.id}: verify ${alg} tokens on Node.js, or trust keys of another key spec`, {
      cause: error,
    });
  }
  return new VerifierConfigError(`the trusted key ${key.id} could not be used to verify ${alg} on this runtime (its Web Crypto refused the key)`, { cause: error });
}
