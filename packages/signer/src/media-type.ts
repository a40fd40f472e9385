import { MESSAGE_TYPE } from 'kms-jwt-verifier';

/** A `typ` or `cty` compared as RFC 7515 §4.1.9 says: case-insensitively, `application/` optional. */
function normalized(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** Whether a `typ` names a signed message (`kms-jwt-message+jws`, in any case, `application/` optional). */
export function isMessageType(typ: string): boolean {
  return normalized(typ) === MESSAGE_TYPE;
}

/** `type/subtype`, RFC 9110 tokens, then optional `; name=value` parameters (a value quoted or a token). */
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:[ \t]*;[ \t]*[A-Za-z0-9!#$%&'*+.^_`|~-]+=(?:[A-Za-z0-9!#$%&'*+.^_`|~-]+|"(?:[^"\\\x00-\x1f\x7f]|\\[\x20-\x7e])*"))*$/;

/** Whether `value` is a media type such as `application/json` or `text/csv; charset=utf-8`. */
export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value);
}

/** Whether a media type is JSON: `application/json` or a `+json` structured syntax suffix (RFC 6839), parameters aside. */
export function isJsonMediaType(mediaType: string): boolean {
  const essence = mediaType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9!#$&^_.+-]+\/(?:json|[a-z0-9!#$&^_.+-]*\+json)$/.test(essence);
}

/**
 * The `cty` header parameter for a media type: `application/` left out when no other `/` remains
 * (RFC 7515 §4.1.10 recommends it; recipients put it back), so `application/json` becomes `json`.
 */
export function toCty(mediaType: string): string {
  const rest = mediaType.slice('application/'.length);
  return mediaType.toLowerCase().startsWith('application/') && !rest.includes('/') ? rest : mediaType;
}
