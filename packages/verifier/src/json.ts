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
  return hasEachNameOnce(text, value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Parses any JSON value (a signed message's payload: an object, an array, a string, a number, …)
 * with the same rule: no member name twice in any object. Returns `{ value }`, or `undefined` for
 * text that is not JSON, has a duplicate name, or nests too deeply to be checked.
 */
export function parseJson(text: string): { readonly value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !hasEachNameOnce(text, value)) return undefined;
  } catch {
    // Invalid JSON, or nesting deeper than the call stack lets the names be counted (RangeError).
    return undefined;
  }
  return { value };
}

/** Whether the JSON `text` that parsed to `value` names each member of each object once. */
function hasEachNameOnce(text: string, value: object): boolean {
  const scan = scanMemberNames(text);
  if (scan.count !== countMembers(value)) return false;
  // A text with a name written with escapes (rare) is checked once more: every name of the text,
  // decoded alone, against the parsed names. Node 24's JSON.parse (V8 13.6) was seen to decode a
  // one-character escaped name such as "\"" or "\n" as a backslash, some thousands of parses into a
  // process; such a text is refused rather than misread.
  return !scan.escaped || sameNames(scanMemberNames(text, []).names, value);
}

/** Whether the parsed objects of `value` have exactly the member names `raw` decodes to, as many times each. */
function sameNames(raw: readonly string[], value: unknown): boolean {
  const expected = new Map<string, number>();
  for (const name of raw) {
    const decoded = name.includes('\\') ? (JSON.parse(`"${name}"`) as string) : name;
    expected.set(decoded, (expected.get(decoded) ?? 0) + 1);
  }
  const unexpected = (parsed: unknown): boolean => {
    if (typeof parsed !== 'object' || parsed === null) return false;
    for (const [name, member] of Object.entries(parsed)) {
      if (!Array.isArray(parsed)) {
        const left = expected.get(name) ?? 0;
        if (left === 0) return true;
        expected.set(name, left - 1);
      }
      if (unexpected(member)) return true;
    }
    return false;
  };
  return !unexpected(value);
}

/**
 * Member names in a JSON text that JSON.parse accepted. Outside strings valid JSON has no quotes,
 * and inside them a quote is escaped by an odd run of backslashes; so walking from one unescaped
 * quote to the next finds each string whole and in order, and the strings followed by a colon
 * (after optional whitespace) are the member names. indexOf keeps this a native scan (the hot path:
 * several times faster than a regular expression over the same text).
 */
function scanMemberNames(text: string, all?: string[]): { readonly count: number; readonly escaped: boolean; readonly names: readonly string[] } {
  let names = 0;
  let escaped = false;
  // The first backslash after the current string's opening quote (-1: none left), moved forward only.
  let backslash = text.indexOf('\\');
  let open = text.indexOf('"');
  while (open >= 0) {
    let close = text.indexOf('"', open + 1);
    while (text.charCodeAt(close - 1) === BACKSLASH && isEscaped(text, close)) close = text.indexOf('"', close + 1);
    let next = close + 1;
    let code = text.charCodeAt(next);
    while (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) code = text.charCodeAt(++next);
    if (code === COLON) {
      names += 1;
      // A backslash between the quotes: the name is written with escapes (rare: the text is checked once more).
      if (backslash >= 0 && backslash <= open) backslash = text.indexOf('\\', open + 1);
      if (backslash >= 0 && backslash < close) escaped = true;
      all?.push(text.slice(open + 1, close));
    }
    open = text.indexOf('"', next);
  }
  return { count: names, escaped, names: all ?? NONE };
}

const NONE: readonly string[] = Object.freeze([]);

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

