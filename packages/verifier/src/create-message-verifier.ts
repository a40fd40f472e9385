import { bytesView, latin1Bytes, toBase64url, utf8Bytes, utf8Length, verifySignatureAsync, verifySignatureSync } from '#runtime';
import { decodeBase64url } from './base64url.js';
import { checkTimeClaims, isFiniteNumber, type TimeRules, type TimeSubject } from './claims.js';
import { deepFreeze } from './deep-freeze.js';
import { isHighS } from './ecdsa-low-s.js';
import { ownError, unavailable } from './error-wrapping.js';
import {
  JwtClaimInvalidError,
  JwtClaimMissingError,
  JwtMalformedError,
  JwtTooLargeError,
  KmsJwtError,
  MessageReplayedError,
  ReplayCheckUnavailableError,
  SignatureHighSError,
  SignatureInvalidError,
  VerifierConfigError,
} from './errors.js';
import { parseJson } from './json.js';
import { checkHeader } from './jws-header.js';
import { checkKeyAllows, checkKeyVerifies } from './key-policy.js';
import type { TrustedKey } from './key-resolver.js';
import { fullMediaType, isJsonMediaType } from './media-type.js';
import { MESSAGE_OVERHEAD_BYTES, toMessageSettings, type MessageSettings, type MessageVerifierOptions } from './message-options.js';
import type { MessageHeader, SignedMessageInput, VerifiedMessage } from './message-types.js';
import { joseSignature } from './signature.js';
import { signatureCheckFailed } from './signature-failure.js';

/** Verifies signed messages (kms-jwt-signer's `createKmsMessageSigner`) offline against trusted keys. */
export interface MessageVerifier {
  /**
   * Verifies a message whose payload is JSON (`cty` `json` or a `+json` type) and resolves to it
   * parsed (no member name twice in any object), with its id, header and key; rejects with a
   * {@link KmsJwtError} subclass only. Describe the payload with `P`.
   */
  verify<P = unknown>(message: SignedMessageInput): Promise<VerifiedMessage<P>>;
  /** Verifies a message of any content type and resolves to its payload bytes, exactly as signed (a Buffer on Node.js, Bun and Deno). */
  verifyBytes(message: SignedMessageInput): Promise<VerifiedMessage<Uint8Array>>;
}

const MESSAGE: TimeSubject = { noun: 'message', field: 'header parameter', ageOption: 'maxMessageAgeSeconds', expiredHint: '' };

/** A strict UTF-8 decoder: invalid sequences are an error, and a byte order mark stays (and is then not JSON). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function malformed(message: string): JwtMalformedError {
  return new JwtMalformedError(message);
}

/** The JWS and, for a detached one, the payload bytes; sizes checked before any parsing. */
function readInput(input: unknown, settings: MessageSettings): { readonly jws: string; readonly detached: Uint8Array | undefined } {
  let jws: unknown = input;
  let payload: unknown;
  if (typeof input === 'object' && input !== null) ({ jws, payload } = input as { jws?: unknown; payload?: unknown });
  else if (typeof input !== 'string') throw malformed('the message must be a compact JWS string, or { jws, payload } for a detached payload');
  if (jws === undefined || jws === null || jws === '') throw malformed('no JWS given: the message carries no signature (is the message attribute or header that holds it missing?)');
  if (typeof jws !== 'string') throw malformed('the JWS must be a string (a compact JWS, or a detached one: header..signature)');
  if (payload === undefined) {
    if (jws.length > settings.maxJwsLength) {
      throw new JwtTooLargeError(`the signed message is longer than ${settings.maxJwsLength} bytes (maxPayloadBytes in base64url, plus ${MESSAGE_OVERHEAD_BYTES} for the header and signature)`);
    }
    return { jws, detached: undefined };
  }
  if (jws.length > MESSAGE_OVERHEAD_BYTES) throw new JwtTooLargeError(`the detached JWS is longer than ${MESSAGE_OVERHEAD_BYTES} bytes, more than a header and a signature take`);
  let bytes: Uint8Array;
  if (typeof payload === 'string') {
    if (utf8Length(payload) > settings.maxPayloadBytes) throw new JwtTooLargeError(`the payload is larger than ${settings.maxPayloadBytes} bytes (maxPayloadBytes)`);
    bytes = utf8Bytes(payload);
  } else if (payload instanceof Uint8Array) {
    if (payload.byteLength > settings.maxPayloadBytes) throw new JwtTooLargeError(`the payload is larger than ${settings.maxPayloadBytes} bytes (maxPayloadBytes)`);
    bytes = bytesView(payload);
  } else {
    throw malformed('the detached payload must be a string (taken as UTF-8) or a Uint8Array');
  }
  if (bytes.length === 0) throw malformed('the detached payload is empty; a signed message has at least one byte');
  return { jws, detached: bytes };
}

