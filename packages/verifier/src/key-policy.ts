import type { JwsAlgorithm } from './algorithms.js';
import { AlgNotAllowedError, KidUntrustedError } from './errors.js';
import type { TrustedKey } from './key-resolver.js';

/**
 * The key policy, the same for tokens and messages: `kid` must name a trusted key, and `alg` must
 * be one of that key's algorithms (from its key spec) and in the `algorithms` allowlist when there is one.
 */
export function checkKeyAllows(key: TrustedKey | undefined, alg: JwsAlgorithm, algorithms: ReadonlySet<JwsAlgorithm> | undefined, noun: string): asserts key is TrustedKey {
  if (!key) throw new KidUntrustedError(`the kid names no trusted key: the ${noun} was not signed by a key this service trusts`);
  if (!key.algorithms.includes(alg) || (algorithms !== undefined && !algorithms.has(alg))) {
    const allowed = key.algorithms.filter((candidate) => algorithms === undefined || algorithms.has(candidate));
    throw new AlgNotAllowedError(`alg ${alg} is not allowed for the trusted key ${key.id} (allowed: ${allowed.join(', ') || 'none'})`);
  }
}
