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
 * Member names in a JSON text that JSON.parse accepted. Outside strings valid JSON has no quotes,
 * and inside them a quote is escaped by an odd run of backslashes; so walking from one unescaped
 * quote to the next finds each string whole and in order, and the strings followed by a colon
 * (after optional whitespace) are the member names. indexOf keeps this a native scan (the hot path:
 * several times faster than a regular expression over the same text).
 */
function countMemberNames(text: string): number {
  let names = 0;
  let open = text.indexOf('"');
  while (open >= 0) {
    let close = text.indexOf('"', open + 1);
    while (text.charCodeAt(close - 1) === BACKSLASH && isEscaped(text, close)) close = text.indexOf('"', close + 1);
    let next = close + 1;
    let code = text.charCodeAt(next);
    while (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) code = text.charCodeAt(++next);
    if (code === COLON) names += 1;
    open = text.indexOf('"', next);
  }
  return names;
}

const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** Whether the quote at `index` is escaped: preceded by an odd number of backslashes. */
function isEscaped(text: string, index: number): boolean {
  let run = 0;
  while (text.charCodeAt(index - 1 - run) === BACKSLASH) run += 1;
  return run % 2 === 1;
}

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
  return countMemberNames(text) !== countMembers(value);
}
