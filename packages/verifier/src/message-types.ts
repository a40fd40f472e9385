import type { JwsHeader } from './types.js';

/**
 * A signed message as received: a compact JWS string with the payload inside, or `{ jws, payload }`
 * for a detached payload (RFC 7515 Appendix F: the JWS is `header..signature` and the payload
 * travels on its own, e.g. as the SQS message body or the HTTP request body).
 */
export type SignedMessageInput = string | DetachedSignedMessage;

/** A signed message whose payload travels beside its JWS. */
export interface DetachedSignedMessage {
  /**
   * The JWS: detached (`header..signature`, from `SignedMessage.detachedJws`), or compact with the
   * payload inside when `payload` is left out. `undefined` (a missing message attribute or header)
   * is refused as malformed, so it can be passed straight from where it is read.
   */
  readonly jws: string | undefined;
  /** The payload of a detached JWS, exactly as received: a string is taken as UTF-8 (an SQS body), bytes as they are (an HTTP body). Default: none (a compact JWS). */
  readonly payload?: string | Uint8Array | undefined;
}

/** The protected header of a verified message: the JWS parameters, and the message's own. */
export interface MessageHeader extends JwsHeader {
  /** `kms-jwt-message+jws` (compared case-insensitively, `application/` optional). */
  readonly typ: string;
  /** The payload's media type, `application/` left out as RFC 7515 recommends (`json`, `text/csv`). */
  readonly cty: string;
  /** When the message was signed, in seconds since the epoch. */
  readonly iat: number;
  /** The message id. */
  readonly jti: string;
  /** When the message expires, in seconds since the epoch, if it does (then `crit` is `['exp']`). */
  readonly exp?: number;
  readonly crit?: readonly string[];
}

/**
 * What the message verifier resolves to, frozen. `P` is the payload: the parsed JSON value for
 * `verify` (describe it with a type argument), the bytes for `verifyBytes`.
 */
export interface VerifiedMessage<P = unknown> {
  readonly payload: P;
  /** The payload's media type, in full: `application/json`, `text/csv`. */
  readonly contentType: string;
  /** The message id (header `jti`). */
  readonly messageId: string;
  readonly header: MessageHeader;
  /** The trusted key that verified the signature: its KMS key ARN (or static key's kid). */
  readonly key: string;
}

/** What the `isReplayed` hook is asked about: a message whose signature and times already passed. */
export interface ReplayHookInput {
  readonly messageId: string;
  /** The trusted key that verified it (its KMS key ARN): message ids are unique per producer, so scope them by key when producers choose their own. */
  readonly key: string;
  /** Header `iat`, seconds since the epoch. */
  readonly issuedAt: number;
  /**
   * Seconds since the epoch after which this message is refused anyway — its `exp`, or `iat` plus
   * `maxMessageAgeSeconds`, whichever comes first, plus the clock tolerance — so a replay store
   * may forget the id then (a DynamoDB TTL, a Redis expiry). `undefined` when neither bounds it.
   */
  readonly rememberUntil: number | undefined;
  readonly header: MessageHeader;
}

/**
 * Records the message id and answers whether it was recorded before (`true`: a replay, refused
 * with ERR_MESSAGE_REPLAYED), atomically — a DynamoDB conditional put, a Redis `SET NX`. Sync or
 * async. Throwing (or rejecting) makes the verification fail with ERR_REPLAY_CHECK_UNAVAILABLE
 * (503: retry later), since whether the message is a replay is then unknown.
 */
export type ReplayHook = (message: ReplayHookInput) => boolean | Promise<boolean>;
