import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { JwsAlgorithm, KmsSigningKeySpec, TraceKmsCall } from 'kms-jwt-verifier';
import { ALGORITHM_PARAMETERS, SIGNATURE_SHAPES, algorithmsOf, isSigningKeySpec, type AlgorithmParameters, type SignatureShape } from './algorithms.js';
import { AlgorithmNotSupportedError, KmsKeyDisabledError, KmsKeyPendingDeletionError, KmsKeyStateError, KmsKeyUsageError, KmsRequestError } from './errors.js';
import { toSignerError } from './kms-errors.js';
import { tracedKmsCall } from './telemetry.js';

/** The key that signs, as DescribeKey resolved it. */
export interface SigningKey {
  /** The key ARN: what Sign is called with, and the token's `kid`. */
  readonly arn: string;
  readonly keySpec: KmsSigningKeySpec;
  readonly algorithm: JwsAlgorithm;
  readonly parameters: AlgorithmParameters;
  readonly shape: SignatureShape;
}

/** The resolved key, cached for `maxAgeMs`; concurrent resolutions share one DescribeKey call. */
export interface SigningKeySource {
  current(): Promise<SigningKey>;
  /** Forgets `key` if it is the one cached, so that the next call resolves again. */
  invalidate(key: SigningKey): void;
}

export interface SigningKeySourceOptions {
  readonly client: KMSClient;
  /** The telemetry's `traceKmsCall`: DescribeKey runs inside it. */
  readonly traceKmsCall: TraceKmsCall | undefined;
  /** The endpoint the client calls, once checked. */
  readonly endpoint: () => string | undefined;
  readonly keyId: string;
  readonly algorithm: JwsAlgorithm | undefined;
  readonly maxAgeMs: number;
  readonly nowMs: () => number;
}

export function createSigningKeySource(options: SigningKeySourceOptions): SigningKeySource {
  const { client, keyId, maxAgeMs, nowMs, traceKmsCall } = options;
  let cached: { readonly key: SigningKey; readonly expiresAt: number } | undefined;
  let pending: Promise<SigningKey> | undefined;

  async function describe(): Promise<SigningKey> {
    let metadata;
    try {
      const command = new DescribeKeyCommand({ KeyId: keyId });
      metadata = (await tracedKmsCall(traceKmsCall, { operation: 'DescribeKey', keyId, endpoint: options.endpoint() }, () => client.send(command))).KeyMetadata;
    } catch (error) {
      throw toSignerError(error, 'DescribeKey', keyId);
    }
    const arn = metadata?.Arn;
    if (metadata === undefined || typeof arn !== 'string' || arn.length === 0) throw new KmsRequestError(`KMS DescribeKey for ${keyId} returned no key ARN`, { keyId });
    const context = { keyId: arn };
    const usage = metadata.KeyUsage;
    if (usage !== 'SIGN_VERIFY') throw new KmsKeyUsageError(`the KMS key ${arn} has key usage ${usage ?? 'unknown'}, not SIGN_VERIFY: it cannot sign`, context);
    const spec = metadata.KeySpec ?? metadata.CustomerMasterKeySpec;
    if (!isSigningKeySpec(spec)) throw new AlgorithmNotSupportedError(`the KMS key ${arn} has key spec ${spec ?? 'unknown'}, which makes no JWS algorithm`, context);
    const supported = algorithmsOf(spec);
    const algorithm = options.algorithm ?? supported[0];
    if (algorithm === undefined || !supported.includes(algorithm)) {
      throw new AlgorithmNotSupportedError(`the KMS key ${arn} (${spec}) cannot make ${options.algorithm ?? 'a JWS signature'}; it makes ${supported.join(', ')}`, context);
    }
    const parameters = ALGORITHM_PARAMETERS[algorithm];
    const offered = metadata.SigningAlgorithms;
    if (offered !== undefined && !offered.some((name) => name === parameters.kms)) {
      throw new AlgorithmNotSupportedError(`the KMS key ${arn} (${spec}) does not offer ${parameters.kms}, which ${algorithm} needs`, context);
    }
    const state = metadata.KeyState ?? (metadata.Enabled === false ? 'Disabled' : 'Enabled');
    switch (state) {
      case 'Enabled':
        break;
      case 'Disabled':
        throw new KmsKeyDisabledError(`the KMS key ${arn} is disabled`, context);
      case 'PendingDeletion':
      case 'PendingReplicaDeletion':
        throw new KmsKeyPendingDeletionError(`the KMS key ${arn} is pending deletion`, context);
      default:
        throw new KmsKeyStateError(`the KMS key ${arn} is ${state}, a state that cannot sign`, context);
    }
    return Object.freeze({ arn, keySpec: spec, algorithm, parameters, shape: SIGNATURE_SHAPES[spec] });
  }

  return {
    current() {
      if (cached !== undefined && nowMs() < cached.expiresAt) return Promise.resolve(cached.key);
      pending ??= describe()
        .then((key) => {
          cached = { key, expiresAt: nowMs() + maxAgeMs };
          return key;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
    invalidate(key) {
      if (cached?.key === key) cached = undefined;
    },
  };
}
