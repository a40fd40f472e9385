import type { TrustedKey } from 'kms-jwt-verifier';

/**
 * Most replica `TrustedKey`s kept per key. A kid passes the replica check on its form alone (partition,
 * account, key id, a Region-like name) before any signature is checked, so forged Region names must
 * not grow memory: past this many, a replica's key is made anew on each resolve (still correct, but
 * the verifier's token cache then misses for it).
 */
const MAX_REPLICAS_PER_KEY = 64;

const replicasOf = new WeakMap<TrustedKey, Map<string, TrustedKey>>();

/**
 * The `TrustedKey` a replica's ARN resolves to: the key's public key and algorithms under the replica's
 * ARN (what the verifier reports, and what kms-jwt-signer wrote in `kid`). The same object for as long
 * as `key` is the one trusted, so the verifier's cache keeps its tokens; a new `key` (the public key
 * changed) makes new replica keys, and a key no longer trusted takes its replicas with it.
 */
export function replicaKey(key: TrustedKey, replicaArn: string): TrustedKey {
  let replicas = replicasOf.get(key);
  if (replicas === undefined) {
    replicas = new Map();
    replicasOf.set(key, replicas);
  }
  let replica = replicas.get(replicaArn);
  if (replica === undefined) {
    replica = Object.freeze({ id: replicaArn, publicKey: key.publicKey, algorithms: key.algorithms });
    if (replicas.size < MAX_REPLICAS_PER_KEY) replicas.set(replicaArn, replica);
  }
  return replica;
}
