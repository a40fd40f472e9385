import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { algorithmsForKey, type TraceKmsCall } from 'kms-jwt-verifier';
import { KmsRequestError } from './errors.js';
import { toSignerError } from './kms-errors.js';
import type { SigningKey } from './signing-key.js';
import { tracedKmsCall } from './telemetry.js';

/** Public keys by key ARN, fetched once with GetPublicKey (a key ARN's key material never changes). */
export interface PublicKeySource {
  get(key: SigningKey): Promise<KeyObject>;
}

/** `traceKmsCall`: the telemetry's, GetPublicKey runs inside it; `endpoint`: the endpoint the client calls, once checked. */
export function createPublicKeySource(client: KMSClient, traceKmsCall?: TraceKmsCall, endpoint: () => string | undefined = () => undefined): PublicKeySource {
  const keys = new Map<string, Promise<KeyObject>>();

  async function fetch(key: SigningKey): Promise<KeyObject> {
    let published;
    try {
      const command = new GetPublicKeyCommand({ KeyId: key.arn });
      published = await tracedKmsCall(traceKmsCall, { operation: 'GetPublicKey', keyId: key.arn, endpoint: endpoint() }, () => client.send(command));
    } catch (error) {
      throw toSignerError(error, 'GetPublicKey', key.arn);
    }
    const context = { keyId: key.arn };
    if (published.KeyId !== key.arn || published.PublicKey === undefined) {
      throw new KmsRequestError(`KMS GetPublicKey for ${key.arn} answered for another key or without a public key`, context);
    }
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: Buffer.from(published.PublicKey), format: 'der', type: 'spki' });
    } catch (error) {
      throw new KmsRequestError(`KMS GetPublicKey for ${key.arn} returned a public key that does not parse`, { ...context, cause: error });
    }
    const algorithms = algorithmsForKey(publicKey);
    if (typeof algorithms === 'string' || !algorithms.includes(key.algorithm)) {
      throw new KmsRequestError(`KMS GetPublicKey for ${key.arn} returned a public key that cannot verify ${key.algorithm}`, context);
    }
    return publicKey;
  }

  return {
    get(key) {
      let entry = keys.get(key.arn);
      if (entry === undefined) {
        entry = fetch(key);
        keys.set(key.arn, entry);
        // A failed fetch is not remembered: the next call asks again.
        entry.catch(() => keys.delete(key.arn));
      }
      return entry;
    },
  };
}

/** Whether `signature` (JWS form) verifies over `input` with the key's public key. */
export function verifiesWith(publicKey: KeyObject, key: SigningKey, input: Buffer, signature: Buffer): boolean {
  const { hash, padding, saltLength } = key.parameters;
  const options =
    key.shape.kind === 'ecdsa-der'
      ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const }
      : padding === undefined
        ? { key: publicKey }
        : saltLength === undefined
          ? { key: publicKey, padding }
          : { key: publicKey, padding, saltLength };
  try {
    return verify(hash, input, options, signature);
  } catch {
    return false;
  }
}
