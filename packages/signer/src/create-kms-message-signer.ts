import { KMSClient } from '@aws-sdk/client-kms';
import { MessageInvalidError } from './errors.js';
import { createKmsSigningCore, type SigningKeyInfo } from './kms-signing.js';
import { toCty } from './media-type.js';
import { preparePayload, type MessageContent } from './message-content.js';
import { checkMessageHeaderParameters, encodeMessageHeader, MAX_MESSAGE_HEADER_LENGTH, type MessageHeaderFields } from './message-header.js';
import { toMessageSettings, type KmsMessageSignerOptions, type MessageSettings, type SignMessageOptions } from './message-options.js';
import type { SigningKey } from './signing-key.js';
import { tracedSign } from './telemetry.js';
import { isPlainObject, isPositiveInteger } from './validation.js';

/** A message signed by KMS, in both forms: send `jws` alone, or `payload` with `detachedJws` beside it. */
export interface SignedMessage {
  /** The compact JWS with the payload inside (`header.payload.signature`): the whole message, e.g. an SQS body. */
  readonly jws: string;
  /**
   * The JWS with a detached payload (`header..signature`, RFC 7515 Appendix F): send it beside
   * `payload` (an SQS message attribute, an HTTP header) while `payload` travels unchanged as the body.
   */
  readonly detachedJws: string;
  /** The payload exactly as signed (for `json`, the UTF-8 JSON text): with `detachedJws`, send these bytes unchanged. */
  readonly payload: Buffer;
  /** The payload's media type: `application/json`, `text/csv`. */
  readonly contentType: string;
  /** The message id (header `jti`). */
  readonly messageId: string;
  /** When it was signed (header `iat`), in seconds since the epoch. */
  readonly issuedAt: number;
  /** When it expires (header `exp`), in seconds since the epoch; `undefined` when it does not. */
  readonly expiresAt: number | undefined;
  /** The ARN of the key that signed: the header `kid`. */
  readonly keyArn: string;
}

/** Signs messages between services with a KMS key, as JWS that kms-jwt-verifier's `createMessageVerifier` verifies offline. */
export interface KmsMessageSigner {
  /**
   * Signs a JSON value or bytes as a JWS whose header carries `typ` `kms-jwt-message+jws`, `kid` =
   * the ARN of the key that signed, `cty`, `iat`, a message id (`jti`) and, when it expires, `exp`
   * (listed in `crit`). Payloads over 4096 bytes of signing input are signed as a SHA digest (not
   * with Ed25519 keys, which cannot). Rejects with a {@link KmsJwtSignerError} subclass only.
   */
  sign(content: MessageContent, options?: SignMessageOptions): Promise<SignedMessage>;
  /**
   * Resolves the key now (and, with `selfVerify`, fetches its public key), so that a wrong key or a
   * missing permission shows at startup. First of all, it resolves the KMS endpoint the client calls
   * and checks it (see "The KMS endpoint" in the README): plain HTTP outside loopback rejects with
   * `SignerEndpointError` before any connection.
   */
  hydrate(): Promise<SigningKeyInfo>;
}

function invalid(message: string, field: string): never {
  throw new MessageInvalidError(message, field);
}

/** The header fields of one message: its id, times and extra parameters, checked. */
function headerFields(contentType: string, callOptions: SignMessageOptions | undefined, settings: MessageSettings): MessageHeaderFields {
  const options = callOptions ?? {};
  if (!isPlainObject(options)) invalid('sign options must be a plain object', 'options');
  const { expiresInSeconds, messageId, header } = options;
  if (expiresInSeconds !== undefined && expiresInSeconds !== null && !isPositiveInteger(expiresInSeconds)) invalid('expiresInSeconds must be a whole number of seconds >= 1, or null', 'expiresInSeconds');
  if (header !== undefined) {
    const problem = checkMessageHeaderParameters(header);
    if (problem) invalid(problem.message, problem.parameter);
  }
  const nowMs = settings.nowMs();
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) invalid('nowMs() must return a finite number of epoch milliseconds', 'iat');
  const iat = Math.floor(nowMs / 1000);
  const lifetime = expiresInSeconds === undefined ? settings.expiresInSeconds : expiresInSeconds;
  const jti = messageId ?? settings.generateMessageId();
  if (typeof jti !== 'string' || jti.length === 0) invalid(messageId === undefined ? 'the generateMessageId function must return a non-empty string' : 'messageId must be a non-empty string', 'messageId');
  return {
    cty: toCty(contentType),
    iat,
    jti,
    exp: lifetime === null ? undefined : iat + lifetime,
    extra: header === undefined ? settings.header : { ...settings.header, ...header },
  };
}

/**
 * Creates the message signer; every configuration mistake throws a `SignerConfigError` here. No KMS
 * call is made until the first `sign` or `hydrate`.
 */
export function createKmsMessageSigner(options: KmsMessageSignerOptions): KmsMessageSigner {
  const settings = toMessageSettings(options);
  const client = options.client ?? new KMSClient({});
  const core = createKmsSigningCore(client, settings, 'message');

  async function sign(content: MessageContent, callOptions?: SignMessageOptions): Promise<SignedMessage> {
    const { payload, contentType } = preparePayload(content, settings.maxPayloadBytes);
    const fields = headerFields(contentType, callOptions, settings);
    const makeHeader = (key: SigningKey): string => {
      const segment = encodeMessageHeader(key.algorithm, key.arn, fields);
      if (segment.length > MAX_MESSAGE_HEADER_LENGTH) {
        invalid(`the protected header is ${segment.length} characters encoded, more than ${MAX_MESSAGE_HEADER_LENGTH}: make the extra header parameters or the message id shorter`, 'header');
      }
      return segment;
    };
    const { signingInput, headerSegment, signature, key } = await core.sign(makeHeader, payload.toString('base64url'));
    return Object.freeze({
      jws: `${signingInput}.${signature}`,
      detachedJws: `${headerSegment}..${signature}`,
      payload,
      contentType,
      messageId: fields.jti,
      issuedAt: fields.iat,
      expiresAt: fields.exp,
      keyArn: key.arn,
    });
  }

  return { sign: tracedSign(settings.telemetry, { kind: 'message', keyId: settings.keyId }, sign), hydrate: () => core.hydrate() };
}
