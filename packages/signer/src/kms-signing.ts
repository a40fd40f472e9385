import { createHash } from 'node:crypto';
import { SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { JwsAlgorithm, KmsSigningKeySpec } from 'kms-jwt-verifier';
import { checkKmsEndpoint } from 'kms-jwt-verifier/kms-endpoint';
import pLimit from 'p-limit';
import { Ed25519InputTooLargeError, KmsJwtSignerError, KmsSignatureInvalidError, SignerConfigError, SignerEndpointError, type KmsJwtSignerErrorCode } from './errors.js';
import { toSignerError } from './kms-errors.js';
import type { CoreSettings } from './options.js';
import { createRateLimiter } from './rate-limiter.js';
import { createPublicKeySource, verifiesWith } from './self-verify.js';
import { toJoseSignature } from './signature.js';
import { tracedKmsCall } from './telemetry.js';
import { createSigningKeySource, type SigningKey } from './signing-key.js';

/** The key a signer signs with, once resolved. */
export interface SigningKeyInfo {
  /** The key ARN: every token's (and message's) `kid`. */
  readonly keyArn: string;
  /** The JWS `alg` of every token (and message). */
  readonly algorithm: JwsAlgorithm;
  readonly keySpec: KmsSigningKeySpec;
  /**
   * The KMS endpoint the signer calls, e.g. `https://kms.us-east-1.amazonaws.com` (from the
   * client's Region), kms-local's `http://127.0.0.1:4599`, or what `AWS_ENDPOINT_URL_KMS` names.
   */
  readonly endpoint: string;
}

/** KMS signs at most this many bytes as a message; longer signing inputs go as a digest. */
export const MAX_RAW_MESSAGE_BYTES = 4096;

/** Errors after which the key is resolved again: its alias may have moved to another key. */
const KEY_STATE_CODES: ReadonlySet<KmsJwtSignerErrorCode> = new Set(['ERR_KMS_KEY_NOT_FOUND', 'ERR_KMS_KEY_DISABLED', 'ERR_KMS_KEY_PENDING_DELETION', 'ERR_KMS_KEY_STATE_INVALID']);

/** A compact JWS made by KMS: the signing input, the signature in base64url, and the key that signed. */
export interface KmsSignature {
  /** `header.payload`, both base64url. */
  readonly signingInput: string;
  /** The header segment alone. */
  readonly headerSegment: string;
  /** The JWS signature, base64url. */
  readonly signature: string;
  readonly key: SigningKey;
}

/** What tokens and messages are signed with: the resolved key, the KMS Sign call and its limits, the DER → R‖S conversion, selfVerify. */
export interface KmsSigningCore {
  /**
   * Signs `headerSegment(key).payloadSegment` with the current key. If Sign reports the cached key
   * gone, disabled or pending deletion and its alias now names another key, the header is made again
   * for that key and signed with it, so the `kid` always names the key that signed.
   */
  sign(headerSegment: (key: SigningKey) => string, payloadSegment: string): Promise<KmsSignature>;
  /**
   * Checks the KMS endpoint (plain HTTP outside loopback rejects with `SignerEndpointError` before
   * any connection), then resolves the key (and, with `selfVerify`, fetches its public key).
   */
  hydrate(): Promise<SigningKeyInfo>;
}

/** `noun` names what is signed (`token` or `message`) in error messages. */
export function createKmsSigningCore(client: KMSClient, settings: CoreSettings, noun: 'token' | 'message'): KmsSigningCore {
  const traceKmsCall = settings.telemetry?.traceKmsCall;
  const onLimiterWait = settings.telemetry?.onLimiterWait;
  const keys = createSigningKeySource({
    client,
    traceKmsCall,
    endpoint: () => endpoint,
    keyId: settings.keyId,
    algorithm: settings.algorithm,
    maxAgeMs: settings.aliasCacheMaxAgeMs,
    nowMs: settings.nowMs,
  });
  const publicKeys = settings.selfVerify ? createPublicKeySource(client, traceKmsCall, () => endpoint) : undefined;
  const limit = pLimit(settings.maxConcurrency);
  const rate = settings.maxRatePerSecond === undefined ? undefined : createRateLimiter(settings.maxRatePerSecond);
  let endpointCheck: Promise<string> | undefined;
  let endpoint: string | undefined;

  /** Resolves and checks the endpoint the client calls, once, before the first KMS call (no network call). */
  function checkEndpoint(): Promise<string> {
    endpointCheck ??= (async () => {
      let verdict;
      try {
        verdict = await checkKmsEndpoint(client, { packageName: 'kms-jwt-signer', trustedEndpoint: settings.trustedEndpoint });
      } catch (error) {
        throw new SignerConfigError(`cannot tell which KMS endpoint the client calls (${error instanceof Error ? error.message : String(error)}); check its region and endpoint settings`, {
          cause: error,
        });
      }
      if (verdict.kind === 'refused') throw new SignerEndpointError(verdict.reason, verdict.endpoint);
      endpoint = verdict.endpoint;
      return endpoint;
    })();
    return endpointCheck;
  }

  /** One KMS Sign call for `key`, inside the concurrency and rate limits. */
  function kmsSign(key: SigningKey, input: Buffer): Promise<{ keyId: string | undefined; signature: Uint8Array | undefined }> {
    let message = input;
    let messageType: 'RAW' | 'DIGEST' = 'RAW';
    if (input.length > MAX_RAW_MESSAGE_BYTES) {
      const hash = key.parameters.hash;
      if (hash === null) {
        throw new Ed25519InputTooLargeError(
          `the signing input is ${input.length} bytes, more than the ${MAX_RAW_MESSAGE_BYTES} KMS signs as a message, and the Ed25519 key ${key.arn} cannot sign a digest (EdDSA signs the whole message): make ${noun === 'token' ? 'the claims' : 'the message'} smaller, or use an ECC or RSA key`,
          { keyId: key.arn },
        );
      }
      message = createHash(hash).update(input).digest();
      messageType = 'DIGEST';
    }
    const queuedAt = onLimiterWait === undefined ? 0 : performance.now();
    return limit(async () => {
      if (rate !== undefined) await rate.take();
      if (onLimiterWait !== undefined) reportWait(onLimiterWait, performance.now() - queuedAt, key.arn);
      try {
        const command = new SignCommand({ KeyId: key.arn, Message: message, MessageType: messageType, SigningAlgorithm: key.parameters.kms });
        const signed = await tracedKmsCall(traceKmsCall, { operation: 'Sign', keyId: key.arn, endpoint }, () => client.send(command));
        return { keyId: signed.KeyId, signature: signed.Signature };
      } catch (error) {
        throw toSignerError(error, 'Sign', key.arn);
      }
    });
  }

  async function sign(headerSegment: (key: SigningKey) => string, payloadSegment: string): Promise<KmsSignature> {
    if (endpoint === undefined) await checkEndpoint();
    let key = await keys.current();
    for (let attempt = 1; ; attempt += 1) {
      const header = headerSegment(key);
      const signingInput = `${header}.${payloadSegment}`;
      const input = Buffer.from(signingInput, 'latin1');
      let signed: Awaited<ReturnType<typeof kmsSign>>;
      try {
        signed = await kmsSign(key, input);
      } catch (error) {
        // The key the cache named is gone, disabled or pending deletion: if the alias now names
        // another key, sign again with that one (and its ARN as kid); otherwise report why.
        if (attempt === 1 && error instanceof KmsJwtSignerError && KEY_STATE_CODES.has(error.code)) {
          keys.invalidate(key);
          const fresh = await keys.current();
          if (fresh.arn !== key.arn) {
            key = fresh;
            continue;
          }
        }
        throw error;
      }
      if (signed.keyId !== key.arn) {
        // Never emit a JWS whose kid names another key than the one that signed.
        keys.invalidate(key);
        if (attempt === 1) {
          key = await keys.current();
          continue;
        }
        throw new KmsSignatureInvalidError(`KMS Sign was asked for ${key.arn} but answered for ${signed.keyId ?? 'no key'}; no ${noun} was issued`, { keyId: key.arn });
      }
      const signature = signed.signature === undefined ? undefined : toJoseSignature(signed.signature, key.shape);
      if (signature === undefined) {
        throw new KmsSignatureInvalidError(`KMS Sign for ${key.arn} returned a signature that is not a valid ${key.keySpec} signature (strict DER for ECDSA, the key size for RSA and Ed25519); no ${noun} was issued`, {
          keyId: key.arn,
        });
      }
      if (publicKeys !== undefined && !verifiesWith(await publicKeys.get(key), key, input, signature)) {
        throw new KmsSignatureInvalidError(`the signature KMS returned for ${key.arn} does not verify against its public key (selfVerify); no ${noun} was issued`, { keyId: key.arn });
      }
      return { signingInput, headerSegment: header, signature: signature.toString('base64url'), key };
    }
  }

  return {
    sign,
    async hydrate() {
      const checked = await checkEndpoint();
      const key = await keys.current();
      if (publicKeys !== undefined) await publicKeys.get(key);
      return { keyArn: key.arn, algorithm: key.algorithm, keySpec: key.keySpec, endpoint: checked };
    },
  };
}

/** Tells telemetry how long a Sign call waited for the limits; a callback that throws never breaks signing. */
function reportWait(onLimiterWait: (event: { waitMs: number; keyArn: string }) => void, waitMs: number, keyArn: string): void {
  try {
    onLimiterWait({ waitMs, keyArn });
  } catch {
    // Telemetry must not break signing.
  }
}
