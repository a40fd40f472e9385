/**
 * A header `typ` or `cty` value as RFC 7515 §4.1.9–10 compares it: case-insensitively, with the
 * `application/` prefix optional (producers may leave it out when no other `/` appears).
 */
export function normalizeTyp(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** A `cty` value as a full media type: `application/` put back when the value has no `/` (RFC 7515 §4.1.10). */
export function fullMediaType(cty: string): string {
  return cty.includes('/') ? cty : `application/${cty}`;
}

/** `application/json` or a `+json` structured syntax suffix (RFC 6839), parameters aside, in any case. */
const JSON_MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/(?:json|[a-z0-9!#$&^_.+-]*\+json)$/;

/** Whether a (full) media type is JSON: `application/json`, or `application/cloudevents+json` and the like. */
export function isJsonMediaType(mediaType: string): boolean {
  const semicolon = mediaType.indexOf(';');
  const essence = (semicolon < 0 ? mediaType : mediaType.slice(0, semicolon)).trim().toLowerCase();
  return JSON_MEDIA_TYPE.test(essence);
}