/** The message's own header parameters: `jti` and `iat` required, `cty` a media type. */
function messageFields(header: Record<string, unknown>): { readonly messageId: string; readonly issuedAt: number; readonly contentType: string } {
  const jti = header['jti'];
  if (jti === undefined) throw new JwtClaimMissingError('header jti (the message id) is required but missing', { claim: 'jti' });
  if (typeof jti !== 'string' || jti.length === 0) throw new JwtClaimInvalidError('header jti (the message id) must be a non-empty string', { claim: 'jti', actual: typeof jti });
  const iat = header['iat'];
  if (iat === undefined) throw new JwtClaimMissingError('header iat (when the message was signed) is required but missing', { claim: 'iat' });
  if (!isFiniteNumber(iat)) throw new JwtClaimInvalidError('header iat must be a NumericDate (seconds since the epoch)', { claim: 'iat', actual: typeof iat });
  const cty = header['cty'];
  if (cty === undefined) throw new JwtClaimMissingError("header cty (the payload's media type) is required but missing", { claim: 'cty' });
  if (typeof cty !== 'string' || cty.length === 0) throw new JwtClaimInvalidError("header cty (the payload's media type) must be a non-empty string", { claim: 'cty', actual: typeof cty });
  return { messageId: jti, issuedAt: iat, contentType: fullMediaType(cty) };
}

/**
 * Creates the verifier of signed messages; every configuration mistake throws a
 * VerifierConfigError here. It applies the same trust as `createVerifier` (the same `keys`: kid must
 * name a trusted key, alg must be one the key makes, the signature must verify) and refuses
 * anything that is not a signed message (header `typ` `kms-jwt-message+jws`), access tokens first.
 */
