import { normalizeTyp } from './media-type.js';

/**
 * The header `typ` of every signed message (explicit typing, RFC 8725 §3.11): a name of this
 * project's own, so that it collides with no registered media type, and not a `+jwt` type, because
 * a message's payload is not a JWT claims set (with a detached payload it is not even in the JWS).
 * The access-token path refuses it; the message path requires it.
 */
export const MESSAGE_TYPE = 'kms-jwt-message+jws';

const NORMALIZED = normalizeTyp(MESSAGE_TYPE);

/** Whether a header `typ` names a signed message, compared as RFC 7515 says (case-insensitive, `application/` optional). */
export function isMessageType(typ: unknown): boolean {
  return typeof typ === 'string' && normalizeTyp(typ) === NORMALIZED;
}

/**
 * The header parameters a message may list in `crit`, because the message verifier understands
 * them: `exp`, the one parameter that restricts when a message is valid (RFC 7515 §4.1.11 uses it
 * as its example), so that a generic JWS library refuses an expiring message unless told that the
 * application checks `exp`.
 */
export const MESSAGE_CRITICAL_PARAMETERS: ReadonlySet<string> = new Set(['exp']);
