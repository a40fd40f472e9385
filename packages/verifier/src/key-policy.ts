import { describeKeyType, isKeyObject, requiredKeyType, verifiableAlgorithms, type JwsAlgorithm } from './algorithms.js';
import { AlgNotAllowedError, KidUntrustedError, SignatureCheckUnavailableError } from './errors.js';
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

/** The last key object and algorithm {@link checkKeyVerifies} let through (it holds that one key object until another passes). */
let lastPublicKey: unknown;
let lastAlg: JwsAlgorithm | undefined;

/**
 * The trusted key's `publicKey` can verify `alg` (which its `algorithms` allow): a key resolver's
 * answer is otherwise taken as it is. It is judged by `algorithmsForKey`, as static keys are, once
 * per key object. One that is not a key object, a key of another type or curve than `alg` needs (an
 * EC key for RS256, an RSA key or a P-384 key for ES256, P-256 for ES256K), or a key the verifier
 * refuses (a private key, an RSA key shorter than 2048 bits) is the resolver's misconfiguration,
 * never the token's fault: a SignatureCheckUnavailableError (500) for every algorithm, before any
 * signature check could answer "invalid" (401) or "valid".
 */
export function checkKeyVerifies(key: TrustedKey, alg: JwsAlgorithm): void {
  const { publicKey } = key;
  // Most verifications use the key and algorithm of the one before: two comparisons, not a WeakMap lookup.
  if (publicKey === lastPublicKey && alg === lastAlg) return;
  const algorithms = verifiableAlgorithms(publicKey);
  if (typeof algorithms !== 'string' && algorithms.includes(alg)) {
    lastPublicKey = publicKey;
    lastAlg = alg;
    return;
  }
  const start = `the trusted key ${key.id} could not be used to verify ${alg}: its publicKey is ${describeKeyType(key.publicKey)}`;
  if (typeof algorithms !== 'string' || !isKeyObject(key.publicKey)) {
    throw new SignatureCheckUnavailableError(
      `${start}, and ${alg} needs ${requiredKeyType(alg)}. The resolver's algorithms for a key must be ones its type can verify: check what the key resolver returns for it`,
    );
  }
  throw new SignatureCheckUnavailableError(
    `${start}, which the verifier refuses: ${algorithms}. A key resolver must return public keys of a type and size KMS signs with, as static keys are checked: check what the key resolver returns for it`,
  );
}