export function createMessageVerifier(options: MessageVerifierOptions): MessageVerifier {
  const settings = toMessageSettings(options);
  const rules: TimeRules = {
    clockToleranceSeconds: settings.clockToleranceSeconds,
    maxTokenAgeSeconds: settings.maxAgeSeconds,
    maxTokenLifetimeSeconds: null,
  };

  async function verifyMessage(input: unknown, as: 'json' | 'bytes'): Promise<VerifiedMessage<unknown>> {
    const { jws, detached } = readInput(input, settings);
    const firstDot = jws.indexOf('.');
    // With no dot at all (firstDot -1) this search starts at 0 and finds none either.
    const secondDot = jws.indexOf('.', firstDot + 1);
    if (secondDot < 0 || jws.indexOf('.', secondDot + 1) >= 0) throw malformed('the JWS must have exactly three dot-separated segments (compact, or detached: header..signature)');
    const headerSegment = jws.slice(0, firstDot);
    const { header, alg, kid } = checkHeader(headerSegment, 'message');

    const payloadSegment = jws.slice(firstDot + 1, secondDot);
    let payloadBytes: Uint8Array;
    let encodedPayload: string;
    if (detached === undefined) {
      if (payloadSegment.length === 0) throw malformed('the JWS is detached (header..signature) but no payload was given: pass { jws, payload }');
      const decoded = decodeBase64url(payloadSegment);
      if (!decoded) throw malformed('the payload is not base64url');
      if (decoded.length > settings.maxPayloadBytes) throw new JwtTooLargeError(`the payload is larger than ${settings.maxPayloadBytes} bytes (maxPayloadBytes)`);
      payloadBytes = decoded;
      encodedPayload = payloadSegment;
    } else {
      if (payloadSegment.length !== 0) throw malformed('the JWS carries its payload and a detached payload was given too: give one of them');
      payloadBytes = detached;
      encodedPayload = toBase64url(detached);
    }
    const signature = decodeBase64url(jws.slice(secondDot + 1));
    if (!signature || signature.length === 0) throw malformed('the signature is not base64url');

    let key: TrustedKey | undefined;
    try {
      key = await settings.resolver.resolve(kid);
    } catch (error) {
      throw unavailable(error);
    }
    checkKeyAllows(key, alg, settings.algorithms, 'message');
    checkKeyVerifies(key, alg);
    const jose = joseSignature(alg, signature, false, key.publicKey);
    const highS = settings.rejectHighS && isHighS(alg, jose);
    const data = latin1Bytes(`${headerSegment}.${encodedPayload}`);
    let valid: boolean;
    try {
      valid = await (settings.threadpool ? verifySignatureAsync(alg, key.publicKey, data, jose) : verifySignatureSync(alg, key.publicKey, data, jose));
    } catch (error) {
      throw signatureCheckFailed(error, alg, key);
    }
    if (!valid) throw new SignatureInvalidError('the signature does not verify with the trusted key named by kid: the payload or the header was changed, or another key signed it');
    if (highS) throw new SignatureHighSError('the ECDSA signature verifies but is not in canonical low-S form (s > n/2), which rejectHighS refuses');

    const { messageId, issuedAt, contentType } = messageFields(header);
    checkTimeClaims(header, rules, settings.nowMs() / 1000, MESSAGE);

    let payload: unknown = payloadBytes;
    if (as === 'json') {
      if (!isJsonMediaType(contentType)) {
        throw new JwtClaimInvalidError(`the payload is ${contentType}, not JSON: verify it with verifyBytes`, { claim: 'cty', expected: 'application/json', actual: contentType });
      }
      let text: string;
      try {
        text = UTF8.decode(payloadBytes);
      } catch {
        throw malformed('the payload is not valid UTF-8, so not JSON');
      }
      const parsed = parseJson(text);
      if (!parsed) throw malformed('the payload is not JSON (or names a member twice in one object)');
      payload = typeof parsed.value === 'object' && parsed.value !== null ? deepFreeze(parsed.value) : parsed.value;
    }

    const verifiedHeader = header as MessageHeader;
    if (settings.isReplayed !== undefined) {
      const exp = verifiedHeader.exp;
      const bounds = [exp, settings.maxAgeSeconds === undefined ? undefined : issuedAt + settings.maxAgeSeconds].filter((bound): bound is number => bound !== undefined);
      const rememberUntil = bounds.length === 0 ? undefined : Math.min(...bounds) + settings.clockToleranceSeconds;
      let seen: unknown;
      try {
        seen = await settings.isReplayed({ messageId, key: key.id, issuedAt, rememberUntil, header: verifiedHeader });
      } catch (error) {
        if (error instanceof KmsJwtError) throw error;
        throw new ReplayCheckUnavailableError('the isReplayed hook failed, so whether the message is a replay is unknown; retry later', { cause: error });
      }
      if (seen === true) throw new MessageReplayedError('the message id was seen before (isReplayed answered true): the message is a replay or a redelivery', { claim: 'jti' });
      if (seen !== false) throw new VerifierConfigError('isReplayed must return true or false, or a promise of either');
    }
    return Object.freeze({ payload, contentType, messageId, header: verifiedHeader, key: key.id });
  }

  return {
    verify<P = unknown>(message: SignedMessageInput): Promise<VerifiedMessage<P>> {
      return verifyMessage(message, 'json').catch((error: unknown) => Promise.reject(ownError(error, 'message'))) as Promise<VerifiedMessage<P>>;
    },
    verifyBytes(message: SignedMessageInput): Promise<VerifiedMessage<Uint8Array>> {
      return verifyMessage(message, 'bytes').catch((error: unknown) => Promise.reject(ownError(error, 'message'))) as Promise<VerifiedMessage<Uint8Array>>;
    },
  };
}
