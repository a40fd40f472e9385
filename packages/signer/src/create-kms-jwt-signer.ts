import { createHash } from 'node:crypto';
import { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { JwsAlgorithm, KmsSigningKeySpec } from 'kms-jwt-verifier';
import pLimit from 'p-limit';
import { encodeHeader, prepareClaims, type JwtClaims, type PreparedClaims } from './claims.js';
import { Ed25519InputTooLargeError, KmsJwtSignerError, KmsSignatureInvalidError, type KmsJwtSignerErrorCode } from './errors.js';
import { toSignerError } from './kms-errors.js';
import { toSettings, type KmsJwtSignerOptions, type SignOptions } from './options.js';
import { createRateLimiter } from './rate-limiter.js';
import { createPublicKeySource, verifiesWith } from './self-verify.js';
import { toJoseSignature } from './signature.js';
import { createSigningKeySource, type SigningKey } from './signing-key.js';

/** The key a signer signs with, once resolved. */
export interface SigningKeyInfo {
  /** The key ARN: every token's `kid`. */
  readonly keyArn: string;
  /** The JWS `alg` of every token. */
  readonly algorithm: JwsAlgorithm;
  readonly keySpec: KmsSigningKeySpec;
}

/** Signs JWTs with a KMS key. */
export interface KmsJwtSigner {
  /**
   * Signs `claims` as a compact JWS whose `kid` is the ARN of the key that signed and whose `alg`
   * follows its key spec. Rejects with a {@link KmsJwtSignerError} subclass only.
   */
  sign(claims: JwtClaims, options?: SignOptions): Promise<string>;
  /**
   * Resolves the key now (and, with `selfVerify`, fetches its public key), so that a wrong key,
   * a missing permission or an unusable algorithm shows at startup rather than on the first sign.
   */
  hydrate(): Promise<SigningKeyInfo>;
}

/** KMS signs at most this many bytes as a message; longer signing inputs go as a digest. */
export const MAX_RAW_MESSAGE_BYTES = 4096;

/** Errors after which the key is resolved again: its alias may have moved to another key. */
const KEY_STATE_CODES: ReadonlySet<KmsJwtSignerErrorCode> = new Set(['ERR_KMS_KEY_NOT_FOUND', 'ERR_KMS_KEY_DISABLED', 'ERR_KMS_KEY_PENDING_DELETION', 'ERR_KMS_KEY_STATE_INVALID']);

/** Creates the signer; every configuration mistake throws a `SignerConfigError` here. No KMS call is made until the first `sign` or `hydrate`. */
export function createKmsJwtSigner(options: KmsJwtSignerOptions): KmsJwtSigner {
  const settings = toSettings(options);
  const client = options.client ?? new KMSClient({});
  const keys = createSigningKeySource({
    client,
    keyId: settings.keyId,
    algorithm: settings.algorithm,
    maxAgeMs: settings.aliasCacheMaxAgeMs,
    nowMs: settings.nowMs,
  });
  const publicKeys = settings.selfVerify ? createPublicKeySource(client) : undefined;
  const limit = pLimit(settings.maxConcurrency);
  const rate = settings.maxRatePerSecond === undefined ? undefined : createRateLimiter(settings.maxRatePerSecond);
  /** The encoded header for each resolved key, when a call adds no header parameters of its own. */
  const headers = new WeakMap<SigningKey, string>();

  function headerSegment(key: SigningKey, claims: PreparedClaims): string {
    if (!claims.defaultHeader) return encodeHeader(key.algorithm, key.arn, settings.typ, claims.extraHeader);
    let segment = headers.get(key);
    if (segment === undefined) {
      segment = encodeHeader(key.algorithm, key.arn, settings.typ, claims.extraHeader);
      headers.set(key, segment);
    }
    return segment;
  }

  /** One KMS Sign call for `key`, inside the concurrency and rate limits. */
  function kmsSign(key: SigningKey, input: Buffer): Promise<{ keyId: string | undefined; signature: Uint8Array | undefined }> {
    let message = input;
    let messageType: 'RAW' | 'DIGEST' = 'RAW';
    if (input.length > MAX_RAW_MESSAGE_BYTES) {
      const hash = key.parameters.hash;
      if (hash === null) {
        throw new Ed25519InputTooLargeError(
          `the signing input is ${input.length} bytes, more than the ${MAX_RAW_MESSAGE_BYTES} KMS signs as a message, and the Ed25519 key ${key.arn} cannot sign a digest (EdDSA signs the whole message): make the claims smaller or use an ECC or RSA key`,
          { keyId: key.arn },
        );
      }
      message = createHash(hash).update(input).digest();
      messageType = 'DIGEST';
    }
    return limit(async () => {
      if (rate !== undefined) await rate.take();
      try {
        const signed = await client.send(new SignCommand({ KeyId: key.arn, Message: message, MessageType: messageType, SigningAlgorithm: key.parameters.kms }));
        return { keyId: signed.KeyId, signature: signed.Signature };
      } catch (error) {
        throw toSignerError(error, 'Sign', key.arn);
      }
    });
  }

  async function sign(claims: JwtClaims, callOptions?: SignOptions): Promise<string> {
    const prepared = prepareClaims(claims, callOptions, settings);
    let key = await keys.current();
    for (let attempt = 1; ; attempt += 1) {
      const signingInput = `${headerSegment(key, prepared)}.${prepared.payloadSegment}`;
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
        // Never emit a token whose kid names another key than the one that signed.
        keys.invalidate(key);
        if (attempt === 1) {
          key = await keys.current();
          continue;
        }
        throw new KmsSignatureInvalidError(`KMS Sign was asked for ${key.arn} but answered for ${signed.keyId ?? 'no key'}; no token was issued`, { keyId: key.arn });
      }
      const signature = signed.signature === undefined ? undefined : toJoseSignature(signed.signature, key.shape);
      if (signature === undefined) {
        throw new KmsSignatureInvalidError(`KMS Sign for ${key.arn} returned a signature that is not a valid ${key.keySpec} signature (strict DER for ECDSA, the key size for RSA and Ed25519); no token was issued`, {
          keyId: key.arn,
        });
      }
      if (publicKeys !== undefined && !verifiesWith(await publicKeys.get(key), key, input, signature)) {
        throw new KmsSignatureInvalidError(`the signature KMS returned for ${key.arn} does not verify against its public key (selfVerify); no token was issued`, { keyId: key.arn });
      }
      return `${signingInput}.${signature.toString('base64url')}`;
    }
  }

  return {
    sign,
    async hydrate() {
      const key = await keys.current();
      if (publicKeys !== undefined) await publicKeys.get(key);
      return { keyArn: key.arn, algorithm: key.algorithm, keySpec: key.keySpec };
    },
  };
}
