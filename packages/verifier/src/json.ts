/**
 * Parses a JWS header or JWT payload: valid JSON (RFC 8259), an object at the top, and no member
 * name twice in any object (RFC 7515 §5.2 lets a parser reject duplicates; accepting them lets two
 * parsers disagree on a claim's value). Returns `undefined` for anything else.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return hasDuplicateMember(text, value) ? undefined : (value as Record<string, unknown>);
}

/**
 * Every JSON string of a text, with the colon that follows a member name. Outside strings JSON text
 * has no quotes, and inside them every quote is escaped, so matching from the start finds each
 * string whole and in order; the ones followed by a colon are the member names.
 */
const JSON_STRING = /"(?:[^"\\]|\\.)*"([ \t\n\r]*:)?/g;

/** Members in a parsed JSON value, nested ones included. */
function countMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countMembers(item);
    return count;
  }
  for (const name in value) count += 1 + countMembers((value as Record<string, unknown>)[name]);
  return count;
}

/**
 * Whether an object of the JSON text (which JSON.parse accepted as `value`) repeats a member name.
 * JSON.parse keeps one member per name (names compared decoded, so "a" and "\u0061" are the same),
 * so a repeated name leaves fewer members in `value` than member names in the text.
 */
function hasDuplicateMember(text: string, value: unknown): boolean {
  JSON_STRING.lastIndex = 0;
  let names = 0;
  for (let match = JSON_STRING.exec(text); match !== null; match = JSON_STRING.exec(text)) {
    if (match[1] !== undefined) names += 1;
  }
  return names !== countMembers(value);
}
